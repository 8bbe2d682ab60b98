"""List pages run a bounded number of queries: the same with 3 rows as with 30 (no query per row)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from psynet.audit import log_action
from psynet.models import Role
from tests.factories import (
    ConventionFactory, MembershipFactory, MunicipalityFactory, OrganisationFactory, ZoneFactory,
)

pytestmark = pytest.mark.django_db
PAGES = ["home", "psynet:zone_list", "psynet:member_list", "psynet:psychologist_list", "psynet:organisation_list",
         "psynet:audit_list", "psynet:zone_create", "psynet:member_invite"]


def _grow(network, n):
    municipalities = [MunicipalityFactory() for _ in range(n)]
    for i in range(n):
        zone = ZoneFactory(network=network)
        zone.municipalities.set(municipalities[: i + 1])
        m = MembershipFactory(network=network, role=Role.LOCAL_COORDINATOR, zones=[zone])
        c = ConventionFactory(network=network)
        c.zones.set([zone])
        OrganisationFactory(network=network)
        log_action(m, "test.grow", by=None, after={"i": i})


def _count(client, name):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(name)).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_rows(client, coordinator_a, network_a):
    client.force_login(coordinator_a)
    _grow(network_a, 3)
    for name in PAGES:  # warm-up: caches filled and per-network settings rows created on first visit
        _count(client, name)
    small = {name: _count(client, name) for name in PAGES}
    _grow(network_a, 27)
    _count(client, "home")  # the new zones dropped the cached memberships: read them again once
    large = {name: _count(client, name) for name in PAGES}
    assert small == large, {n: (small[n], large[n]) for n in PAGES if small[n] != large[n]}
    assert max(large.values()) <= 15, large
