"""network_year_figures against values computed by hand on the fixed year of factories.build_fixed_year."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from figures import selectors, tables
from figures.sql import key_totals_sql

from .factories import build_fixed_year

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 2, 1)


@pytest.fixture
def year_a(network_a, zone_a, zone_a2, coordinator_a):
    build_fixed_year(network_a, zone_a, zone_a2, coordinator_a)
    return selectors.network_year_figures(network_a, 2024, today=TODAY)


def test_requests_by_place_zone_outcome_and_ten_day_share(year_a, zone_a, zone_a2):
    r = year_a["requests"]
    assert r["total"] == 3
    assert r["by_place_type"] == {"school": 2, "gp_practice": 1}
    assert r["by_zone"] == {zone_a.name: 2, zone_a2.name: 1}
    assert r["by_outcome"] == {"ongoing": 2, "completed": 1}
    assert (r["contacted"], r["contacted_within_10_days"], r["overdue"]) == (2, 1, 1)
    assert r["contacted_within_share"] == 33.3  # 1 of the 3 that were due


def test_agreements_in_force_by_place_and_modality(year_a):
    a = year_a["agreements"]
    assert a["active"] == 1
    assert a["by_place_type"] == {"school": 1}
    assert a["by_modality"] == {"group": 1, "individual": 1}


def test_article8_missions_hours_contact_hours_and_information_moments(year_a):
    a = year_a["article8"]
    assert a["missions"] == 2  # the refused one is not a mission
    assert a["hours_delivered"] == 6
    assert a["hours_reserved"] == 14  # 10 approved (running) + 4 delivered (closed)
    assert a["by_priority_place"]["gp"] == {"missions": 1, "hours_reserved": 10, "hours_delivered": 2}
    assert a["by_priority_place"]["school_cpms"] == {"missions": 1, "hours_reserved": 4, "hours_delivered": 4}
    assert a["by_priority_place"]["youth_aid"]["missions"] == 0
    assert a["by_mission_type"]["knowledge_sharing"]["missions"] == 1
    assert (a["activities"], a["participants"]) == (2, 18)
    assert a["contact_hours"] == {"slots": 1, "hours_per_week": 1.5}
    m = a["information_moments"]
    assert (m["count"], m["participants"], m["cost"]) == (2, 40, 100)
    assert m["by_audience"]["gp_circle"] == {"count": 1, "participants": 30, "cost": 100}


def test_sessions_by_function_format_setting_and_groups(year_a):
    s = year_a["sessions"]
    assert (s["individual"], s["group"], s["total"]) == (4, 2, 6)
    assert s["by_setting"] == {"outreach": 3, "practice": 2, "video": 1}
    assert s["by_function"] == {"F1": 1, "F2": 2, "F3": 3}
    assert s["outreach_share"] == 50.0
    assert (s["group_participants"], s["community_head_count"]) == (2, 12)
    assert s["clairvisions"] == {"total": 0, "individual": 0, "collective": 0, "participants": 0}
    assert year_a["detainees"] == {"sessions": 1, "psychologists": 1, "patients": 1, "group_sessions": 0}


def test_unique_beneficiaries_by_band_and_zone_against_population(year_a, zone_a, zone_a2):
    b = year_a["beneficiaries"]
    assert b["total"] == 3
    assert b["by_band"] == {"adult_15_plus": 2, "youth_0_23": 1}
    assert b["population"] == 35000  # the shared municipality counted once
    rows = {(r["zone"], r["band"]): r for r in b["by_zone"]}
    assert rows[(zone_a.name, "adult_15_plus")]["count"] == 2
    assert rows[(zone_a.name, "adult_15_plus")]["population"] == 15000
    assert rows[(zone_a.name, "adult_15_plus")]["per_thousand"] == 0.13
    assert rows[(zone_a2.name, "youth_0_23")]["population"] == 25000


def test_care_budget_and_operating_costs(year_a):
    f = year_a["finance"]
    assert f["care_budget_used"] == 977  # 300 fees + 25 lump sum + 2 × 326 group fees
    assert (f["session_fees"], f["lump_sums"], f["group_fees"]) == (300, 25, 652)
    assert (f["operating_costs"], f["operating_cost_claims"]) == (350.5, 2)
    assert f["information_moments_cost"] == 100


def test_eating_disorder_care_path(year_a, network_a, coordinator_a):
    # p1 on 2024-02-01 (one individual session), the group of 2024-06-01 with p2 and p3, given by the network's
    # psychologist with a second one co-facilitating; p1's session of 2023-12-31 is outside the year
    assert year_a["eating_disorders"] == {"sessions": 3, "individual_sessions": 1, "patients": 3,
                                          "group_sessions": 1, "psychologists": 2}
    table = tables.build_tables(year_a)["eating_disorders"]
    assert [row[1] for row in table.rows] == ["2", "3", "1", "1"]


def test_hand_written_sql_gives_the_same_totals(year_a, network_a):
    assert key_totals_sql(network_a, 2024) == selectors.key_totals(year_a)


def test_bounded_number_of_queries(network_a, zone_a, zone_a2, coordinator_a):
    with CaptureQueriesContext(connection) as small:
        selectors.network_year_figures(network_a, 2024)
    build_fixed_year(network_a, zone_a, zone_a2, coordinator_a)
    with CaptureQueriesContext(connection) as full:
        selectors.network_year_figures(network_a, 2024)
    assert len(full) == len(small) <= 29  # 25 + clairvisions (issue 10) + the network's priorities + the
    # eating-disorder care path (2)


def test_empty_year_has_no_data_and_tables_still_render(network_a):
    figures = selectors.network_year_figures(network_a, 2019)
    assert figures["has_data"] is False
    assert tables.markdown(list(tables.build_tables(figures).values()))


def test_figures_survive_a_json_round_trip(year_a):
    import json

    assert json.loads(json.dumps(year_a)) == year_a


# ---- issue 10: clairvisions and activity per priority ----------------------------------------------------------

def _tagged_year(network, coordinator, count):
    from article8 import services as article8_services
    from care_offer.services import priority_tag
    from tests.article8.factories import ApprovedMissionFactory
    from tests.care_offer.factories import ClairvisionFactory, PriorityFactory

    south = PriorityFactory(network=network, code="south", name_fr="Le sud", name_nl="Het zuiden")
    elderly = PriorityFactory(network=network, code="elderly", name_fr="Aînés", name_nl="Ouderen")
    for i in range(count):
        clair = ClairvisionFactory(network=network, held_on=dt.date(2024, 3, 1), format="collective",
                                   participants=10)
        priority_tag(priority=south, target=clair, by=coordinator)
        mission = ApprovedMissionFactory(network=network, year=2024, hours_approved=3, hours_delivered=2)
        article8_services.mission_priorities_set(mission=mission, priorities=[south, elderly], by=coordinator)
    from care_offer.models import PriorityTag

    from .factories import at

    PriorityTag.objects.update(tagged_at=at(2024, 3, 1))  # items count in the year they were tagged
    return south, elderly


def test_clairvisions_and_activity_per_priority_in_the_figures_and_annex(network_a, coordinator_a):
    from django.utils import translation

    _tagged_year(network_a, coordinator_a, 2)
    figures = selectors.network_year_figures(network_a, 2024, today=TODAY)
    assert figures["sessions"]["clairvisions"] == {"total": 2, "individual": 0, "collective": 2, "participants": 20}
    rows = {p["code"]: p for p in figures["priorities"]}
    assert rows["south"]["clairvisions"] == 2 and rows["south"]["participants"] == 20
    assert rows["south"]["items"] == {"article 8 missions": 2}
    assert rows["south"]["article8"] == {"missions": 2, "hours_reserved": 6, "hours_delivered": 4}
    assert rows["elderly"]["article8"]["missions"] == 2 and rows["elderly"]["clairvisions"] == 0
    import json

    assert json.loads(json.dumps(figures)) == figures  # a snapshot keeps it as it is
    with translation.override("nl"):
        table = tables.build_tables(figures)["priorities"]
    assert [r[0] for r in table.rows] == ["Ouderen", "Het zuiden"] or [r[0] for r in table.rows] == [
        "Het zuiden", "Ouderen"]
    note = tables.build_tables(figures)["sessions_setting"].note
    assert "not recorded" not in note


def test_priority_figures_queries_do_not_grow(network_a, coordinator_a):
    _tagged_year(network_a, coordinator_a, 3)
    with CaptureQueriesContext(connection) as few:
        selectors.network_year_figures(network_a, 2024)
    from care_offer.models import Priority

    Priority.objects.filter(network=network_a).delete()
    _tagged_year(network_a, coordinator_a, 30)
    with CaptureQueriesContext(connection) as many:
        selectors.network_year_figures(network_a, 2024)
    assert len(many) == len(few)


def test_the_figures_page_opens_on_the_reported_year_until_its_deadline_then_on_the_year_under_way(db):
    from tests.annual_reports.factories import ReportTemplateFactory

    assert selectors.default_year(dt.date(2026, 3, 31)) == 2025  # no template for 2025: 31 March
    assert selectors.default_year(dt.date(2026, 4, 1)) == 2026
    ReportTemplateFactory(year=2025, deadline=dt.date(2026, 4, 30))
    assert selectors.default_year(dt.date(2026, 4, 15)) == 2025
    assert selectors.default_year(dt.date(2026, 11, 26)) == 2026
