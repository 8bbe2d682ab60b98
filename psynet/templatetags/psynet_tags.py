from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (keeps filters across pages)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def eur(value):
    """An amount the Belgian way: 1 234,56 €."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return f"{number_format(amount, 2, force_grouping=True)}\xa0€"


@register.simple_tag
def audit_describe_all(entries):
    """A page of audit entries as a person reads them: [(entry, description)] (psynet.audit.describe_all)."""
    from psynet.audit import describe_all

    return describe_all(entries)
