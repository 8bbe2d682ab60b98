import pytest
from django.urls import reverse

from psynet.models import Role
from tests.factories import MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["network_coordinator", "local_coordinator", "committee_member", "admin_staff",
                                  "psychologist"])
def test_each_role_has_a_home_page(client, role_users, role):
    client.force_login(role_users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert f'data-role="{role}"' in response.content.decode()


def test_anonymous_goes_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_member_of_several_networks_chooses_and_sees_the_active_one(client):
    user = UserFactory()
    a, b = NetworkFactory(code="RSK"), NetworkFactory(code="RSN")
    MembershipFactory(user=user, network=a, role=Role.LOCAL_COORDINATOR)
    MembershipFactory(user=user, network=b, role=Role.COMMITTEE_MEMBER)
    client.force_login(user)
    assert client.get(reverse("home")).url == reverse("psynet:network_choose")
    client.post(reverse("psynet:network_choose"), {"network": b.pk})
    page = client.get(reverse("home")).content.decode()
    assert "<strong>RSN</strong>" in page
    client.post(reverse("psynet:network_choose"), {"network": a.pk})
    assert "<strong>RSK</strong>" in client.get(reverse("home")).content.decode()


def test_choosing_a_network_one_is_not_member_of_is_404(client, coordinator_a, network_b):
    client.force_login(coordinator_a)
    assert client.post(reverse("psynet:network_choose"), {"network": network_b.pk}).status_code == 404
    assert client.post(reverse("psynet:network_choose"), {"network": "x"}).status_code == 404


def test_user_without_membership_gets_an_explanation(client):
    client.force_login(UserFactory())
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 403


def test_federal_viewer_lands_on_the_federal_overview(client):
    viewer = UserFactory(is_federal_viewer=True)
    client.force_login(viewer)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("figures:federal_overview")
