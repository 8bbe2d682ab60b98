"""Checks on care-offer objects, built on the one permission layer (psynet.permissions, where the rules are).

Applications lie in zero, one or several zones (the zones the applicant would work in): a local coordinator
sees and acts on an application when one of its zones is theirs; the network coordinators on all of the
network's."""
from psynet import permissions as core

zone_ids_of = core.zone_ids_of  # used by the app's selectors


def can_on_application(user, action, application):
    """Role from the core layer; a local coordinator only on applications in one of their zones."""
    return core.can_in_zones(user, action, application.network_id, [z.pk for z in application.zones.all()])


def require_on_application(user, action, application):
    if not can_on_application(user, action, application):
        raise core.PermissionDenied
