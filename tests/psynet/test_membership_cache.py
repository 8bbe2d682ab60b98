"""Memberships kept in the shared cache between requests: every change reaches the next request."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from psynet.models import Role
from psynet.permissions import can, memberships_of
from tests.factories import MembershipFactory, NetworkFactory, ZoneFactory


@pytest.fixture
def cached(settings):
    settings.MEMBERSHIP_CACHE_SECONDS = 300


def fresh(user):
    """The user as the next request loads it (nothing kept on the instance)."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def member(db, cached):
    network = NetworkFactory(code="RSN")
    west, east = ZoneFactory(network=network, name="Ouest"), ZoneFactory(network=network, name="Est")
    membership = MembershipFactory(network=network, role=Role.LOCAL_COORDINATOR, zones=[west])
    return membership, west, east


def test_the_second_request_reads_no_membership_query(member, django_assert_num_queries):
    membership, _west, _east = member
    memberships_of(fresh(membership.user))
    user = fresh(membership.user)
    with django_assert_num_queries(0):
        assert memberships_of(user)[membership.network_id].role == Role.LOCAL_COORDINATOR


def test_a_role_change_is_seen_at_once(member):
    membership, _west, _east = member
    assert not can(fresh(membership.user), "zone.manage", membership.network) and memberships_of(fresh(membership.user))
    membership.role = Role.NETWORK_COORDINATOR
    membership.save()
    assert can(fresh(membership.user), "zone.manage", membership.network)


def test_a_deactivated_or_deleted_membership_is_gone_at_once(member):
    membership, _west, _east = member
    memberships_of(fresh(membership.user))
    membership.is_active = False
    membership.save()
    assert memberships_of(fresh(membership.user)) == {}
    membership.is_active = True
    membership.save()
    assert memberships_of(fresh(membership.user))
    user = membership.user
    membership.delete()
    assert memberships_of(fresh(user)) == {}


def test_zones_changed_from_either_side_are_seen_at_once(member):
    membership, west, east = member
    zones = lambda: {z.pk for z in memberships_of(fresh(membership.user))[membership.network_id].zones.all()}  # noqa: E731
    assert zones() == {west.pk}
    membership.zones.add(east)  # from the membership's side
    assert zones() == {west.pk, east.pk}
    east.memberships.remove(membership)  # from the zone's side
    assert zones() == {west.pk}
    membership.zones.clear()
    assert zones() == set()


def test_a_renamed_network_is_seen_at_once(member):
    membership, _west, _east = member
    memberships_of(fresh(membership.user))
    membership.network.name = "Réseau renommé"
    membership.network.save()
    assert memberships_of(fresh(membership.user))[membership.network_id].network.name == "Réseau renommé"


def test_a_new_membership_shows_the_network_chooser(member, client):
    membership, _west, _east = member
    user = membership.user
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    other = MembershipFactory(user=user, network=NetworkFactory(code="RSK"), role=Role.PSYCHOLOGIST)
    assert set(memberships_of(fresh(user))) == {membership.network_id, other.network_id}


def test_anonymous_has_none(cached):
    assert memberships_of(AnonymousUser()) == {}


def test_without_a_shared_cache_nothing_is_kept(db, settings, django_assert_num_queries):
    settings.MEMBERSHIP_CACHE_SECONDS = 0
    membership = MembershipFactory(network=NetworkFactory(code="RSN"), role=Role.PSYCHOLOGIST)
    memberships_of(fresh(membership.user))
    user = fresh(membership.user)
    with django_assert_num_queries(2):  # memberships with their network, then their zones
        memberships_of(user)
