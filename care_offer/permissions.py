"""The care-offer actions in the one permission layer (psynet.permissions), registered at start-up like the
partnerships app does, so the shared RULES table is not edited by hand."""
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
