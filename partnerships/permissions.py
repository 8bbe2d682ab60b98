"""Checks on partnership objects, built on the one permission layer (psynet.permissions, where the rules are):
a request may lie in two zones at once (the city of Namur is shared by both local coordinators), so a local
coordinator may act on it when one of its zones is theirs; a psychologist only on their own agreements."""
from psynet import permissions as core
from psynet.models import Role

PS = Role.PSYCHOLOGIST

zone_ids_of = core.zone_ids_of  # used by the app's selectors


def can_on_request(user, action, partnership_request, network):
    """``network`` is the active network. A request waiting for triage without a network is visible to the
    network coordinators of its triage networks (the selectors only return it to them)."""
    if partnership_request.network_id not in (None, network.pk):
        return False
    return core.can_in_zones(user, action, network, [z.pk for z in partnership_request.zones.all()])


def require_on_request(user, action, partnership_request, network):
    if not can_on_request(user, action, partnership_request, network):
        raise core.PermissionDenied


def can_on_agreement(user, action, agreement):
    """Role and zone from the core layer; a psychologist only on their own agreements."""
    if not core.can(user, action, agreement):
        return False
    if core.role_in(user, agreement.network) == PS:
        return agreement.psychologist.user_id == user.pk
    return True


def require_on_agreement(user, action, agreement):
    if not can_on_agreement(user, action, agreement):
        raise core.PermissionDenied
