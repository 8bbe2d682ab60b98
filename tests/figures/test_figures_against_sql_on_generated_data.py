"""The figures selector against the hand-written SQL on generated data: the whole demo (requests, agreements,
article 8 missions, a few thousand sessions through the billing rules, information moments, costs), for both
networks and every year it covers."""
import pytest
from django.core.management import call_command

from figures import selectors
from figures.sql import key_totals_sql
from psynet.models import Network

pytestmark = pytest.mark.django_db


def test_figures_equal_the_sql_totals_on_the_demo_data(settings):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    compared = 0
    for network in Network.objects.filter(code__in=["RSK", "RSN"]):
        for year in (2024, 2025, 2026):
            totals = selectors.key_totals(selectors.network_year_figures(network, year))
            assert key_totals_sql(network, year) == totals, (network.code, year)
            compared += sum(1 for value in totals.values() if value)
    assert compared > 20  # the demo has real volumes to compare, not only zeros
