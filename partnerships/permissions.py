"""The partnership actions in the one permission layer (psynet.permissions), registered at start-up, and the
zone check for requests, which may lie in two zones at once (the city of Namur is shared by both local
coordinators): a local coordinator may act on a request when one of its zones is theirs."""
from psynet import permissions as core
from psynet.models import Role

NC, LC, PS = Role.NETWORK_COORDINATOR, Role.LOCAL_COORDINATOR, Role.PSYCHOLOGIST

RULES = {
    "partnership.view": {NC, LC},
    "partnership.handle": {NC, LC},
    "partnership.assign": {NC, LC},
    "partnership.triage": {NC},
    "partnership.gdpr": {NC},
    "partnership.settings": {NC},
    "agreement.view": {NC, LC, PS},
    "agreement.draft": {NC, LC},
    "agreement.terminate": {NC},
    "agreement.sign_network": {NC},
    "agreement.sign_psychologist": {PS},
}


def register():
    for action, roles in RULES.items():
        core.RULES.setdefault(action, roles)


def zone_ids_of(user, network):
    membership = core.membership_for(user, getattr(network, "pk", network))
    return {z.pk for z in membership.zones.all()} if membership else set()


def can_on_request(user, action, partnership_request, network):
    """``network`` is the active network. A request waiting for triage without a network is visible to the
    network coordinators of its triage networks (the selectors only return it to them)."""
    if partnership_request.network_id not in (None, network.pk):
        return False
    if not core.can(user, action, network):
        return False
    if core.role_in(user, network) == LC:
        request_zones = {z.pk for z in partnership_request.zones.all()}
        return bool(request_zones & zone_ids_of(user, network))
    return True


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
