import datetime as dt
from decimal import Decimal

import pytest

from article8 import services
from psynet.models import Psychologist

from .factories import MissionFactory


@pytest.fixture
def psychologist_a(psychologist_user_a):
    """Conventioned with network A from 1/4/2024, 40 article 8 hours per year."""
    return Psychologist.objects.get(user=psychologist_user_a)


@pytest.fixture
def mission_a(network_a, zone_a):
    return MissionFactory(network=network_a, zone=zone_a, status="under_review")


def approve(mission, psychologist, hours, by, **kwargs):
    return services.mission_approve(mission=mission, hours=Decimal(hours), psychologist=psychologist,
                                    start_on=dt.date(2025, 2, 1), end_on=dt.date(2025, 11, 30), by=by, **kwargs)
