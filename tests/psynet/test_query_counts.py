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
         "psynet:audit_list", "psynet:zone_create", "psynet:member_invite", "psynet:notification_list"]
# Detail pages, opened on the network's first zone, last member and first psychologist: they gain municipalities,
# zones, conventions' zones and audit entries as the network grows.
DETAIL_PAGES = ["psynet:zone_update", "psynet:member_update", "psynet:psychologist_detail",
                "psynet:psychologist_update"]


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


def _count(client, name, args=()):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(name, args=args)).status_code == 200
    return len(ctx.captured_queries)


def _detail_args(network):
    zone = network.zones.order_by("pk").first()
    member = network.memberships.order_by("pk").last()
    psychologist = network.conventions.order_by("pk").first().psychologist
    return {"psynet:zone_update": (zone.pk,), "psynet:member_update": (member.pk,),
            "psynet:psychologist_detail": (psychologist.pk,), "psynet:psychologist_update": (psychologist.pk,)}


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


def test_detail_pages_do_not_grow_with_rows(client, coordinator_a, network_a):
    client.force_login(coordinator_a)
    _grow(network_a, 3)
    args = _detail_args(network_a)
    for name in DETAIL_PAGES:
        _count(client, name, args[name])
    small = {name: _count(client, name, args[name]) for name in DETAIL_PAGES}
    _grow(network_a, 27)
    zone = network_a.zones.order_by("pk").first()
    zone.municipalities.add(*[MunicipalityFactory() for _ in range(20)])
    _count(client, "home")
    large = {name: _count(client, name, args[name]) for name in DETAIL_PAGES}
    assert small == large, {n: (small[n], large[n]) for n in DETAIL_PAGES if small[n] != large[n]}
    assert max(large.values()) <= 12, large
