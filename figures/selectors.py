"""The one place that computes a network's year in figures (issue 9), from what the portal already holds:
collaboration requests and tripartite agreements (partnerships), article 8 missions, hours, contact hours
(article8, through its dashboard selector), sessions and beneficiaries (billing), information moments and
operating costs (this app).

``network_year_figures`` returns a plain dict of numbers and codes (no model instance, no translated label):
it is stored as JSON in a snapshot and rendered later in French or Dutch. Amounts and hours are floats rounded
to two decimals so a JSON round trip gives back the same dict. About twenty aggregate queries whatever the
size of the data."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from psynet.models import Municipality, Network, OrganisationKind, Zone

from .models import FiguresSnapshot, InformationMoment, OperatingCost

# The circular's priority places of contact, grouped as the INAMI template asks (GPs, schools/CPMS, youth aid).
PRIORITY_GROUPS = {
    OrganisationKind.GP_PRACTICE: "gp",
    OrganisationKind.SCHOOL: "school_cpms",
    OrganisationKind.CPMS: "school_cpms",
    OrganisationKind.YOUTH_AID: "youth_aid",
    OrganisationKind.OVERKOPHUIS: "youth_aid",
}
PRIORITY_GROUP_ORDER = ["gp", "school_cpms", "youth_aid", "other"]
# Agreements in force at some point of the year: signed, running, or ended since.
AGREEMENT_IN_FORCE = ["signed", "active", "ended", "terminated"]
# Missions the network approved (refused and pending requests are not counted as missions).
MISSION_COUNTED = ["approved", "planned", "delivered", "closed"]


def _num(value):
    """A JSON-stable number: int when whole, else a float with two decimals."""
    if value is None:
        return 0
    value = Decimal(str(value)).quantize(Decimal("0.01"))
    return int(value) if value == value.to_integral_value() else float(value)


def _share(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def year_bounds(year):
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    tz = timezone.get_current_timezone()
    start_at = timezone.make_aware(dt.datetime(year, 1, 1), tz)
    end_at = timezone.make_aware(dt.datetime(year + 1, 1, 1), tz)
    return start, end, start_at, end_at


def priority_group(kind):
    return PRIORITY_GROUPS.get(kind, "other")


# ---- collaboration requests and agreements ----------------------------------------------------------------


def _requests(network, year, today):
    from partnerships.choices import Status
    from partnerships.models import CollaborationRequest

    _s, _e, start_at, end_at = year_bounds(year)
    qs = CollaborationRequest.objects.filter(network=network, received_at__gte=start_at, received_at__lt=end_at)
    contacted = Q(contacted_at__isnull=False)
    rows = list(qs.values("place_type", "status", "outcome").annotate(
        n=Count("pk"),
        contacted=Count("pk", filter=contacted),
        within=Count("pk", filter=contacted & Q(contacted_at__date__lte=F("due_on"))),
        overdue=Count("pk", filter=Q(contacted_at__isnull=True, due_on__lt=today) & ~Q(status=Status.CLOSED)),
    ).order_by())
    through = CollaborationRequest.zones.through
    by_zone = {r["zone__name"]: r["n"] for r in through.objects.filter(
        collaborationrequest__in=qs).values("zone__name").annotate(n=Count("pk")).order_by()}
    by_place, by_outcome, by_status = defaultdict(int), defaultdict(int), defaultdict(int)
    within_by_place = defaultdict(int)
    total = contacted_n = within = overdue = 0
    for r in rows:
        total += r["n"]
        contacted_n += r["contacted"]
        within += r["within"]
        overdue += r["overdue"]
        by_place[r["place_type"]] += r["n"]
        within_by_place[r["place_type"]] += r["within"]
        by_status[r["status"]] += r["n"]
        by_outcome[r["outcome"] or "ongoing"] += r["n"]
    measured = contacted_n + overdue
    return {
        "total": total, "contacted": contacted_n, "contacted_within_10_days": within, "overdue": overdue,
        "contacted_within_share": _share(within, measured),
        "by_place_type": dict(sorted(by_place.items(), key=lambda kv: -kv[1])),
        "within_by_place_type": dict(within_by_place),
        "by_zone": dict(sorted(by_zone.items())),
        "by_outcome": dict(by_outcome), "by_status": dict(by_status),
    }


def _agreements(network, year):
    from partnerships.models import Agreement

    start, end, start_at, _e = year_bounds(year)
    rows = (Agreement.objects.filter(network=network, status__in=AGREEMENT_IN_FORCE, starts_on__lte=end,
                                     ends_on__gte=start)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start_at))
            .annotate(pt=Coalesce("request__place_type", "organisation__kind", Value("other")))
            .values("pt", "modalities").annotate(n=Count("pk"), hours=Sum("total_hours")).order_by())
    by_place, by_modality = defaultdict(int), defaultdict(int)
    total, hours = 0, Decimal(0)
    for r in rows:
        total += r["n"]
        hours += r["hours"] or 0
        by_place[r["pt"]] += r["n"]
        for modality in r["modalities"] or []:
            by_modality[modality] += r["n"]
    return {"active": total, "hours": _num(hours),
            "by_place_type": dict(sorted(by_place.items(), key=lambda kv: -kv[1])),
            "by_modality": dict(sorted(by_modality.items(), key=lambda kv: -kv[1]))}


# ---- article 8 --------------------------------------------------------------------------------------------


def _article8(network, year):
    from article8.models import ContactHour, Mission
    from article8.selectors import dashboard_figures

    dashboard = dashboard_figures(network, year)  # hours and euros by place type and mission type
    missions = list(Mission.objects.filter(network=network, year=year, status__in=MISSION_COUNTED)
                    .values("mission_type", "place_kind").annotate(n=Count("pk")).order_by())
    by_type = {r["key"]: {"missions": 0, "hours_reserved": _num(r["reserved"]), "hours_delivered": _num(r["delivered"])}
               for r in dashboard["by_mission_type"]}
    by_priority = {g: {"missions": 0, "hours_reserved": 0, "hours_delivered": 0} for g in PRIORITY_GROUP_ORDER}
    for r in dashboard["by_place_kind"]:
        group = by_priority[priority_group(r["key"])]
        group["hours_reserved"] = _num(Decimal(str(group["hours_reserved"])) + r["reserved"])
        group["hours_delivered"] = _num(Decimal(str(group["hours_delivered"])) + r["delivered"])
    for r in missions:
        by_type.setdefault(r["mission_type"], {"missions": 0, "hours_reserved": 0, "hours_delivered": 0})
        by_type[r["mission_type"]]["missions"] += r["n"]
        by_priority[priority_group(r["place_kind"])]["missions"] += r["n"]
    slots = list(ContactHour.objects.filter(network=network, is_active=True).values_list("starts_at", "ends_at"))
    weekly = sum(((dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)).seconds / 3600
                  for a, b in slots), 0.0)
    by_network_priority = {r["key"]: {"missions": r["missions"], "hours_reserved": _num(r["reserved"]),
                                      "hours_delivered": _num(r["delivered"])}
                           for r in dashboard.get("by_priority", [])}
    return {
        "by_network_priority": by_network_priority,
        "missions": sum(r["n"] for r in missions),
        "hours_capacity": _num(dashboard["capacity_hours"]),
        "hours_reserved": _num(dashboard["reserved_hours"]), "hours_delivered": _num(dashboard["delivered_hours"]),
        "activities": dashboard.get("activities", 0), "participants": dashboard.get("participants", 0),
        "budget_eur": _num(dashboard["budget_amount"]), "delivered_eur": _num(dashboard["delivered_eur"]),
        "use_percent": None if dashboard.get("use_percent") is None else round(float(dashboard["use_percent"]), 1),
        "by_mission_type": by_type, "by_priority_place": by_priority,
        "contact_hours": {"slots": len(slots), "hours_per_week": round(weekly, 2)},
    }


def _information_moments(network, year):
    start, end, _a, _b = year_bounds(year)
    rows = (InformationMoment.objects.filter(network=network, date__gte=start, date__lte=end)
            .values("audience_type").annotate(n=Count("pk"), p=Sum("participants"), c=Sum("cost")).order_by())
    by_audience = {r["audience_type"]: {"count": r["n"], "participants": r["p"] or 0, "cost": _num(r["c"])}
                   for r in rows}
    return {"count": sum(r["n"] for r in rows), "participants": sum(r["p"] or 0 for r in rows),
            "cost": _num(sum((r["c"] or 0 for r in rows), Decimal(0))), "by_audience": by_audience}


def information_moments_summary(network, year):
    """The information moments held in the year: count, participants and cost, by audience (for other apps'
    dashboards, e.g. article 8). One query."""
    return _information_moments(network, year)


# ---- sessions, beneficiaries, care budget -------------------------------------------------------------------


def _sessions(network, year):
    from billing.models import CareSession, GroupSession

    start, end, _a, _b = year_bounds(year)
    sessions = CareSession.objects.filter(network=network, date__gte=start, date__lte=end)
    groups = GroupSession.objects.filter(network=network, date__gte=start, date__lte=end)
    care_rows = list(sessions.annotate(in_group=Case(When(group__isnull=True, then=Value(0)), default=Value(1),
                                                     output_field=IntegerField()))
                     .values("function", "setting", "in_group")
                     .annotate(n=Count("pk"), fees=Sum("fee_eur"), lumps=Sum("lump_sum_eur")).order_by())
    group_rows = list(groups.values("function", "setting").annotate(
        n=Count("pk"), fees=Sum("fee_eur"), heads=Sum("head_count")).order_by())
    by_function, by_setting = defaultdict(int), defaultdict(int)
    individual = participants = 0
    fees = lumps = group_fees = Decimal(0)
    for r in care_rows:
        fees += r["fees"] or 0
        lumps += r["lumps"] or 0
        if r["in_group"]:
            participants += r["n"]
            continue
        individual += r["n"]
        by_function[r["function"]] += r["n"]
        by_setting[r["setting"]] += r["n"]
    group_count = heads = 0
    for r in group_rows:
        group_count += r["n"]
        heads += r["heads"] or 0
        group_fees += r["fees"] or 0
        by_function[r["function"]] += r["n"]
        by_setting[r["setting"]] += r["n"]
    total = individual + group_count
    return {
        "total": total, "individual": individual, "group": group_count,
        "group_participants": participants, "community_head_count": heads,
        "by_function": dict(sorted(by_function.items())),
        "by_format": {"individual": individual, "group": group_count},
        "by_setting": dict(sorted(by_setting.items())),
        "outreach_share": _share(by_setting.get("outreach", 0), total),
        # Clairvisions are not billed sessions: care_offer records them (issue 10).
        "clairvisions": _clairvisions(network, year),
    }, {"fees": fees, "lump_sums": lumps, "group_fees": group_fees}


def _clairvisions(network, year):
    from care_offer.selectors import clairvisions_count

    return {k: int(v) for k, v in clairvisions_count(network, year).items()}


def _priorities(network, year, article8):
    """Activity per network priority (care_offer, issue 10): the items tagged with it in the year by kind, the
    clairvisions and their participants, and the article 8 missions' hours. Stored by code with both names; the
    kinds of items are English message ids, translated when a table is rendered."""
    from django.utils import translation

    from care_offer.selectors import activity_per_priority

    with translation.override("en"):
        rows = activity_per_priority(network, year)
    hours = article8.get("by_network_priority", {})
    return [{"code": r["priority"].code, "name_fr": r["priority"].name_fr, "name_nl": r["priority"].name_nl,
             "items": {str(k): int(v) for k, v in sorted(r["items"].items())}, "total": int(r["total"]),
             "clairvisions": int(r["clairvisions"]), "participants": int(r["participants"]),
             "article8": hours.get(r["priority"].code, {"missions": 0, "hours_reserved": 0, "hours_delivered": 0})}
            for r in rows]


def _detainees(network, year):
    """Care given in prisons (places of kind "prison"): sessions, psychologists engaged, group sessions."""
    from billing.models import CareSession, GroupSession

    start, end, _a, _b = year_bounds(year)
    row = CareSession.objects.filter(network=network, date__gte=start, date__lte=end,
                                     place__kind=OrganisationKind.PRISON).aggregate(
        sessions=Count("pk"), psychologists=Count("psychologist_id", distinct=True),
        patients=Count("patient_id", distinct=True))
    groups = GroupSession.objects.filter(network=network, date__gte=start, date__lte=end,
                                         place__kind=OrganisationKind.PRISON).count()
    return {**row, "group_sessions": groups}


def _eating_disorders(network, year):
    """The eating-disorder care path (chapter 3, "if relevant"): sessions marked as within it, the psychologists
    engaged in it (who gave them, or co-facilitated one of its groups), its patients, and the group sessions these
    patients had (report questions d and e). Two queries."""
    from billing.models import CareSession, GroupSession

    start, end, _a, _b = year_bounds(year)
    sessions = CareSession.objects.filter(network=network, date__gte=start, date__lte=end, eating_disorder_path=True)
    row = sessions.aggregate(
        sessions=Count("pk"), individual_sessions=Count("pk", filter=Q(group__isnull=True)),
        patients=Count("patient_id", distinct=True), group_sessions=Count("group_id", distinct=True))
    co = GroupSession.objects.filter(network=network, date__gte=start, date__lte=end, eating_disorder_path=True,
                                     co_psychologist__isnull=False).values_list("co_psychologist_id").order_by()
    row["psychologists"] = len(list(sessions.values_list("psychologist_id").order_by().union(co)))
    return row


def _beneficiaries(network, year):
    from billing.models import CareSession

    start, end, _a, _b = year_bounds(year)
    sessions = CareSession.objects.filter(network=network, date__gte=start, date__lte=end)
    zones = {z["pk"]: z for z in Zone.objects.filter(network=network).values("pk", "name").annotate(
        population=Coalesce(Sum("municipalities__population"), 0))}
    by_zone_band = list(sessions.values("zone_id", "band").annotate(n=Count("patient_id", distinct=True))
                        .order_by())
    by_band = {r["band"]: r["n"] for r in sessions.values("band").annotate(
        n=Count("patient_id", distinct=True)).order_by()}
    total = sessions.aggregate(n=Count("patient_id", distinct=True))["n"]
    municipalities = Zone.municipalities.through.objects.filter(zone__network=network).values("municipality_id")
    population = Municipality.objects.filter(pk__in=municipalities).aggregate(p=Sum("population"))["p"] or 0
    rows = []
    for r in by_zone_band:
        zone = zones.get(r["zone_id"])
        pop = zone["population"] if zone else 0
        rows.append({"zone": zone["name"] if zone else "", "band": r["band"], "count": r["n"], "population": pop,
                     "per_thousand": round(1000.0 * r["n"] / pop, 2) if pop else None})
    rows.sort(key=lambda r: (r["zone"] == "", r["zone"], r["band"]))
    return {"total": total, "by_band": dict(sorted(by_band.items())), "by_zone": rows, "population": population,
            "per_thousand": round(1000.0 * total / population, 2) if population else None}


def _operating_costs(network, year):
    row = OperatingCost.objects.filter(network=network, year=year).aggregate(n=Count("pk"), total=Sum("amount"))
    return {"claims": row["n"], "total": _num(row["total"])}


# ---- the whole year -----------------------------------------------------------------------------------------


def network_year_figures(network, year, *, today=None):
    """Everything the annual report asks in figures for ``network`` and ``year`` (see the module docstring)."""
    today = today or timezone.localdate()
    sessions, money = _sessions(network, year)
    article8 = _article8(network, year)
    moments = _information_moments(network, year)
    article8["information_moments"] = moments
    costs = _operating_costs(network, year)
    figures = {
        "network": network.code, "year": int(year), "computed_on": today.isoformat(),
        "requests": _requests(network, year, today),
        "agreements": _agreements(network, year),
        "article8": article8,
        "sessions": sessions,
        "detainees": _detainees(network, year),
        "eating_disorders": _eating_disorders(network, year),
        "beneficiaries": _beneficiaries(network, year),
        "priorities": _priorities(network, year, article8),
        "finance": {
            "care_budget_used": _num(money["fees"] + money["lump_sums"] + money["group_fees"]),
            "session_fees": _num(money["fees"]), "lump_sums": _num(money["lump_sums"]),
            "group_fees": _num(money["group_fees"]),
            "article8_delivered_eur": article8["delivered_eur"], "article8_budget_eur": article8["budget_eur"],
            "operating_costs": costs["total"], "operating_cost_claims": costs["claims"],
            "information_moments_cost": moments["cost"],
        },
    }
    figures["has_data"] = has_data(figures)
    return figures


def has_data(figures):
    return any([figures["requests"]["total"], figures["agreements"]["active"], figures["article8"]["missions"],
                figures["article8"]["activities"], figures["sessions"]["total"],
                figures["article8"]["information_moments"]["count"], figures["finance"]["operating_cost_claims"]])


KEY_FIGURES = [
    # (key, path in the figures dict): the headline numbers of the overview and the annex summary
    ("requests", ("requests", "total")),
    ("agreements", ("agreements", "active")),
    ("article8_missions", ("article8", "missions")),
    ("article8_hours", ("article8", "hours_delivered")),
    ("information_moments", ("article8", "information_moments", "count")),
    ("sessions", ("sessions", "total")),
    ("group_sessions", ("sessions", "group")),
    ("beneficiaries", ("beneficiaries", "total")),
    ("care_budget_used", ("finance", "care_budget_used")),
    ("operating_costs", ("finance", "operating_costs")),
]


def key_totals(figures):
    out = {}
    for key, path in KEY_FIGURES:
        value = figures
        for part in path:
            value = (value or {}).get(part) if isinstance(value, dict) else None
        out[key] = value or 0
    return out


def figures_differ(snapshot_figures, live_figures):
    """The key totals that changed since the snapshot: {key: (then, now)}."""
    then, now = key_totals(snapshot_figures), key_totals(live_figures)
    return {k: (then[k], now[k]) for k in then if then[k] != now[k]}


# ---- snapshots, information moments and costs (pages) ---------------------------------------------------------


def snapshot_of(report):
    return FiguresSnapshot.objects.filter(report=report).first()


def figures_for_report(report):
    """(figures, snapshot or None): the frozen figures of a validated/sent/archived report, else live ones."""
    snapshot = snapshot_of(report) if report.is_frozen else None
    if snapshot is not None:
        return snapshot.figures, snapshot
    return network_year_figures(report.network, report.year), None


def moments_in(network):
    return (InformationMoment.objects.filter(network=network).select_related("zone", "organisation")
            .prefetch_related("coordinators", "psychologists"))


def costs_in(network):
    return OperatingCost.objects.filter(network=network).prefetch_related("information_moments")


# ---- the follow-up committee's view (federal viewer) --------------------------------------------------------


VISIBLE_TO_FEDERAL = ["submitted", "validated", "sent", "archived"]


def federal_reports():
    """Reports the federal viewer may read: submitted to the committee or beyond, never drafts."""
    from annual_reports.models import AnnualReport

    return AnnualReport.objects.filter(status__in=VISIBLE_TO_FEDERAL).select_related("network", "template")


def federal_overview(year, today=None):
    """Every network of the deployment with its report's state for ``year`` and its key figures (from the
    snapshot frozen at validation), plus the national totals. Four queries whatever the number of networks."""
    from annual_reports.models import AnnualReport, ReportTemplate, Status

    today = today or timezone.localdate()
    template = ReportTemplate.objects.filter(year=year).order_by("-version").first()
    deadline = template.deadline if template else None
    reports = {r.network_id: r for r in AnnualReport.objects.filter(year=year).only(
        "pk", "network_id", "status", "submitted_at", "validated_at", "sent_on", "year")}
    snapshots = dict(FiguresSnapshot.objects.filter(year=year, report__status__in=VISIBLE_TO_FEDERAL)
                     .values_list("network_id", "totals"))
    rows, national = [], defaultdict(float)
    counts = defaultdict(int)
    for network in Network.objects.order_by("code").only("pk", "code", "name", "kind"):
        report = reports.get(network.pk)
        status = report.status if report else None
        submitted = status in VISIBLE_TO_FEDERAL
        late = bool(deadline and today > deadline and not submitted)
        state = ("validated" if status in (Status.VALIDATED, Status.SENT, Status.ARCHIVED)
                 else "submitted" if status == Status.SUBMITTED else "late" if late else "not_submitted")
        counts[state] += 1
        totals = snapshots.get(network.pk) or None
        if totals:
            for k, v in totals.items():
                national[k] += v or 0
        rows.append({"network": network, "report": report if submitted else None, "status": status, "state": state,
                     "totals": totals})
    national = {k: _num(v) for k, v in national.items()} if national else None
    return {"year": year, "deadline": deadline, "rows": rows, "national": national, "counts": dict(counts),
            "with_figures": len(snapshots)}


def federal_years():
    from annual_reports.models import ReportTemplate

    return sorted(set(ReportTemplate.objects.values_list("year", flat=True)), reverse=True)


def default_year(today=None):
    """The year a network's figures page opens on: the year being reported until its report's deadline (31 March
    when no template says otherwise), then the year under way."""
    from annual_reports.models import ReportTemplate

    today = today or timezone.localdate()
    reported = today.year - 1
    deadline = (ReportTemplate.objects.filter(year=reported).order_by("-version").values_list("deadline", flat=True)
                .first()) or dt.date(today.year, 3, 31)
    return reported if today <= deadline else today.year
