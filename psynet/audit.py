"""The one audit helper: every service records its change here, inside its own transaction."""
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .models import AuditEntry

MASKED_KEYS = {"password", "token", "national_number", "niss", "secret", "code", "file"}


def _mask(values):
    if not values:
        return {}
    return {k: ("***" if k in MASKED_KEYS else v) for k, v in values.items()}


def log_action(obj, action, *, by=None, actor_label="", before=None, after=None, network=None):
    """Record ``action`` ("psynet.membership.role_changed") on ``obj`` with changed values only."""
    entry = audit_entry(obj, action, by=by, actor_label=actor_label, before=before, after=after, network=network)
    entry.save(force_insert=True)
    return entry


def audit_entry(obj, action, *, by=None, actor_label="", before=None, after=None, network=None):
    """The entry log_action records, not yet saved: for a service that writes it in one statement together with its
    own row (billing.services.session_register). Same arguments as log_action."""
    before, after = dict(before or {}), dict(after or {})
    for key in set(before) & set(after):
        if before[key] == after[key]:
            before.pop(key)
            after.pop(key)
    if network is None:
        network = getattr(obj, "network", None)
        if network is None and obj.__class__.__name__ == "Network":
            network = obj
    return AuditEntry(
        network=network,
        content_type=ContentType.objects.get_for_model(obj.__class__) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        action=action,
        actor=by if getattr(by, "is_authenticated", False) else None,
        actor_label=actor_label or (str(by) if by is not None else ""),
        before=_mask(before),
        after=_mask(after),
    )


# ---- reading the trail --------------------------------------------------------------------------------------
# An entry's action is a code ("psynet.membership.updated"): pages show it as the object's type and what happened
# ("Membership: changed"), and its values with the labels of the object's fields and choices.

VERBS = {
    "created": pgettext_lazy("audit action", "created"), "updated": pgettext_lazy("audit action", "changed"), "saved": pgettext_lazy("audit action", "saved"),
    "deleted": pgettext_lazy("audit action", "deleted"), "added": pgettext_lazy("audit action", "added"), "removed": pgettext_lazy("audit action", "removed"),
    "assigned": pgettext_lazy("audit action", "assigned"), "unassigned": pgettext_lazy("audit action", "assignment removed"),
    "resolved": pgettext_lazy("audit action", "resolved"), "received": pgettext_lazy("audit action", "received"),
    "recorded": pgettext_lazy("audit action", "recorded"), "logged": pgettext_lazy("audit action", "recorded"),
    "registered": pgettext_lazy("audit action", "registered"), "generated": pgettext_lazy("audit action", "generated"),
    "granted": pgettext_lazy("audit action", "granted"), "applied": pgettext_lazy("audit action", "applied"), "requested": pgettext_lazy("audit action", "requested"),
    "ticked": pgettext_lazy("audit action", "ticked"), "unticked": pgettext_lazy("audit action", "unticked"), "moved": pgettext_lazy("audit action", "moved"),
    "set": pgettext_lazy("audit action", "set"), "tagged": pgettext_lazy("audit action", "priority added"), "untagged": pgettext_lazy("audit action", "priority removed"),
    "taken": pgettext_lazy("audit action", "frozen"), "replaced": pgettext_lazy("audit action", "replaced"), "skipped": pgettext_lazy("audit action", "skipped"),
    "signed": pgettext_lazy("audit action", "signed"), "closed": pgettext_lazy("audit action", "closed"), "routed": pgettext_lazy("audit action", "routed"),
    "transferred": pgettext_lazy("audit action", "transferred"), "reassigned": pgettext_lazy("audit action", "reassigned"),
    "anonymised": pgettext_lazy("audit action", "anonymised"), "exported": pgettext_lazy("audit action", "exported"), "erased": pgettext_lazy("audit action", "erased"),
    "rotated": pgettext_lazy("audit action", "key rotated"), "inserted": pgettext_lazy("audit action", "figures inserted"),
}
ACTIONS = {
    "annual_reports.report.export_requested": pgettext_lazy("audit action", "PDF requested"),
    "annual_reports.report.identification_updated": pgettext_lazy("audit action", "identification changed"),
    "article8.mission.hours_override": pgettext_lazy("audit action", "hours beyond the contract recorded"),
    "article8.mission.priorities_changed": pgettext_lazy("audit action", "priorities changed"),
    "article8.plan.action_created": pgettext_lazy("audit action", "action added"),
    "article8.plan.objective_created": pgettext_lazy("audit action", "objective added"),
    "care_offer.application.applicant_emailed": pgettext_lazy("audit action", "e-mail sent to the applicant"),
    "care_offer.application.applicant_wrote": pgettext_lazy("audit action", "message from the applicant"),
    "care_offer.application.convention": pgettext_lazy("audit action", "convention concluded"),
    "care_offer.application.link_renewed": pgettext_lazy("audit action", "new private link e-mailed"),
    "partnerships.request.link_renewed": pgettext_lazy("audit action", "new private link e-mailed"),
    "partnerships.request.contact_recorded": pgettext_lazy("audit action", "contact recorded"),
    "partnerships.request.needs_updated": pgettext_lazy("audit action", "needs analysis changed"),
    "partnerships.request.partner_message": pgettext_lazy("audit action", "message from the partner"),
    "partnerships.request.psychologist_added": pgettext_lazy("audit action", "psychologist proposed"),
    "partnerships.request.article8_missions": pgettext_lazy("audit action", "article 8 missions created"),
    "partnerships.agreement.code_sent": pgettext_lazy("audit action", "signing code sent"),
    "partnerships.agreement.pdf_stored": pgettext_lazy("audit action", "signed PDF stored"),
    "partnerships.agreement.signature_refused": pgettext_lazy("audit action", "signature refused"),
}


def _field_of(model, name):
    try:
        return model._meta.get_field(name) if model else None
    except Exception:  # a value recorded under a name that is not a field ("municipalities", "notice")
        return None


def _when(text):
    """An ISO date or date-time recorded in the trail, the Belgian way (31/03/2025, 31/03/2025 14:05)."""
    if len(text) < 10 or text[4:5] != "-" or text[7:8] != "-":
        return None
    try:
        moment = parse_datetime(text) if len(text) > 10 else None
        day = parse_date(text) if len(text) == 10 else None
    except ValueError:
        return None
    if moment is not None:
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "SHORT_DATETIME_FORMAT")
    return date_format(day, "SHORT_DATE_FORMAT") if day is not None else None


def _shown(field, value):
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and (when := _when(value)):
        return when
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    return str(choices.get(value, value))


# Labels of values recorded under a name that is not one of the object's fields.
KEYS = {
    "question": pgettext_lazy("audit value", "question"), "version": pgettext_lazy("audit value", "version"),
    "party": pgettext_lazy("audit value", "party"), "name": pgettext_lazy("audit value", "name"),
    "method": pgettext_lazy("audit value", "method"), "ip_address": pgettext_lazy("audit value", "IP address"),
    "user_agent": pgettext_lazy("audit value", "browser"), "step": pgettext_lazy("audit value", "step"),
    "contact_on": pgettext_lazy("audit value", "contact date"), "channel": pgettext_lazy("audit value", "channel"),
    "missions": pgettext_lazy("audit value", "missions"), "psychologists": pgettext_lazy("audit value", "psychologists"),
    "needs_analysis_length": pgettext_lazy("audit value", "length of the needs analysis"),
    "rows": pgettext_lazy("audit value", "rows"), "accepted": pgettext_lazy("audit value", "accepted"),
    "refused": pgettext_lazy("audit value", "refused"), "duplicate": pgettext_lazy("audit value", "duplicates"),
    "priority": pgettext_lazy("audit value", "priority"), "place": pgettext_lazy("audit value", "place"),
    "reason": pgettext_lazy("audit value", "reason"), "chapter": pgettext_lazy("audit value", "chapter"),
    "assignee": pgettext_lazy("audit value", "assigned to"), "due_on": pgettext_lazy("audit value", "due on"),
    "message": pgettext_lazy("audit value", "message"), "file_name": pgettext_lazy("audit value", "file"),
    "sessions": pgettext_lazy("audit value", "sessions"), "requests": pgettext_lazy("audit value", "requests"),
    "year": pgettext_lazy("audit value", "year"), "zones": pgettext_lazy("audit value", "zones"),
    "municipalities": pgettext_lazy("audit value", "municipalities"), "user": pgettext_lazy("audit value", "user"),
}

# Values recorded as lists of ids, shown by name: {key: model}. Read once for a whole page of entries.
NAMED_IDS = {"municipalities": "psynet.Municipality", "zones": "psynet.Zone"}


def describe_all(entries):
    """[(entry, description)] for a page of entries: the zones and municipalities they recorded by id are read in
    one query per kind, whatever the number of entries."""
    from django.apps import apps

    entries = list(entries)
    wanted = {key: set() for key in NAMED_IDS}
    for entry in entries:
        for values in (entry.before or {}, entry.after or {}):
            for key in NAMED_IDS:
                if isinstance(values.get(key), list):
                    wanted[key].update(v for v in values[key] if isinstance(v, int))
    names = {}
    for key, ids in wanted.items():
        if ids:
            model = apps.get_model(NAMED_IDS[key])
            names[key] = {pk: str(obj) for pk, obj in model.objects.in_bulk(ids).items()}
    return [(entry, describe(entry, names)) for entry in entries]


def describe(entry, names=None):
    """What a page shows of an audit entry: {"what": "Membership: changed", "before": [(label, value)], "after"}.
    ``names``: {key: {id: name}} for values recorded as ids (see describe_all)."""
    names = names or {}
    content_type = ContentType.objects.get_for_id(entry.content_type_id) if entry.content_type_id else None
    model = content_type.model_class() if content_type else None
    verb = ACTIONS.get(entry.action)
    last = entry.action.rsplit(".", 1)[-1]
    status = _field_of(model, "status")
    if verb is None and status is not None and (entry.after or {}).get("status") == last:
        verb = _shown(status, last)  # a transition: the status it reached, as the status list says it
    verb = verb or VERBS.get(last)
    if model is None or verb is None:
        what = entry.action
    else:
        what = _("%(object)s: %(action)s") % {"object": capfirst(model._meta.verbose_name), "action": verb}

    def rows(values):
        out = []
        for key, value in (values or {}).items():
            field = _field_of(model, key)
            if field is not None and hasattr(field, "verbose_name"):
                label = capfirst(field.verbose_name)
            else:
                label = capfirst(KEYS.get(key) or key.replace("_", " "))
            if key in names and isinstance(value, list):
                value = sorted(names[key].get(v, str(v)) if isinstance(v, int) else str(v) for v in value)
            if key.endswith("_eur") and value not in (None, ""):
                from .templatetags.psynet_tags import eur  # amounts the Belgian way: 1 234,56 €

                out.append((label, eur(value)))
                continue
            out.append((label, _shown(field, value)))
        return out

    return {"what": what, "before": rows(entry.before), "after": rows(entry.after)}
