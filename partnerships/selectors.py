"""Every read the partnership pages need, scoped to the active network and the user's role and zones.
Querysets are bounded: related rows are joined or prefetched, lists are paginated by the views."""
import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from psynet import permissions as core
from psynet.models import Convention, Psychologist, Role, Zone
from psynet.selectors import audit_for

from .choices import AWAITING_CONTACT, AgreementStatus, EventKind, Status
from .models import Agreement, AgreementVersion, CollaborationRequest
from .permissions import zone_ids_of

RequestZones = CollaborationRequest.zones.through
TriageNetworks = CollaborationRequest.triage_networks.through


def requests_visible(user, network):
    """Network coordinators: the network's requests and the unrouted ones waiting in its triage list.
    Local coordinators: the requests of their zones. Others: nothing."""
    role = core.role_in(user, network)
    base = CollaborationRequest.objects.all()
    if role == Role.NETWORK_COORDINATOR:
        # The unrouted requests waiting in this network's triage list are few (usually none): fetched first,
        # they leave a plain condition on the network that the indexes answer alone (an OR with a subquery
        # makes PostgreSQL read every row of the network).
        waiting = list(TriageNetworks.objects.filter(network_id=network.pk, collaborationrequest__network__isnull=True)
                       .values_list("collaborationrequest_id", flat=True)[:1000])
        return base.filter(Q(network=network) | Q(pk__in=waiting)) if waiting else base.filter(network=network)
    if role == Role.LOCAL_COORDINATOR:
        in_zone = Exists(RequestZones.objects.filter(collaborationrequest_id=OuterRef("pk"),
                                                     zone_id__in=zone_ids_of(user, network)))
        return base.filter(in_zone, network=network)
    return base.none()


def request_list(user, network):
    return (requests_visible(user, network)
            .select_related("network", "municipality", "assigned_to")
            .prefetch_related(Prefetch("zones", queryset=Zone.objects.order_by("name"))))


ROW_FIELDS = ["pk", "received_at", "organisation_name", "place_type", "municipality__name_fr",
              "municipality__name_nl", "municipality_text", "network_id", "triage_reason", "status", "outcome",
              "due_on", "assigned_to__first_name", "assigned_to__last_name", "assigned_to__email"]


def request_rows(ids):
    """The values one list page shows, in the order of ``ids``: the page's ids are chosen on the narrow table
    first, then only these rows are read, as plain values (sorting thousands of joined rows, or building model
    instances for thirty, costs more than the page)."""
    rows = {r["pk"]: r for r in CollaborationRequest.objects.filter(pk__in=list(ids)).values(*ROW_FIELDS)}
    zones = {}
    for request_id, name in (RequestZones.objects.filter(collaborationrequest_id__in=list(rows))
                             .order_by("zone__name").values_list("collaborationrequest_id", "zone__name")):
        zones.setdefault(request_id, []).append(name)
    result = []
    for pk in ids:
        if pk in rows:
            rows[pk]["zone_names"] = zones.get(pk, [])
            result.append(rows[pk])
    return result


def triage_list(user, network):
    """Open requests routed to the network with a triage reason, and unrouted ones in its triage list; written as
    two plain branches so each reads its own index (routed: the partial index of requests in triage)."""
    if core.role_in(user, network) != Role.NETWORK_COORDINATOR:
        return CollaborationRequest.objects.none()
    waiting = list(TriageNetworks.objects.filter(network_id=network.pk, collaborationrequest__network__isnull=True)
                   .values_list("collaborationrequest_id", flat=True)[:1000])
    condition = Q(network=network) & ~Q(triage_reason="")
    if waiting:
        condition |= Q(pk__in=waiting, network__isnull=True)
    return (CollaborationRequest.objects.filter(condition).exclude(status=Status.CLOSED)
            .select_related("network", "municipality", "assigned_to")
            .prefetch_related(Prefetch("zones", queryset=Zone.objects.order_by("name"))))


def request_detail(user, network, pk):
    return (requests_visible(user, network).select_related("network", "municipality", "assigned_to")
            .prefetch_related("zones", "triage_networks").filter(pk=pk).first())


def events_of(partnership_request):
    return partnership_request.events.select_related("author").order_by("at", "pk")


def timeline_of(partnership_request, limit=300):
    """Audit entries (steps, who, when) and messages, newest first."""
    items = [{"at": e.at, "kind": "audit", "entry": e} for e in audit_for(partnership_request)[:limit]]
    items += [{"at": e.at, "kind": "event", "event": e} for e in events_of(partnership_request)[:limit]]
    return sorted(items, key=lambda i: i["at"], reverse=True)[:limit]


def partner_timeline(partnership_request):
    """What the partner sees: the dated steps and the messages meant for them (no internal notes)."""
    steps = [{"at": e.at, "status": e.after.get("status"), "outcome": e.after.get("outcome")}
             for e in audit_for(partnership_request).filter(after__has_key="status")][:100]
    for step in steps:
        step["label"] = Status(step["status"]).label if step["status"] in Status.values else step["status"]
    events = list(partnership_request.events.filter(is_visible_to_partner=True).order_by("at", "pk")[:200])
    items = [{"at": s["at"], "kind": "step", "step": s} for s in steps]
    items += [{"at": e.at, "kind": "event", "event": e} for e in events]
    return sorted(items, key=lambda i: i["at"])


def siblings_of(partnership_request):
    """The other requests made from the same form (the other network), for a short mention."""
    return (CollaborationRequest.objects.filter(submission=partnership_request.submission)
            .exclude(pk=partnership_request.pk).select_related("network"))


def counts_for_home(user, network):
    """The figures of the home panel and the list header, in one query."""
    today = timezone.localdate()
    in_triage = Q(network__isnull=True) | ~Q(triage_reason="")
    waiting = Q(status__in=AWAITING_CONTACT)
    # Every count is of open requests: filtered first, so PostgreSQL reads the open requests' partial index
    # (not every request the network ever received).
    counts = requests_visible(user, network).filter(~Q(status=Status.CLOSED)).aggregate(
        triage=Count("pk", filter=in_triage),
        waiting=Count("pk", filter=waiting),
        overdue=Count("pk", filter=waiting & Q(due_on__lt=today)),
        mine=Count("pk", filter=Q(assigned_to=user)),
    )
    if core.role_in(user, network) != Role.NETWORK_COORDINATOR:
        counts["triage"] = 0
    return counts


# ---- psychologists to propose ---------------------------------------------------------------------


def current_conventions(network, on=None):
    on = on or timezone.localdate()
    return Convention.objects.filter(network=network, start_on__lte=on).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on))


def age_group_for(partnership_request):
    if partnership_request.network_id:
        return partnership_request.network.kind  # "children" or "adults": the core AgeGroup values
    return None


def psychologist_candidates(partnership_request, network, *, filters):
    """Psychologists with a current convention with the network, filtered by zone (default: the request's
    zones), language, age group and function. Returns a Psychologist queryset."""
    conventions = current_conventions(network)
    zones = filters.get("zones")
    if zones is None:
        zones = list(partnership_request.zones.all())
    if zones:
        conventions = conventions.filter(zones__in=zones)
    age_group = filters.get("age_group", age_group_for(partnership_request))
    if age_group:
        conventions = conventions.filter(age_groups__icontains=f'"{age_group}"')
    if filters.get("function"):
        conventions = conventions.filter(functions__icontains=f'"{filters["function"]}"')
    qs = Psychologist.objects.filter(pk__in=conventions.values("psychologist_id"))
    if filters.get("language"):
        qs = qs.filter(languages__icontains=f'"{filters["language"]}"')
    return qs.order_by("last_name", "first_name")


def article8_hours(agreement):
    return sum((Decimal(str(v or 0)) for v in (agreement.article8_hours or {}).values()), Decimal(0))


def candidate_rows(psychologists, network, *, min_article8_left=None, year=None):
    """Each candidate with their convention and the article 8 hours left this year: contract hours minus the
    hours of their agreements sent, signed or active in that year."""
    year = year or timezone.localdate().year
    people = list(psychologists.prefetch_related(
        Prefetch("conventions", queryset=current_conventions(network).prefetch_related("zones"),
                 to_attr="current")))
    committed = {}
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for agreement in Agreement.objects.filter(
            network=network, psychologist__in=[p.pk for p in people], starts_on__lte=end, ends_on__gte=start,
            status__in=[AgreementStatus.SENT, AgreementStatus.SIGNED, AgreementStatus.ACTIVE]).only(
            "psychologist_id", "article8_hours"):
        committed[agreement.psychologist_id] = committed.get(agreement.psychologist_id, 0) + article8_hours(agreement)
    rows = []
    for p in people:
        convention = p.current[0] if p.current else None
        contract = convention.article8_hours_per_year if convention else Decimal(0)
        left = contract - committed.get(p.pk, 0)
        if min_article8_left is not None and left < min_article8_left:
            continue
        rows.append({"psychologist": p, "convention": convention, "article8_contract": contract,
                     "article8_committed": committed.get(p.pk, 0), "article8_left": left})
    return rows


# ---- agreements -----------------------------------------------------------------------------------


def agreements_visible(user, network):
    role = core.role_in(user, network)
    base = Agreement.objects.filter(network=network)
    if role == Role.NETWORK_COORDINATOR:
        return base
    if role == Role.LOCAL_COORDINATOR:
        return base.filter(Q(zone__isnull=True) | Q(zone_id__in=zone_ids_of(user, network)))
    if role == Role.PSYCHOLOGIST:
        return base.filter(psychologist__user=user)
    return base.none()


def agreement_list(user, network):
    return (agreements_visible(user, network)
            .select_related("psychologist", "zone", "request", "network_signatory").order_by("-created_at", "-pk"))


def current_version(agreement):
    return (AgreementVersion.objects.filter(agreement=agreement).prefetch_related("signatures")
            .order_by("-number").first())


def versions_of(agreement):
    return (AgreementVersion.objects.filter(agreement=agreement).prefetch_related("signatures__user")
            .order_by("-number"))


def agreements_awaiting(user, network):
    """Agreements sent for signature in which it is ``user``'s turn to sign: only agreements where the user is
    the psychologist or the network's signatory, their current version and signatures prefetched (no query per
    agreement)."""
    from .agreements import next_party
    from .choices import Party

    role = core.role_in(user, network)
    qs = (agreements_visible(user, network).filter(status=AgreementStatus.SENT)
          .filter(Q(psychologist__user=user) | Q(network_signatory=user))
          .select_related("psychologist")
          .prefetch_related(Prefetch("versions", queryset=AgreementVersion.objects.order_by("-number")
                                     .prefetch_related("signatures"), to_attr="versions_newest_first")))
    mine = []
    for agreement in qs[:200]:
        versions = agreement.versions_newest_first
        party = next_party(agreement, versions[0]) if versions else None
        if (party == Party.NETWORK and role == Role.NETWORK_COORDINATOR and agreement.network_signatory_id == user.pk
                or party == Party.PSYCHOLOGIST and agreement.psychologist.user_id == user.pk):
            mine.append(agreement)
    return mine


def partner_events(partnership_request):
    return partnership_request.events.filter(Q(is_visible_to_partner=True) | Q(kind=EventKind.PARTNER_MESSAGE))


def article8_missions_of(partnership_request):
    """The article 8 requests made from this collaboration request (services.article8_missions_create)."""
    if partnership_request.network_id is None:
        return []
    from article8.selectors import missions_in

    return list(missions_in(partnership_request.network)
                .filter(source_reference__startswith=f"{partnership_request.reference}:").order_by("pk"))


def priorities_of(obj):
    from care_offer.selectors import priorities_of as tagged

    return list(tagged(obj))


def priority_choices(network):
    from care_offer.selectors import priorities_in

    return priorities_in(network).order_by("name_fr")


def agreement_outreach_breaches(user, network):
    """Agreements still to be carried out whose individual sessions at the partner (outreaching) sit at a place
    where sessions cannot count as outreaching: the organisation named (its own decision or its type's rule, in
    care_offer), else the request's place type. Each row carries the rule; four queries whatever the count."""
    from care_offer.selectors import ineligible_outreach_places, place_type_rules

    from .agreements import LIVE
    from .choices import Modality

    rules = {rule.place_kind: rule for rule in place_type_rules()}
    eligible_kinds = [kind for kind, rule in rules.items() if rule.eligible]
    places = ineligible_outreach_places(network).order_by().values("pk")
    qs = (agreements_visible(user, network).filter(status__in=LIVE)
          .filter(Q(organisation__in=places)
                  | (Q(organisation__isnull=True, request__isnull=False) & ~Q(request__place_type__in=eligible_kinds)))
          .select_related("organisation", "organisation__eligibility_override", "request", "psychologist", "zone")
          .order_by("-created_at", "-pk"))
    rows = []
    for agreement in qs:
        if Modality.INDIVIDUAL not in (agreement.modalities or []):
            continue
        organisation = agreement.organisation
        override = getattr(organisation, "eligibility_override", None) if organisation else None
        kind = organisation.kind if organisation else agreement.request.place_type
        if override is not None:
            rule = override.reason
        else:
            rule = rules[kind].reason if kind in rules else ""
        rows.append({"agreement": agreement, "place": organisation.name if organisation else agreement.partner_name,
                     "kind": kind, "rule": rule, "is_place_decision": override is not None})
    return rows
