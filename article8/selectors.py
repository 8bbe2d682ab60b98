"""Every read of the article 8 pages, scoped to the active network, in a bounded number of queries."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone

from psynet import permissions
from psynet.models import Convention, Network, OrganisationKind, Psychologist, Role, Zone

from .models import (
    NATIONAL_USE_2024_PERCENT, PLACE_KIND_ORDER, Activity, Budget, ContactHour, Mission, MissionStatus, MissionType,
    Offer, PlacePlan, PlanAction, PlanObjective, StartupAllocation, is_priority,
)
from .services import reserved_expression

ZERO = Decimal("0")
DEC = DecimalField(max_digits=12, decimal_places=2)


# ---- missions ----------------------------------------------------------------------------------


def missions_in(network):
    return Mission.objects.filter(network=network).select_related("zone", "psychologist", "organisation")


def missions_for(user, network):
    """What the user may list: psychologists their own missions (assigned or proposed), local coordinators
    their zones' missions and those without a zone, the others all of the network."""
    qs = missions_in(network)
    role = permissions.role_in(user, network)
    if role == Role.PSYCHOLOGIST:
        return qs.filter(psychologist__user=user)
    if role == Role.LOCAL_COORDINATOR:
        zones = [z.pk for z in permissions.membership_for(user, network.pk).zones.all()]
        return qs.filter(Q(zone__in=zones) | Q(zone__isnull=True))
    return qs


def mission_activities(mission):
    return mission.activities.select_related("logged_by").order_by("-date", "-pk")


def psychologists_for_year(network, year):
    """Psychologists with a convention in force in the year, with their article 8 hours."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (Psychologist.objects.filter(conventions__network=network, conventions__start_on__lte=end)
            .filter(Q(conventions__end_on__isnull=True) | Q(conventions__end_on__gte=start))
            .distinct().order_by("last_name", "first_name"))


def psychologist_of(user):
    return Psychologist.objects.filter(user=user).first()


def hours_summary(psychologist, network, year):
    from .services import contract_hours, hours_reserved

    capacity = contract_hours(psychologist, network, year)
    reserved = hours_reserved(psychologist, network, year)
    delivered = Mission.objects.filter(psychologist=psychologist, network=network, year=year).aggregate(
        d=Coalesce(Sum("hours_delivered"), Value(ZERO), output_field=DEC))["d"]
    return {"capacity": capacity, "reserved": reserved, "delivered": delivered,
            "available": capacity - reserved,
            "percent": round(reserved * 100 / capacity) if capacity else 0}


# ---- dashboard ---------------------------------------------------------------------------------


def budget_in_force(network, year, on=None):
    """The budget row in force on ``on`` (default: today, or the year's last day for a past year)."""
    on = on or min(timezone.localdate(), dt.date(year, 12, 31))
    rows = list(Budget.objects.filter(network=network, year=year).order_by("effective_from", "pk"))
    current = [b for b in rows if b.effective_from <= on]
    return current[-1] if current else (rows[0] if rows else None)


def capacity_hours(network, year):
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return Convention.objects.filter(network=network, start_on__lte=end).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=start)).aggregate(
        h=Coalesce(Sum("article8_hours_per_year"), Value(ZERO), output_field=DEC))["h"]


def _row(key, label, reserved, delivered, hourly, **extra):
    return {"key": key, "label": label, "reserved": reserved, "delivered": delivered,
            "reserved_eur": reserved * hourly, "delivered_eur": delivered * hourly, **extra}


FIGURES_CACHE_SECONDS = 300


def dashboard_figures_cached(network, year):
    """The dashboard's figures, cached per network and year. Services start a new generation on every write
    that changes them; contract hours are edited in the core, so the cache also expires after five minutes."""
    from django.core.cache import cache

    from .services import figures_generation_key

    generation = cache.get(figures_generation_key(network.pk), 0)
    key = f"article8:figures:{network.pk}:{year}:{generation}"
    figures = cache.get(key)
    if figures is None:
        figures = dashboard_figures(network, year)
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def dashboard_figures(network, year):
    """The dashboard: the hours and euros (``hours_figures``), the hours per network priority and the
    information moments."""
    figures = hours_figures(network, year)
    figures["by_priority"] = hours_by_priority(network, year, figures["hourly_amount"])
    figures["information_moments"] = information_moments(network, year)
    return figures


def hours_figures(network, year):
    """Hours and euros reserved, delivered and available, by place type, zone, mission type and month: the same
    figures as ``dashboard_figures_sql``.

    Three queries whatever the data size: one UNION ALL of the missions grouped at the finest grain, the
    activities grouped likewise and the contract hours; then the budget rows and the zone names. The roll-ups
    are done here."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    grain = ("k", "z", "t", "mo")
    reserved_rows = (Mission.objects.filter(network=network, year=year)
                     .annotate(k=F("place_kind"), z=Coalesce("zone_id", Value(0)), t=F("mission_type"),
                               mo=Coalesce(ExtractMonth("start_on"), Value(0)))
                     .values(*grain).annotate(r=Sum(reserved_expression(), output_field=DEC),
                                              d=Value(ZERO, output_field=DEC), n=Count("pk"), p=Value(0))
                     .order_by())
    delivered_rows = (Activity.objects.filter(network=network, date__gte=start, date__lte=end)
                      .annotate(k=F("place_kind"), z=Coalesce("mission__zone_id", Value(0)), t=F("mission_type"),
                                mo=ExtractMonth("date"))
                      .values(*grain).annotate(r=Value(ZERO, output_field=DEC), d=Sum("hours", output_field=DEC),
                                               n=Count("pk"), p=Sum("participants"))
                      .order_by())
    capacity_row = (Convention.objects.filter(network=network, start_on__lte=end)
                    .filter(Q(end_on__isnull=True) | Q(end_on__gte=start))
                    .annotate(k=Value("~capacity"), z=Value(0), t=Value(""), mo=Value(0))
                    .values(*grain).annotate(r=Sum("article8_hours_per_year", output_field=DEC),
                                             d=Value(ZERO, output_field=DEC), n=Count("pk"), p=Value(0))
                    .order_by())
    # tuples (k, z, t, mo, r, d, n, p): hundreds of rows, no dict per row
    rows = list(reserved_rows.union(delivered_rows, capacity_row, all=True).values_list(*grain, "r", "d", "n", "p"))
    capacity = sum((Decimal(r[4] or 0) for r in rows if r[0] == "~capacity"), ZERO)
    data = [r for r in rows if r[0] != "~capacity"]
    figures = _assemble(network, year, [r[:6] for r in data], capacity)
    figures["activities"] = sum(r[6] for r in data if r[5])
    figures["participants"] = sum(r[7] or 0 for r in data if r[5])
    return figures


class LocalisedName:
    """A name in French and Dutch, shown in the active language (the figures are cached for every language)."""

    def __init__(self, fr, nl):
        self.fr, self.nl = fr, nl

    def __str__(self):
        from django.utils.translation import get_language

        return self.nl if (get_language() or "fr")[:2] == "nl" and self.nl else self.fr


def hours_by_priority(network, year, hourly=ZERO):
    """Hours reserved and delivered by the year's missions per network priority (care_offer tags, issue 10). A
    mission with two priorities counts in both; missions without one are not shown. Three queries."""
    from django.contrib.contenttypes.models import ContentType

    from care_offer.models import PriorityTag
    from care_offer.selectors import priorities_in

    priorities = list(priorities_in(network, include_inactive=True).order_by("name_fr", "pk"))
    if not priorities:
        return []
    missions = Mission.objects.filter(network=network, year=year)
    tags = list(PriorityTag.objects.filter(content_type=ContentType.objects.get_for_model(Mission),
                                           priority__network=network, object_id__in=missions.values("pk"))
                .values_list("priority_id", "object_id"))
    hours = {}
    if tags:
        hours = {pk: (Decimal(r or 0), Decimal(d or 0)) for pk, r, d in missions.filter(
            pk__in={object_id for _p, object_id in tags}).annotate(r=reserved_expression())
            .values_list("pk", "r", "hours_delivered")}
    per = {p.pk: [0, ZERO, ZERO] for p in priorities}
    for priority_id, mission_id in tags:
        reserved, delivered = hours.get(mission_id, (ZERO, ZERO))
        row = per[priority_id]
        row[0] += 1
        row[1] += reserved
        row[2] += delivered
    return [_row(p.code, LocalisedName(p.name_fr, p.name_nl), per[p.pk][1], per[p.pk][2], hourly,
                 missions=per[p.pk][0],
                 is_active=p.is_active) for p in priorities if per[p.pk][0] or p.is_active]


def information_moments(network, year):
    """The information moments of the year recorded in the figures app (seed 001), by audience: count and
    participants. One query."""
    from figures.models import AudienceType
    from figures.selectors import information_moments_summary

    summary = information_moments_summary(network, year)
    labels = dict(AudienceType.choices)
    return {"count": summary["count"], "participants": summary["participants"],
            "by_audience": [{"key": k, "label": labels.get(k, k), "count": v["count"],
                             "participants": v["participants"]}
                            for k, v in sorted(summary["by_audience"].items(), key=lambda kv: -kv[1]["count"])]}


# ---- article 8 hours planned by place (issue 10) ------------------------------------------------


def place_plans_in(network, year=None):
    qs = PlacePlan.objects.filter(network=network).select_related("psychologist", "organisation", "updated_by")
    return qs.filter(year=year) if year is not None else qs


def place_plan_by_psychologist(network, year):
    """[{psychologist, capacity, planned, rows}] for the year's plan: two queries whatever its size."""
    plans = list(place_plans_in(network, year))
    ids = {p.psychologist_id for p in plans}
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    capacity = {}
    for c in (Convention.objects.filter(network=network, psychologist_id__in=ids, start_on__lte=end)
              .filter(Q(end_on__isnull=True) | Q(end_on__gte=start)).order_by("start_on")
              .values("psychologist_id", "article8_hours_per_year")):
        capacity[c["psychologist_id"]] = c["article8_hours_per_year"]  # the latest one (services.convention_for)
    out = {}
    for plan in plans:
        entry = out.setdefault(plan.psychologist_id, {"psychologist": plan.psychologist, "rows": [],
                                                      "planned": ZERO,
                                                      "capacity": capacity.get(plan.psychologist_id) or ZERO})
        entry["rows"].append(plan)
        entry["planned"] += plan.hours
    for entry in out.values():
        entry["left"] = entry["capacity"] - entry["planned"]
    return list(out.values())


def place_plan_for(psychologist, network, year):
    """The psychologist's plan by place for the year beside the hours their missions reserve at each place: the
    places planned and the places with missions. Two queries."""
    planned = {p.organisation_id: p for p in PlacePlan.objects.filter(
        network=network, psychologist=psychologist, year=year).select_related("organisation")}
    reserved = {r["organisation_id"]: r for r in Mission.objects.filter(
        network=network, psychologist=psychologist, year=year).values("organisation_id").annotate(
        r=Sum(reserved_expression(), output_field=DEC), place_name=Max("place_name")).order_by()}
    rows = []
    for org_id in sorted(set(planned) | set(reserved), key=lambda k: (k is None, str(
            planned[k].organisation.name if k in planned else (reserved[k]["place_name"] or "")))):
        plan = planned.get(org_id)
        res = reserved.get(org_id)
        rows.append({"organisation_id": org_id,
                     "place": plan.organisation.name if plan else (res["place_name"] if res else ""),
                     "planned": plan.hours if plan else None, "reserved": Decimal(res["r"] or 0) if res else ZERO,
                     "over": bool(plan and res and Decimal(res["r"] or 0) > plan.hours)})
    return rows


def _assemble(network, year, grains, capacity):
    budget = budget_in_force(network, year)
    hourly = budget.hourly_amount if budget else ZERO
    zones = {z.pk: z.name for z in Zone.objects.filter(network=network)}
    by = {d: defaultdict(lambda: [ZERO, ZERO]) for d in ("place_kind", "zone", "mission_type", "month")}
    reserved_total = delivered_total = ZERO
    for place_kind, zone_id, mission_type, month, reserved, delivered in grains:
        reserved, delivered = Decimal(reserved or 0), Decimal(delivered or 0)
        reserved_total += reserved
        delivered_total += delivered
        for dim, key in (("place_kind", place_kind), ("zone", zone_id or 0), ("mission_type", mission_type),
                         ("month", month or 0)):
            by[dim][key][0] += reserved
            by[dim][key][1] += delivered
    kind_labels = dict(OrganisationKind.choices)
    type_labels = dict(MissionType.choices)
    place_keys = [k for k in PLACE_KIND_ORDER if k in by["place_kind"]] + sorted(
        k for k in by["place_kind"] if k not in PLACE_KIND_ORDER)
    from django.utils.dates import MONTHS_3

    budget_amount = budget.amount if budget else ZERO
    reserved_eur, delivered_eur = reserved_total * hourly, delivered_total * hourly
    return {
        "year": year, "network": network, "budget": budget, "hourly_amount": hourly, "budget_amount": budget_amount,
        "capacity_hours": Decimal(capacity or 0), "reserved_hours": reserved_total,
        "delivered_hours": delivered_total, "available_hours": Decimal(capacity or 0) - reserved_total,
        "reserved_eur": reserved_eur, "delivered_eur": delivered_eur, "available_eur": budget_amount - reserved_eur,
        "use_percent": (delivered_eur * 100 / budget_amount) if budget_amount else None,
        "reserved_percent": (reserved_eur * 100 / budget_amount) if budget_amount else None,
        "national_percent": NATIONAL_USE_2024_PERCENT,
        "by_place_kind": [_row(k, kind_labels.get(k, k), *by["place_kind"][k], hourly, is_priority=is_priority(k))
                          for k in place_keys],
        "by_zone": [_row(k, zones.get(k, "–") if k else None, *v, hourly)
                    for k, v in sorted(by["zone"].items(), key=lambda kv: (kv[0] == 0, zones.get(kv[0], "")))],
        "by_mission_type": [_row(k, type_labels[k], *by["mission_type"][k], hourly)
                            for k in MissionType.values if k in by["mission_type"]],
        "by_month": [_row(m, MONTHS_3[m], *by["month"].get(m, (ZERO, ZERO)), hourly) for m in range(1, 13)],
    }


def dashboard_figures_sql(network, year):
    """The same figures from one hand-written SQL query (benchmark baseline and cross-check)."""
    month = {"sqlite": "CAST(strftime('%%m', {col}) AS INTEGER)",
             "postgresql": "CAST(EXTRACT(MONTH FROM {col}) AS INTEGER)"}[connection.vendor]
    reserved = ("CASE WHEN m.status IN (%s, %s, %s) THEN (CASE WHEN m.hours_approved > m.hours_delivered "
                "THEN m.hours_approved ELSE m.hours_delivered END) WHEN m.status = %s THEN m.hours_delivered "
                "ELSE 0 END")
    sql = f"""
        SELECT 'g' AS kind, m.place_kind, COALESCE(m.zone_id, 0), m.mission_type,
               {month.format(col='m.start_on')} AS month, SUM({reserved}) AS reserved, 0 AS delivered
          FROM article8_mission m
         WHERE m.network_id = %s AND m.year = %s
         GROUP BY m.place_kind, COALESCE(m.zone_id, 0), m.mission_type, {month.format(col='m.start_on')}
        UNION ALL
        SELECT 'g', a.place_kind, COALESCE(m.zone_id, 0), a.mission_type, {month.format(col='a.date')},
               0, SUM(a.hours)
          FROM article8_activity a JOIN article8_mission m ON m.id = a.mission_id
         WHERE a.network_id = %s AND a.date >= %s AND a.date <= %s
         GROUP BY a.place_kind, COALESCE(m.zone_id, 0), a.mission_type, {month.format(col='a.date')}
        UNION ALL
        SELECT 'c', '', 0, '', 0, COALESCE(SUM(c.article8_hours_per_year), 0), 0
          FROM psynet_convention c
         WHERE c.network_id = %s AND c.start_on <= %s AND (c.end_on IS NULL OR c.end_on >= %s)
    """
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    params = [MissionStatus.APPROVED, MissionStatus.PLANNED, MissionStatus.DELIVERED, MissionStatus.CLOSED,
              network.pk, year, network.pk, start, end, network.pk, end, start]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    capacity = sum((Decimal(str(r[5])) for r in rows if r[0] == "c"), ZERO)
    grains = [(r[1], r[2], r[3], r[4], Decimal(str(r[5] or 0)), Decimal(str(r[6] or 0))) for r in rows if r[0] == "g"]
    return _assemble(network, year, grains, capacity)


def year_use(year):
    """Per network, the share of the year's article 8 base used: delivered euros against the budget, or
    delivered hours against the contract hours when no budget is recorded. Four queries for all networks."""
    from .models import Article8Settings

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    delivered = dict(Activity.objects.filter(date__gte=start, date__lte=end).values("network_id")
                     .annotate(h=Sum("hours")).values_list("network_id", "h"))
    capacity = dict(Convention.objects.filter(start_on__lte=end).filter(Q(end_on__isnull=True) | Q(end_on__gte=start))
                    .values("network_id").annotate(h=Sum("article8_hours_per_year")).values_list("network_id", "h"))
    budgets = {}
    today = min(timezone.localdate(), end)
    for b in Budget.objects.filter(year=year).order_by("effective_from", "pk"):
        if b.effective_from <= today or b.network_id not in budgets:
            budgets[b.network_id] = b
    margins = dict(Article8Settings.objects.values_list("network_id", "behind_pace_margin"))
    ids = set(capacity) | set(budgets)
    result = []
    for network in Network.objects.filter(pk__in=ids).order_by("code"):
        hours = Decimal(delivered.get(network.pk) or 0)
        budget = budgets.get(network.pk)
        if budget and budget.amount > 0:
            use = {"base": budget.amount, "percent": hours * budget.hourly_amount * 100 / budget.amount,
                   "measure": "budget"}
        else:
            base = Decimal(capacity.get(network.pk) or 0)
            use = {"base": base, "percent": hours * 100 / base if base else ZERO, "measure": "hours"}
        result.append((network, margins.get(network.pk, 10), use))
    return result


# ---- public page, contact hours, plan, allocations, budget --------------------------------------


def contact_hours_in(network):
    return ContactHour.objects.filter(network=network).select_related("psychologist", "organisation", "zone")


def offers_in(network):
    return Offer.objects.filter(network=network)


def public_offer(network):
    """Offers by place type (priority places first), published contact hours, and this year's delivery."""
    offers = list(offers_in(network).filter(is_published=True))
    kind_labels = dict(OrganisationKind.choices)
    by_kind = []
    for kind in PLACE_KIND_ORDER:
        kind_offers = [o for o in offers if not o.place_kinds or kind in o.place_kinds]
        if kind_offers:
            by_kind.append({"kind": kind, "label": kind_labels[kind], "is_priority": is_priority(kind),
                            "offers": kind_offers})
    year = timezone.localdate().year
    delivered = Mission.objects.filter(network=network, year=year, hours_delivered__gt=0).aggregate(
        hours=Coalesce(Sum("hours_delivered"), Value(ZERO), output_field=DEC), missions=Count("pk"))
    return {
        "by_kind": by_kind,
        "contact_hours": list(contact_hours_in(network).filter(is_active=True)),
        "year": year, "delivered_hours": delivered["hours"], "delivered_missions": delivered["missions"],
    }


def plan_in(network, year):
    return PlanObjective.objects.filter(network=network, year=year).prefetch_related("actions")


def plan_actions_in(network):
    return PlanAction.objects.filter(network=network).select_related("objective")


def allocations_in(network):
    return StartupAllocation.objects.filter(network=network).select_related("organisation", "zone")


def budgets_in(network):
    return Budget.objects.filter(network=network).select_related("created_by")
