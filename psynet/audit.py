"""The one audit helper: every service records its change here, inside its own transaction."""
from django.contrib.contenttypes.models import ContentType

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
