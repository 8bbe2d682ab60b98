"""The one permission layer: may this user do this action on this object?

Access comes from the user's membership (network + role + zones). A member of another network
gets 404 (the selectors never return its objects); the wrong role within the network gets 403.
"""
from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.exceptions import PermissionDenied

from .models import Membership, Role

NC = Role.NETWORK_COORDINATOR
LC = Role.LOCAL_COORDINATOR
CM = Role.COMMITTEE_MEMBER
AS = Role.ADMIN_STAFF
PS = Role.PSYCHOLOGIST
ALL = {NC, LC, CM, AS, PS}

RULES = {
    "network.view": ALL,
    "zone.view": {NC, LC, AS},
    "zone.manage": {NC},
    "member.view": {NC},
    "member.manage": {NC},
    "psychologist.view": {NC, LC, AS},
    "psychologist.manage": {NC},
    "audit.view": {NC},
    # Annual report
    "report.view": {NC, LC, CM, AS},
    "report.create": {NC},
    "report.edit": {NC, LC},
    "report.assign": {NC},
    "report.submit": {NC},
    "report.comment": {CM},
    "report.validate": {CM},
    "report.reopen": {NC},
    "report.export": {NC, AS},
    "report.send": {AS},
    # Later domains: their places in the menus
    "article8.view": ALL,
    "article8.dashboard": {NC, LC, CM, AS},
    "article8.mission.create": {NC, LC},
    "article8.mission.propose": {PS},
    "article8.mission.review": {NC, LC},
    "article8.mission.decide": {NC, LC, CM},  # narrowed by the network's Article8Settings.decision_roles
    "article8.mission.plan": {NC, LC},
    "article8.mission.deliver": {NC, LC, PS},
    "article8.mission.close": {NC, LC},
    "article8.hours.override": {NC},
    "article8.activity.log": {NC, LC, PS},
    "article8.contact_hour.view": {NC, LC, PS},
    "article8.contact_hour.manage": {NC, LC, PS},
    "article8.offer.manage": {NC},
    "article8.plan.view": {NC, LC, CM, AS},
    "article8.plan.manage": {NC, LC},
    "article8.allocation.view": {NC, LC, AS},
    "article8.allocation.request": {NC, LC},
    "article8.allocation.decide": {NC},
    "article8.allocation.pay": {NC, AS},
    "article8.budget.manage": {NC, AS},
    "article8.settings.manage": {NC},
    "article8.place_plan.view": {NC, LC, CM, AS},
    "article8.place_plan.manage": {NC, LC},
    "billing.view": {NC, AS, PS},
    "billing.session.register": {NC, AS, PS},
    "billing.extension.grant": {NC},
    "billing.statement.generate": {NC, AS, PS},
    "billing.import": {NC, AS},
    "billing.assessment.record": {NC, AS, PS},
    "billing.outreach.review": {NC},
    # The year in figures
    "figures.view": {NC, LC, CM, AS},
    "figures.moment.view": {NC, LC, CM, AS},
    "figures.moment.manage": {NC, LC},
    "figures.cost.view": {NC, CM, AS},
    "figures.cost.manage": {AS},
    # Partnerships: a local coordinator acts on a request when one of its zones is theirs (see can_in_zones)
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
    # The care offer: applications lie in the zones the applicant would work in (see can_in_zones)
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


def is_federal_viewer(user):
    """INAMI/SPF or the convention's follow-up committee: read-only, deployment-wide, without a membership."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and getattr(user, "is_federal_viewer", False))


def _memberships_key(user_id):
    return f"psynet:memberships:{user_id}"


def memberships_of(user):
    """{network_id: membership} of the user's active memberships, cached on the user for the request and, when a
    shared cache is configured (MEMBERSHIP_CACHE_SECONDS > 0), between requests: every save or delete of a
    membership, its zones, its network or a zone drops the affected users' entries (see ``forget_memberships``)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    held = getattr(user, "_membership_cache", None)
    if held is None:
        seconds = settings.MEMBERSHIP_CACHE_SECONDS
        held = shared_cache.get(_memberships_key(user.pk)) if seconds else None
        if held is None:
            held = {
                m.network_id: m
                for m in Membership.objects.filter(user=user, is_active=True)
                .select_related("network")
                .prefetch_related("zones")
            }
            if seconds:
                shared_cache.set(_memberships_key(user.pk), held, seconds)
        user._membership_cache = held
    return held


def forget_memberships(user_ids):
    """Drop the cached memberships of these users (their next request reads them from the database)."""
    if settings.MEMBERSHIP_CACHE_SECONDS:
        shared_cache.delete_many([_memberships_key(pk) for pk in set(user_ids)])


def membership_for(user, network_id):
    return memberships_of(user).get(network_id) if network_id is not None else None


def role_in(user, network):
    membership = membership_for(user, getattr(network, "pk", network))
    return membership.role if membership else None


def can(user, action, obj):
    """``obj`` is a network or any object with ``network_id``."""
    roles = RULES[action]
    network_id = obj.pk if obj.__class__.__name__ == "Network" else getattr(obj, "network_id", None)
    membership = membership_for(user, network_id)
    if membership is None or membership.role not in roles:
        return False
    zone_id = getattr(obj, "zone_id", None)
    if membership.role == LC and zone_id and obj.__class__.__name__ != "Zone":
        return zone_id in {z.pk for z in membership.zones.all()}
    return True


def zone_ids_of(user, network):
    """The ids of the zones a member is attached to in this network (a network or its id)."""
    membership = membership_for(user, getattr(network, "pk", network))
    return {z.pk for z in membership.zones.all()} if membership else set()


def can_in_zones(user, action, network, zone_ids):
    """For objects that lie in several zones at once (a request in the city of Namur, shared by two zones; an
    application): the role from RULES, and a local coordinator only when one of those zones is theirs. ``network``
is a network or its id."""
    membership = membership_for(user, getattr(network, "pk", network))
    if membership is None or membership.role not in RULES[action]:
        return False
    if membership.role == LC:
        return bool(set(zone_ids) & {z.pk for z in membership.zones.all()})
    return True


def require(user, action, obj):
    if not can(user, action, obj):
        raise PermissionDenied


def flags(user, obj, *actions):
    """Booleans for templates: {"can_zone_manage": True, ...}."""
    return {"can_" + a.replace(".", "_"): can(user, a, obj) for a in actions}
