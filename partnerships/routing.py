"""Where a collaboration request goes (DESIGN.md "Partnerships", issue 5 "Routing").

The target public decides the kind of network: children and adolescents up to 23 → the children/adolescents
network, adults from 15 → the adults network, both when the public holds both. The municipality decides the
network of that kind whose zones hold it, and the zone(s) inside it (a municipality may lie in two zones).

**Both networks: one request per network.** A form whose public spans both kinds becomes two requests sharing
one ``submission`` id, one per network. Every record of the portal belongs to one network (DESIGN.md "Who uses
it"): each network has its own coordinators, zones, 10-working-day limit, pipeline, agreement and retention,
and neither network's coordinators may read or change the other's follow-up. A single request linked to both
networks would need a second permission model; two requests keep the one that exists. The partner gets one
acknowledgement with one private link per network, and each coordinator sees that the other network received
the same submission.

**Only young adults (18–23)**: both kinds may serve them. The network of the link the partner came from
(``?network=``) takes the request; without one, the children/adolescents network does, since its whole band
(0–23) covers the group while the adults network's core public starts where that band ends. A coordinator
who disagrees transfers it.

**Cannot be routed** (the public is unclear, the municipality is unknown or lies outside every network of the
kind): the request goes to a triage list with the reason, never lost. It belongs to the network of the link
when there is one; else to the only candidate network; else it waits with no network in the triage lists of
every candidate network's coordinators: the networks of the kind in the municipality's province, else any
network of that province, else every network of the deployment."""
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from psynet.models import Network, NetworkKind, Zone

from .choices import AGE_RANGES, AgeGroup, kinds_serving


@dataclass
class Route:
    network: Network | None
    zones: list = field(default_factory=list)
    triage_reason: str = ""
    triage_networks: list = field(default_factory=list)
    kind: str = ""


def kinds_for(age_groups, preferred_network=None):
    """The kinds of network the public needs; empty when the public is unclear."""
    groups = [AgeGroup(g) for g in age_groups if g in AGE_RANGES]
    kinds = set()
    shared = False
    for group in groups:
        serving = kinds_serving(group)
        if len(serving) == 1:
            kinds |= serving
        else:
            shared = True
    if shared and not kinds:
        if preferred_network is not None and preferred_network.kind in NetworkKind.values:
            kinds.add(preferred_network.kind)
        else:
            kinds.add(NetworkKind.CHILDREN)
    return kinds


def plan_routes(*, age_groups, municipality, preferred_network=None, municipality_text=""):
    """One Route per network the request must reach (one or two)."""
    kinds = kinds_for(age_groups, preferred_network)
    if not kinds:
        return [_unclear_public(municipality, preferred_network)]
    return [_route_kind(kind, municipality, preferred_network, municipality_text)
            for kind in sorted(kinds)]


def _kind_label(kind):
    return NetworkKind(kind).label


def _route_kind(kind, municipality, preferred, municipality_text):
    preferred = preferred if preferred is not None and preferred.kind == kind else None
    if municipality is None:
        reason = _("The municipality “%(text)s” is not recognised.") % {"text": municipality_text[:80]}
        return _triage(kind, preferred, reason, municipality)
    covering = list(Network.objects.filter(kind=kind, zones__municipalities=municipality).distinct()
                    .order_by("code"))
    if covering:
        network = preferred if preferred in covering else covering[0]
        zones = list(Zone.objects.filter(network=network, municipalities=municipality).order_by("name"))
        return Route(network=network, zones=zones, kind=kind)
    reason = _("%(municipality)s lies in no zone of a network for %(kind)s.") % {
        "municipality": municipality.name, "kind": _kind_label(kind)}
    return _triage(kind, preferred, reason, municipality)


def _unclear_public(municipality, preferred):
    reason = _("The target public is unclear: the network cannot be chosen from it.")
    if preferred is not None:
        zones = list(Zone.objects.filter(network=preferred, municipalities=municipality)) if municipality else []
        return Route(network=preferred, zones=zones, triage_reason=reason)
    if municipality is not None:
        covering = list(Network.objects.filter(zones__municipalities=municipality).distinct().order_by("code"))
        if len(covering) == 1:
            zones = list(Zone.objects.filter(network=covering[0], municipalities=municipality))
            return Route(network=covering[0], zones=zones, triage_reason=reason)
        if covering:
            return Route(network=None, triage_reason=reason, triage_networks=covering)
    return _triage(None, None, reason, municipality)


def _triage(kind, network, reason, municipality):
    if network is not None:
        return Route(network=network, triage_reason=reason, kind=kind or network.kind)
    province = municipality.province_nis if municipality is not None else ""
    candidates = []
    if province:
        in_province = Network.objects.filter(province_nis=province).order_by("code")
        if kind:
            candidates = list(in_province.filter(kind=kind))
        candidates = candidates or list(in_province)
    candidates = candidates or list(Network.objects.order_by("code"))
    if len(candidates) == 1:
        return Route(network=candidates[0], triage_reason=reason, kind=kind or "")
    return Route(network=None, triage_reason=reason, triage_networks=candidates, kind=kind or "")
