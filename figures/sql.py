"""The key totals of a network's year in hand-written SQL: the benchmark's baseline and a cross-check of
:func:`figures.selectors.network_year_figures` (tests/figures/test_sql.py compares them on generated data)."""
import datetime as dt
from decimal import Decimal

from django.db import connection

from .selectors import AGREEMENT_IN_FORCE, MISSION_COUNTED, _num, year_bounds

SQL = """
SELECT 'requests', COUNT(*) FROM partnerships_collaborationrequest
 WHERE network_id = %(n)s AND received_at >= %(start_at)s AND received_at < %(end_at)s
UNION ALL
SELECT 'agreements', COUNT(*) FROM partnerships_agreement
 WHERE network_id = %(n)s AND status IN ({agreement_statuses}) AND starts_on <= %(end)s AND ends_on >= %(start)s
   AND (ended_at IS NULL OR ended_at >= %(start_at)s)
UNION ALL
SELECT 'article8_missions', COUNT(*) FROM article8_mission
 WHERE network_id = %(n)s AND year = %(year)s AND status IN ({mission_statuses})
UNION ALL
SELECT 'article8_hours', COALESCE(SUM(hours), 0) FROM article8_activity
 WHERE network_id = %(n)s AND date >= %(start)s AND date <= %(end)s
UNION ALL
SELECT 'information_moments', COUNT(*) FROM figures_informationmoment
 WHERE network_id = %(n)s AND date >= %(start)s AND date <= %(end)s
UNION ALL
SELECT 'individual_sessions', COUNT(*) FROM billing_caresession
 WHERE network_id = %(n)s AND date >= %(start)s AND date <= %(end)s AND group_id IS NULL
UNION ALL
SELECT 'group_sessions', COUNT(*) FROM billing_groupsession
 WHERE network_id = %(n)s AND date >= %(start)s AND date <= %(end)s
UNION ALL
SELECT 'beneficiaries', COUNT(DISTINCT patient_id) FROM billing_caresession
 WHERE network_id = %(n)s AND date >= %(start)s AND date <= %(end)s
UNION ALL
SELECT 'care_budget_sessions', COALESCE(SUM(fee_eur + lump_sum_eur), 0) FROM billing_caresession
 WHERE network_id = %(n)s AND date >= %(start)s AND date <= %(end)s
UNION ALL
SELECT 'care_budget_groups', COALESCE(SUM(fee_eur), 0) FROM billing_groupsession
 WHERE network_id = %(n)s AND date >= %(start)s AND date <= %(end)s
UNION ALL
SELECT 'operating_costs', COALESCE(SUM(amount), 0) FROM figures_operatingcost
 WHERE network_id = %(n)s AND year = %(year)s
"""


def key_totals_sql(network, year):
    """The same dict as selectors.key_totals(network_year_figures(network, year)), from one SQL statement."""
    start, end, start_at, end_at = year_bounds(year)
    if connection.vendor == "sqlite":  # datetimes are stored as naive UTC text there
        start_at, end_at = (d.astimezone(dt.timezone.utc).replace(tzinfo=None) for d in (start_at, end_at))
    params = {"n": network.pk, "year": year, "start": start, "end": end, "start_at": start_at, "end_at": end_at}
    names = {}
    for i, s in enumerate(AGREEMENT_IN_FORCE):
        params[f"a{i}"] = s
        names.setdefault("agreement_statuses", []).append(f"%(a{i})s")
    for i, s in enumerate(MISSION_COUNTED):
        params[f"m{i}"] = s
        names.setdefault("mission_statuses", []).append(f"%(m{i})s")
    sql = SQL.format(**{k: ", ".join(v) for k, v in names.items()})
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = {name: Decimal(str(value or 0)) for name, value in cursor.fetchall()}
    return {
        "requests": _num(raw["requests"]), "agreements": _num(raw["agreements"]),
        "article8_missions": _num(raw["article8_missions"]), "article8_hours": _num(raw["article8_hours"]),
        "information_moments": _num(raw["information_moments"]),
        "sessions": _num(raw["individual_sessions"] + raw["group_sessions"]),
        "group_sessions": _num(raw["group_sessions"]), "beneficiaries": _num(raw["beneficiaries"]),
        "care_budget_used": _num(raw["care_budget_sessions"] + raw["care_budget_groups"]),
        "operating_costs": _num(raw["operating_costs"]),
    }
