"""The care-offer actions in the one permission layer (psynet.permissions), registered at start-up like the
partnerships app does, so the shared RULES table is not edited by hand.

Applications lie in zero, one or several zones (the zones the applicant would work in): a local coordinator
sees and acts on an application when one of its zones is theirs; the network coordinators on all of the
network's."""
from psynet import permissions as core
from psynet.models import Role

NC, LC, CM, AS, PS = (Role.NETWORK_COORDINATOR, Role.LOCAL_COORDINATOR, Role.COMMITTEE_MEMBER, Role.ADMIN_STAFF,
                      Role.PSYCHOLOGIST)

RULES = {
    "care_offer.view": {NC, LC, CM, AS},
    "care_offer.application.view": {NC, LC},
    "care_offer.application.review": {NC, LC},  # received → reviewed → interview
    "care_offer.application.decide": {NC},  # accepted (convention) or refused
    "care_offer.onboarding.tick": {NC, LC},
    "care_offer.onboarding.manage": {NC},  # the network's checklist items
    "care_offer.settings.manage": {NC},
    "care_offer.cofacilitator.view": {NC, LC, CM, AS, PS},
    "care_offer.cofacilitator.manage": {NC, LC},
    "care_offer.priority.manage": {NC},
    "care_offer.clairvision.view": {NC, LC, CM, AS, PS},
    "care_offer.clairvision.record": {NC, LC, PS},
    "care_offer.eligibility.manage": {NC},
    "care_offer.condition.manage": {NC},
}


def register():
    for action, roles in RULES.items():
        core.RULES.setdefault(action, roles)


def zone_ids_of(user, network):
    membership = core.membership_for(user, getattr(network, "pk", network))
    return {z.pk for z in membership.zones.all()} if membership else set()


def can_on_application(user, action, application):
    """Role from the core layer; a local coordinator only on applications in one of their zones."""
    if not core.can(user, action, application):
        return False
    if core.role_in(user, application.network_id) == LC:
        return bool({z.pk for z in application.zones.all()} & zone_ids_of(user, application.network_id))
    return True


def require_on_application(user, action, application):
    if not can_on_application(user, action, application):
        raise core.PermissionDenied
