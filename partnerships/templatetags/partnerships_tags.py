"""Labels stored in English in the audit trail and on signatures (fixed values, never translated in the
database), shown in the reader's language."""
from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

LABELS = {
    "public form": _("public form"),
    "partner (private link)": _("partner (private link)"),
    "system": _("the portal"),
    "retention": _("retention period"),
    "private link + one-time code sent by e-mail": _("private link + one-time code sent by e-mail"),
    "logged in to the portal": _("logged in to the portal"),
}


@register.filter
def stored_label(value):
    """A stored fixed label in the current language; a partner's "Name (partner (private link))" too."""
    if value in LABELS:
        return LABELS[value]
    suffix = " (partner (private link))"
    if isinstance(value, str) and value.endswith(suffix):
        return f"{value[:-len(suffix)]} ({LABELS['partner (private link)']})"
    return value
