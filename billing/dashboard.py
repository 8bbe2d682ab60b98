"""Dashboard figures: a handful of GROUP BY queries over the last 12 months, cached per network until a session is
added (the cache key carries the highest session ids, two index-only lookups)."""
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from psynet.charts import bars
from psynet.models import Zone

from .models import Band, CareSession, Format, GroupSession, QuotaRule, Setting
from .rules import add_months



def _stamp(network):
    a = CareSession.objects.filter(network=network).aggregate(m=Max("pk"))["m"] or 0
    b = GroupSession.objects.filter(network=network).aggregate(m=Max("pk"))["m"] or 0
    return f"{a}-{b}"


FRESH_SECONDS = 60


def _key(network, psychologist, today):
    return f"billing:dashboard:{network.pk}:{psychologist.pk if psychologist else 0}:{today}"


def _cached(key, stamp, build):
    """(stamp, value, built_at) in the cache: rebuilt when the sessions changed, but at most once a minute, so a
    busy network's dashboard does not recompute on every registration (figures then lag by up to a minute)."""
    import time

    held = cache.get(key)
    now = time.time()
    if held is not None and (held[0] == stamp or now - held[2] < FRESH_SECONDS):
        return held[1]
    value = build()
    cache.set(key, (stamp, value, now), 600)
    return value


def figures(network, psychologist=None, today=None):
    today = today or timezone.localdate()
    return _cached(_key(network, psychologist, today), _stamp(network),
                   lambda: compute(network, psychologist, today))


def compute(network, psychologist=None, today=None):
    today = today or timezone.localdate()
    start = add_months(today.replace(day=1), -11)
    sessions = CareSession.objects.filter(network=network, date__gte=start, date__lte=today)
    groups = GroupSession.objects.filter(network=network, date__gte=start, date__lte=today)
    if psychologist is not None:
        sessions = sessions.filter(psychologist=psychologist)
        groups = groups.filter(psychologist=psychologist)

    budget = defaultdict(Decimal)
    for row in sessions.annotate(m=TruncMonth("date")).values("m").annotate(f=Sum("fee_eur"), l=Sum("lump_sum_eur")):
        budget[row["m"].strftime("%Y-%m")] += (row["f"] or 0) + (row["l"] or 0)
    for row in groups.annotate(m=TruncMonth("date")).values("m").annotate(f=Sum("fee_eur")):
        budget[row["m"].strftime("%Y-%m")] += row["f"] or 0
    months = [add_months(start, i).strftime("%Y-%m") for i in range(12)]
    budget_rows = [(m[5:] + "/" + m[:4], budget.get(m, Decimal("0"))) for m in months]

    by_function = defaultdict(int)
    by_format = defaultdict(int)
    by_setting = defaultdict(int)
    for row in sessions.filter(group__isnull=True).values("function", "setting").annotate(n=Count("pk")):
        by_function[row["function"]] += row["n"]
        by_format[Format.INDIVIDUAL] += row["n"]
        by_setting[row["setting"]] += row["n"]
    for row in groups.values("function", "setting").annotate(n=Count("pk")):
        by_function[row["function"]] += row["n"]
        by_format[Format.GROUP] += row["n"]
        by_setting[row["setting"]] += row["n"]
    total = sum(by_setting.values())
    outreach_share = round(100 * by_setting.get(Setting.OUTREACH, 0) / total, 1) if total else 0

    zones = {z.pk: z for z in Zone.objects.filter(network=network).annotate(pop=Sum("municipalities__population"))}
    beneficiaries = []
    for row in sessions.values("zone_id", "band").annotate(n=Count("patient_id", distinct=True)).order_by("zone_id"):
        zone = zones.get(row["zone_id"])
        population = zone.pop if zone and zone.pop else 0
        beneficiaries.append({
            "zone": zone.name if zone else _("no zone"), "band": Band(row["band"]).label, "count": row["n"],
            "population": population,
            "per_thousand": round(1000 * row["n"] / population, 2) if population else None})

    rules = {q.pk: q.max_sessions for q in QuotaRule.objects.all()}
    window = today - timedelta(days=365)
    saturation = {"low": 0, "mid": 0, "full": 0, "unlimited": 0}
    for row in (sessions.filter(date__gt=window).values("patient_id", "quota_rule_id").annotate(n=Count("pk"))):
        limit = rules.get(row["quota_rule_id"])
        if not limit:
            saturation["unlimited"] += 1
        elif row["n"] >= limit:
            saturation["full"] += 1
        elif row["n"] * 2 >= limit:
            saturation["mid"] += 1
        else:
            saturation["low"] += 1
    return {
        "specialised_average": specialised_average(network, today) if psychologist is None else [],
        "budget": budget_rows, "budget_total": sum((v for _m, v in budget_rows), Decimal("0")),
        "by_function": sorted(by_function.items()), "by_format": sorted(by_format.items()),
        "by_setting": sorted(by_setting.items()), "outreach_share": outreach_share, "total_sessions": total,
        "beneficiaries": beneficiaries,
        "saturation": [(_("under half of the quota"), saturation["low"]),
                       (_("half or more of the quota"), saturation["mid"]),
                       (_("quota reached"), saturation["full"]),
                       (_("no quota (unlimited)"), saturation["unlimited"])],
    }


def specialised_average(network, today):
    """The "average 8 / 10 sessions" of specialised care (issue 10): per quota rule carrying a network average for
    this network's age band (specialised in the 2021 model, F3 from 2024), the average number of sessions per
    patient over the rolling 12 months ending today, against that average. An indicator for the network, never a
    refusal: one person's cap stays the rule's maximum. One grouped query per rule (two at most)."""
    start = add_months(today, -12) + timedelta(days=1)
    band = Band.YOUTH if network.kind == "children" else Band.ADULT
    rows = []
    for rule in QuotaRule.objects.filter(network_average__isnull=False, band__in=[band, Band.ANY]).order_by(
            "valid_from", "pk"):
        first = max(start, rule.valid_from) if rule.valid_from else start
        last = min(today, rule.valid_to) if rule.valid_to else today
        if first > last:
            continue
        scope = CareSession.objects.filter(network=network, model=rule.model, format=rule.format, band=band,
                                           date__gte=first, date__lte=last)
        if rule.function != "any":
            scope = scope.filter(function=rule.function)
        counts = scope.aggregate(sessions=Count("pk"), patients=Count("patient_id", distinct=True))
        average = round(counts["sessions"] / counts["patients"], 1) if counts["patients"] else None
        rows.append({"function": rule.function, "model": rule.model, "format": rule.format, "from": first,
                     "to": last, "sessions": counts["sessions"], "patients": counts["patients"],
                     "average": average, "target": rule.network_average, "cap": rule.max_sessions,
                     "above": average is not None and average > rule.network_average})
    return rows


def charts_of(data):
    return {
        "budget": bars(data["budget"]),
        "function": bars(data["by_function"]),
        "format": bars(data["by_format"]),
        "setting": bars(data["by_setting"]),
        "beneficiaries": bars([(f"{b['zone']} · {b['band']}", b["per_thousand"] or 0) for b in data["beneficiaries"]]),
        "saturation": bars(data["saturation"]),
    }


def body_html(network, psychologist=None, today=None):
    """The charts and tables, rendered once per language and data version (the page around them is not cached)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    today = today or timezone.localdate()
    key = _key(network, psychologist, today) + ":html:" + (get_language() or "")

    def build():
        data = figures(network, psychologist, today)
        return render_to_string("billing/_dashboard_body.html", {"data": data, "charts": charts_of(data)})

    return mark_safe(_cached(key, _stamp(network), build))


def export_tables(data):
    """The dashboard as (title, header, rows) tables for CSV/XLSX."""
    return [
        (_("Average sessions per patient in specialised care (rolling 12 months)"),
         [_("Function"), _("Patients"), _("Sessions"), _("Average per patient"), _("Network average aimed at"),
          _("Individual cap")],
         [[r["function"], r["patients"], r["sessions"], r["average"], r["target"], r["cap"]]
          for r in data.get("specialised_average", [])]),
        (_("Care budget used by month"), [_("Month"), _("Amount (EUR)")], [[m, str(v)] for m, v in data["budget"]]),
        (_("Sessions by function"), [_("Function"), _("Sessions")], [list(r) for r in data["by_function"]]),
        (_("Sessions by format"), [_("Format"), _("Sessions")], [list(r) for r in data["by_format"]]),
        (_("Sessions by setting"), [_("Setting"), _("Sessions")], [list(r) for r in data["by_setting"]]),
        (_("Unique beneficiaries by zone and age band"),
         [_("Zone"), _("Age band"), _("Beneficiaries"), _("Population"), _("Per 1,000 inhabitants")],
         [[b["zone"], str(b["band"]), b["count"], b["population"], b["per_thousand"]] for b in data["beneficiaries"]]),
        (_("Quota saturation (patients × quota)"), [_("Level"), _("Patients")],
         [[str(label), n] for label, n in data["saturation"]]),
    ]
