"""Every read of the care-offer pages, scoped to a network. These are also the integration points other apps
call (agreements, group sessions, missions, the year's figures): ``co_facilitators_in``, ``priorities_in``,
``priorities_of``, ``activity_per_priority``, ``clairvisions_count``, ``ineligible_outreach_places``,
``budget_rules_in_force`` and ``services.outreach_place_check``."""
import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.utils import timezone

from psynet import permissions as core
from psynet.models import Convention, Organisation, OrganisationKind, Psychologist, Role, Zone

from .models import (
    ApplicantMessage, ApplicationStatus, Clairvision, ClairvisionFormat, CoFacilitator, NetworkOfferCondition,
    OfferBudgetRule, OfferKind, OnboardingItem, OnboardingTick, PlaceTypeEligibility, Priority, PriorityTag,
    ProviderApplication, ProviderProfile,
)

# ---- applications ---------------------------------------------------------------------------------------


def applications_visible(user, network):
    """Network coordinators: all of the network's applications. Local coordinators: those with one of their
    zones among the application's zones. Others: none (the views check the role first)."""
    from .permissions import zone_ids_of

    qs = ProviderApplication.objects.filter(network=network)
    role = core.role_in(user, network)
    if role == Role.NETWORK_COORDINATOR:
        return qs
    if role == Role.LOCAL_COORDINATOR:
        through = ProviderApplication.zones.through
        return qs.filter(Exists(through.objects.filter(providerapplication_id=OuterRef("pk"),
                                                       zone_id__in=zone_ids_of(user, network))))
    return qs.none()


def applications_in(user, network):
    return (applications_visible(user, network)
            .select_related("network", "psychologist", "convention")
            .prefetch_related(Prefetch("zones", queryset=Zone.objects.order_by("name")))
            .annotate(document_count=Count("documents", distinct=True))
            .order_by("-received_at", "-pk"))


def application_counts(user, network):
    rows = applications_visible(user, network).values("status").annotate(n=Count("pk"))
    found = {r["status"]: r["n"] for r in rows}
    return [{"status": value, "label": label, "n": found.get(value, 0)} for value, label in ApplicationStatus.choices]


def applicant_steps(application):
    """The dated steps an applicant sees on their follow-up page (no names of the network's staff, no internal
    review note)."""
    a = application
    steps = [{"code": "received", "label": ApplicationStatus.RECEIVED.label, "at": a.received_at}]
    if a.reviewed_at:
        steps.append({"code": "reviewed", "label": ApplicationStatus.REVIEWED.label, "at": a.reviewed_at})
    if a.interview_at:
        steps.append({"code": "interview", "label": ApplicationStatus.INTERVIEW.label, "at": None,
                      "interview_at": a.interview_at, "place": a.interview_place})
    if a.status == ApplicationStatus.ACCEPTED:
        steps.append({"code": "accepted", "label": ApplicationStatus.ACCEPTED.label, "at": a.decided_at,
                      "convention": a.convention})
    elif a.status == ApplicationStatus.REFUSED:
        steps.append({"code": "refused", "label": ApplicationStatus.REFUSED.label, "at": a.decided_at,
                      "reason": a.refusal_reason})
    return steps


def applicant_messages(application):
    return ApplicantMessage.objects.filter(application=application).select_related("document").order_by(
        "created_at", "pk")[:200]


def onboarding_items_all(network):
    """The network's checklist items, inactive ones included, in their order."""
    return OnboardingItem.objects.filter(network=network).order_by("position", "pk")


def ticks_of(application):
    return {t.item_id: t for t in OnboardingTick.objects.filter(application=application).select_related("done_by")}


# ---- employers and co-facilitators -------------------------------------------------------------------------


def employers_in(network):
    """Organisations of the network that employ psychologists, with their salaried psychologists (those with a
    convention with this network first, then the others they employ)."""
    return (Organisation.objects.filter(network=network, kind=OrganisationKind.EMPLOYER)
            .select_related("municipality")
            .prefetch_related(Prefetch(
                "employees", queryset=Psychologist.objects.annotate(
                    in_network=Count("conventions", filter=Q(conventions__network=network)))
                .order_by("last_name", "first_name"), to_attr="staff"))
            .order_by("name"))


def co_facilitators_in(network, *, kind=None, include_inactive=False):
    """The co-facilitators an agreement or a group session of the network can name (active ones by default)."""
    qs = CoFacilitator.objects.filter(network=network).select_related("organisation")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("last_name", "first_name", "pk")


# ---- priorities ------------------------------------------------------------------------------------------


def priorities_in(network, *, include_inactive=False):
    qs = Priority.objects.filter(network=network)
    return qs if include_inactive else qs.filter(is_active=True)


def priorities_of(target):
    """The priorities carried by one object."""
    return Priority.objects.filter(tags__content_type=ContentType.objects.get_for_model(target.__class__),
                                   tags__object_id=target.pk).order_by("name_fr")


def activity_per_priority(network, year):
    """Per priority of the network: the items tagged with it in the year (by kind of item, on the tag's date) and
    the clairvisions held in the year with their participants. Two grouped queries."""
    priorities = list(Priority.objects.filter(network=network).order_by("name_fr"))
    rows = {p.pk: {"priority": p, "items": {}, "total": 0, "clairvisions": 0, "participants": 0} for p in priorities}
    clairvision_type = ContentType.objects.get_for_model(Clairvision)
    tags = (PriorityTag.objects.filter(priority__network=network, tagged_at__year=year)
            .exclude(content_type=clairvision_type)
            .values("priority_id", "content_type_id").annotate(n=Count("pk")))
    types = ContentType.objects.in_bulk({t["content_type_id"] for t in tags} if tags else [])
    for t in tags:
        label = str(types[t["content_type_id"]].model_class()._meta.verbose_name_plural)
        row = rows[t["priority_id"]]
        row["items"][label] = row["items"].get(label, 0) + t["n"]
        row["total"] += t["n"]
    clair_ids = Clairvision.objects.filter(network=network, held_on__year=year).values("pk")
    for t in (PriorityTag.objects.filter(priority__network=network, content_type=clairvision_type,
                                         object_id__in=clair_ids)
              .values("priority_id").annotate(n=Count("pk"))):
        rows[t["priority_id"]]["clairvisions"] = t["n"]
        rows[t["priority_id"]]["total"] += t["n"]
    participants = dict(Clairvision.objects.filter(
        network=network, held_on__year=year,
        pk__in=PriorityTag.objects.filter(content_type=clairvision_type, priority__network=network)
        .values("object_id")).values_list("pk", "participants"))
    if participants:
        for t in PriorityTag.objects.filter(content_type=clairvision_type, object_id__in=list(participants)
                                            ).values_list("priority_id", "object_id"):
            rows[t[0]]["participants"] += participants[t[1]]
    return list(rows.values())


# ---- clairvisions -----------------------------------------------------------------------------------------


def clairvisions_visible(user, network):
    """Coordinators, committee and staff: all of the network; a psychologist: those they gave or recorded."""
    qs = Clairvision.objects.filter(network=network).select_related("place", "psychologist", "recorded_by")
    if core.role_in(user, network) == Role.PSYCHOLOGIST:
        qs = qs.filter(Q(psychologist__user=user) | Q(recorded_by=user))
    return qs.order_by("-held_on", "-pk")


def clairvisions_count(network, year):
    """For the year's figures: clairvisions held in the year, individual and collective, and participants."""
    rows = (Clairvision.objects.filter(network=network, held_on__year=year)
            .values("format").annotate(n=Count("pk"), people=Sum("participants")))
    result = {"total": 0, "individual": 0, "collective": 0, "participants": 0}
    for r in rows:
        key = "individual" if r["format"] == ClairvisionFormat.INDIVIDUAL else "collective"
        result[key] += r["n"]
        result["total"] += r["n"]
        result["participants"] += r["people"] or 0
    return result


# ---- outreaching eligibility ---------------------------------------------------------------------------


def place_type_rules():
    return PlaceTypeEligibility.objects.order_by("place_kind")


def ineligible_outreach_places(network):
    """Organisations of the network where a session cannot count as outreaching: their own override says so, or
    (without one) their type's rule does, or their type has no rule yet."""
    eligible_kinds = list(PlaceTypeEligibility.objects.filter(eligible=True).values_list("place_kind", flat=True))
    return (Organisation.objects.filter(network=network)
            .filter(Q(eligibility_override__eligible=False)
                    | (Q(eligibility_override__isnull=True) & ~Q(kind__in=eligible_kinds)))
            .select_related("municipality", "eligibility_override")
            .order_by("name"))


def overrides_in(network):
    return (Organisation.objects.filter(network=network, eligibility_override__isnull=False)
            .select_related("eligibility_override", "eligibility_override__set_by").order_by("name"))


# ---- budget rules --------------------------------------------------------------------------------------


def budget_rules_in_force(on=None):
    """{offer: the rule valid on the day} (the latest valid_from not after it, not ended)."""
    on = on or timezone.localdate()
    rules = {}
    for rule in OfferBudgetRule.objects.filter(valid_from__lte=on).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)).order_by("offer", "-valid_from"):
        rules.setdefault(rule.offer, rule)
    return rules


def offer_conditions(network):
    return {c.offer: c for c in NetworkOfferCondition.objects.filter(network=network).select_related("updated_by")}


def budget_overview(network, on=None):
    rules = budget_rules_in_force(on)
    conditions = offer_conditions(network)
    return [{"offer": value, "label": label, "rule": rules.get(value), "condition": conditions.get(value)}
            for value, label in OfferKind.choices]


# ---- supply against demand ---------------------------------------------------------------------------------

# The partner form's age groups (partnerships.choices.AgeGroup) that a convention age group covers: the
# children/adolescents band goes up to 23, the adults band starts at 15 (DESIGN.md "Billing").
COVERS = {
    "children": {"0_2", "3_11", "12_17", "18_23"},
    "adults": {"18_23", "24_64", "65_plus"},
}
ARTICLE8_OFFERS = {"art8_place", "art8_advice", "art8_coconsultation", "art8_knowledge"}
MODALITY_KEYS = ["outreaching", "group", "clairvision", "home", "video", "article8"]
LANGUAGE_KEYS = ["fr", "nl"]
MAX_ROWS = 50_000


def supply_demand(network, on=None):
    """Open collaboration requests (demand) against psychologists with a current convention (supply) per zone, by
    age group, language and modality. Four queries whatever the volume; rows aggregated here.

    Demand: a request in two zones counts in both. Supply: a psychologist counts in each zone of their convention,
    for each age group their convention covers, each language they speak, each modality of their profile
    (recorded at acceptance) and "article 8" when the convention has article 8 hours."""
    from partnerships.choices import OPEN_STATUSES
    from partnerships.choices import AgeGroup as RequestAgeGroup
    from partnerships.models import CollaborationRequest

    on = on or timezone.localdate()
    zones = list(Zone.objects.filter(network=network).order_by("name").values_list("pk", "name"))
    age_keys = [v for v in RequestAgeGroup.values if v != RequestAgeGroup.UNSURE]

    def blank():
        return {"requests": set(), "psychologists": set(),
                "age": {k: [0, 0] for k in age_keys}, "language": {k: [0, 0] for k in LANGUAGE_KEYS},
                "modality": {k: [0, 0] for k in MODALITY_KEYS}}

    cells = {pk: blank() for pk, _name in zones}
    cells[None] = blank()

    request_zones = CollaborationRequest.zones.through.objects.filter(
        collaborationrequest__network=network, collaborationrequest__status__in=OPEN_STATUSES,
        collaborationrequest__anonymised_at__isnull=True, zone__network=network)
    demand = list(request_zones.values_list("zone_id", "collaborationrequest_id", "collaborationrequest__age_groups",
                                            "collaborationrequest__language", "collaborationrequest__offers")
                  [:MAX_ROWS])
    demand += [(None, *row) for row in CollaborationRequest.objects.filter(
        network=network, status__in=OPEN_STATUSES, anonymised_at__isnull=True, zones__isnull=True)
        .values_list("pk", "age_groups", "language", "offers")[:MAX_ROWS]]
    for zone_id, request_id, age_groups, language, offers in demand:
        cell = cells.get(zone_id)
        if cell is None:
            continue
        cell["requests"].add(request_id)
        for a in age_groups or []:
            if a in cell["age"]:
                cell["age"][a][0] += 1
        if language in cell["language"]:
            cell["language"][language][0] += 1
        wanted = set(offers or [])
        for m in MODALITY_KEYS:
            if m in wanted or (m == "article8" and wanted & ARTICLE8_OFFERS):
                cell["modality"][m][0] += 1

    profiles = dict(ProviderProfile.objects.filter(network=network).values_list("psychologist_id", "modalities"))
    current = Q(convention__network=network, convention__start_on__lte=on) & (
        Q(convention__end_on__isnull=True) | Q(convention__end_on__gte=on))
    supply = Convention.zones.through.objects.filter(current, zone__network=network).values_list(
        "zone_id", "convention__psychologist_id", "convention__age_groups", "convention__psychologist__languages",
        "convention__article8_hours_per_year")[:MAX_ROWS]
    seen = set()
    for zone_id, psychologist_id, age_groups, languages, art8_hours in supply:
        if (zone_id, psychologist_id) in seen or zone_id not in cells:
            continue
        seen.add((zone_id, psychologist_id))
        cell = cells[zone_id]
        cell["psychologists"].add(psychologist_id)
        covered = set().union(*[COVERS.get(a, set()) for a in age_groups or []])
        for a in covered & set(cell["age"]):
            cell["age"][a][1] += 1
        for lang in set(languages or []) & set(LANGUAGE_KEYS):
            cell["language"][lang][1] += 1
        offered = set(profiles.get(psychologist_id, []))
        for m in MODALITY_KEYS:
            if m in offered or (m == "article8" and art8_hours and art8_hours > 0):
                cell["modality"][m][1] += 1

    def row(name, cell):
        return {"zone": name, "requests": len(cell["requests"]), "psychologists": len(cell["psychologists"]),
                "age": [_pair(k, *cell["age"][k]) for k in age_keys],
                "language": [_pair(k, *cell["language"][k]) for k in LANGUAGE_KEYS],
                "modality": [_pair(k, *cell["modality"][k]) for k in MODALITY_KEYS]}

    rows = [row(name, cells[pk]) for pk, name in zones]
    if cells[None]["requests"]:
        rows.append(row(None, cells[None]))
    labels = {"age": [RequestAgeGroup(k).label for k in age_keys],
              "language": [_language_label(k) for k in LANGUAGE_KEYS],
              "modality": [_modality_label(k) for k in MODALITY_KEYS]}
    return {"rows": rows, "labels": labels, "on": on,
            "profiles_recorded": len(profiles)}


def supply_demand_fingerprint(network):
    """Changes whenever the figures may change: the network's requests (count, last update), conventions (count,
    last id) and provider profiles (count, last update). Three indexed aggregates, a few ms at national scale."""
    from django.db.models import Max

    from partnerships.models import CollaborationRequest

    r = CollaborationRequest.objects.filter(network=network).aggregate(n=Count("pk"), at=Max("updated_at"))
    c = Convention.objects.filter(network=network).aggregate(n=Count("pk"), last=Max("pk"))
    p = ProviderProfile.objects.filter(network=network).aggregate(n=Count("pk"), at=Max("updated_at"))
    zones = Zone.objects.filter(network=network).aggregate(n=Count("pk"), last=Max("pk"))
    return (f"{r['n']}.{r['at'] and r['at'].timestamp()}.{c['n']}.{c['last']}.{p['n']}."
            f"{p['at'] and p['at'].timestamp()}.{zones['n']}.{zones['last']}.{timezone.localdate()}")


def _pair(key, demand, supply):
    """One cell: the shortage is flagged when requests wait and nobody offers it, or there are more than two
    requests per psychologist."""
    return {"key": key, "demand": demand, "supply": supply,
            "shortage": demand > 0 and (supply == 0 or demand > 2 * supply)}


def _language_label(key):
    from psynet.models import Language

    return Language(key).label


def _modality_label(key):
    from django.utils.translation import gettext

    from .models import Modality

    if key == "article8":
        return gettext("article 8 support")
    return Modality(key).label


def applications_recent_open(user, network, limit=5):
    return (applications_visible(user, network).filter(status__in=[
        ApplicationStatus.RECEIVED, ApplicationStatus.REVIEWED, ApplicationStatus.INTERVIEW])
        .order_by("received_at")[:limit])


def this_year():
    return timezone.localdate().year


def year_bounds(year):
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
