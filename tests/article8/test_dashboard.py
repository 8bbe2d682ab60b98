import datetime as dt
import random
from decimal import Decimal

import pytest

from article8 import selectors
from article8.models import Activity, Mission, MissionStatus
from tests.factories import ConventionFactory, PsychologistFactory, ZoneFactory

from .factories import BudgetFactory

pytestmark = pytest.mark.django_db

KEYS = ["capacity_hours", "reserved_hours", "delivered_hours", "reserved_eur", "delivered_eur", "available_eur"]


def _strip(rows):
    return [(r["key"], r["reserved"], r["delivered"]) for r in rows]


def test_orm_figures_equal_the_hand_written_sql(network_a):
    rng = random.Random(8)
    zones = [ZoneFactory(network=network_a), ZoneFactory(network=network_a), None]
    psychologists = []
    for _ in range(4):
        p = PsychologistFactory()
        ConventionFactory(psychologist=p, network=network_a, article8_hours_per_year=rng.choice([40, 80]))
        psychologists.append(p)
    ConventionFactory(network=network_a, start_on=dt.date(2021, 9, 1), end_on=dt.date(2024, 3, 31))  # not in 2025
    BudgetFactory(network=network_a)
    BudgetFactory(network=network_a, effective_from=dt.date(2025, 7, 1), hourly_amount=Decimal("85"))
    statuses = list(MissionStatus.values)
    for i in range(60):
        start = dt.date(2025, rng.randint(1, 11), 1)
        status = rng.choice(statuses)
        mission = Mission.objects.create(
            network=network_a, zone=rng.choice(zones), place_name=f"P{i}",
            place_kind=rng.choice(["gp_practice", "school", "cpms", "youth_aid", "medical_house"]),
            mission_type=rng.choice(["place_work", "advice", "co_consultation", "knowledge_sharing"]),
            year=2025, status=status, psychologist=rng.choice(psychologists),
            hours_approved=Decimal(rng.randint(0, 20)), start_on=start, end_on=dt.date(2025, 12, 31))
        delivered = Decimal("0")
        for _ in range(rng.randint(0, 4)):
            hours = Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"]))
            Activity.objects.create(mission=mission, network=network_a, psychologist=mission.psychologist,
                                    date=start + dt.timedelta(days=rng.randint(0, 25)), hours=hours,
                                    mission_type=mission.mission_type, place_name=mission.place_name,
                                    place_kind=mission.place_kind, theme="t")
            delivered += hours
        Mission.objects.filter(pk=mission.pk).update(hours_delivered=delivered)
    orm = selectors.dashboard_figures(network_a, 2025)
    sql = selectors.dashboard_figures_sql(network_a, 2025)
    for key in KEYS:
        assert orm[key] == sql[key], key
    for dim in ("by_place_kind", "by_zone", "by_mission_type", "by_month"):
        assert _strip(orm[dim]) == _strip(sql[dim]), dim
    assert orm["delivered_hours"] == sum(Activity.objects.values_list("hours", flat=True))
    assert orm["delivered_hours"] > 0 and orm["reserved_hours"] > 0
    assert orm["capacity_hours"] == sum(c.article8_hours_per_year for p in psychologists for c in p.conventions.all())
