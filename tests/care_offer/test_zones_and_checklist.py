"""Applications seen by zone (a local coordinator only on applications in their zones, the network coordinators on
all), the network's onboarding checklist managed in the portal, and the global eligibility rules in the admin."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from care_offer import services
from care_offer.models import ApplicationStatus, OnboardingItem, PlaceTypeEligibility
from psynet.models import AuditEntry, OrganisationKind
from tests.factories import PsychologistFactory

from .factories import ProviderApplicationFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def applications(network_a, zone_a, zone_a2):
    mine = ProviderApplicationFactory(network=network_a, last_name="DansMaZone")
    mine.zones.set([zone_a, zone_a2])
    elsewhere = ProviderApplicationFactory(network=network_a, last_name="AilleursZone")
    elsewhere.zones.set([zone_a2])
    nowhere = ProviderApplicationFactory(network=network_a, last_name="SansZone")
    return mine, elsewhere, nowhere


def test_local_coordinator_lists_only_applications_of_their_zones(client, local_coordinator_a, applications):
    client.force_login(local_coordinator_a)
    html = client.get(reverse("care_offer:application_list")).content.decode()
    assert "DansMaZone" in html and "AilleursZone" not in html and "SansZone" not in html
    counts = {c["status"]: c["n"] for c in client.get(reverse("care_offer:index")).context["counts"]}
    assert counts[S.RECEIVED] == 1


def test_local_coordinator_gets_404_outside_their_zones(client, local_coordinator_a, applications):
    mine, elsewhere, nowhere = applications
    client.force_login(local_coordinator_a)
    assert client.get(reverse("care_offer:application_detail", args=[mine.pk])).status_code == 200
    for other in (elsewhere, nowhere):
        assert client.get(reverse("care_offer:application_detail", args=[other.pk])).status_code == 404
        assert client.post(reverse("care_offer:application_review", args=[other.pk]),
                           {"version": other.version, "note": ""}).status_code == 404
        other.refresh_from_db()
        assert other.status == S.RECEIVED


def test_local_coordinator_cannot_act_outside_their_zones_in_the_service(local_coordinator_a, applications):
    mine, elsewhere, _nowhere = applications
    with pytest.raises(PermissionDenied):
        services.application_review(application=elsewhere, by=local_coordinator_a)
    assert services.application_review(application=mine, by=local_coordinator_a).status == S.REVIEWED


def test_network_coordinator_sees_and_acts_on_all(client, coordinator_a, applications):
    client.force_login(coordinator_a)
    html = client.get(reverse("care_offer:application_list")).content.decode()
    assert all(name in html for name in ("DansMaZone", "AilleursZone", "SansZone"))
    nowhere = applications[2]
    response = client.post(reverse("care_offer:application_review", args=[nowhere.pk]),
                           {"version": nowhere.version, "note": ""})
    assert response.status_code == 302


def test_home_panel_lists_only_the_local_coordinators_applications(client, local_coordinator_a, applications):
    client.force_login(local_coordinator_a)
    html = client.get(reverse("home")).content.decode()
    assert "DansMaZone" in html and "AilleursZone" not in html


# ---- the onboarding checklist ----------------------------------------------------------------------------


def test_coordinator_adds_an_item_at_the_end_audited(client, network_a, coordinator_a):
    client.force_login(coordinator_a)
    page = client.get(reverse("care_offer:onboarding_item_list"))
    assert page.status_code == 200 and len(page.context["items"]) == len(services.DEFAULT_ONBOARDING)
    response = client.post(reverse("care_offer:onboarding_item_create"), {
        "code": "badge", "label_fr": "Badge d'accès remis", "label_nl": "Toegangsbadge overhandigd",
        "is_active": "on"})
    assert response.status_code == 302
    items = list(OnboardingItem.objects.filter(network=network_a).order_by("position"))
    assert items[-1].code == "badge" and items[-1].position == len(items) - 1
    assert AuditEntry.objects.filter(action="care_offer.onboarding_item.saved", object_id=str(items[-1].pk)).exists()


def test_duplicate_code_is_refused_with_the_values_kept(client, network_a, coordinator_a):
    client.force_login(coordinator_a)
    services.onboarding_items(network_a)
    response = client.post(reverse("care_offer:onboarding_item_create"), {
        "code": "portal_account", "label_fr": "Mon libellé tapé", "label_nl": "Mijn label", "is_active": "on"})
    assert response.status_code == 400 and "code" in response.context["form"].errors
    assert "Mon libellé tapé" in response.content.decode()


def test_deactivated_item_leaves_the_checklist_of_an_accepted_application(client, network_a, coordinator_a):
    items = services.onboarding_items(network_a)
    client.force_login(coordinator_a)
    response = client.post(reverse("care_offer:onboarding_item_update", args=[items[0].pk]), {
        "code": items[0].code, "label_fr": items[0].label_fr, "label_nl": items[0].label_nl})
    assert response.status_code == 302
    application = ProviderApplicationFactory(network=network_a, status=S.ACCEPTED,
                                             psychologist=PsychologistFactory())
    detail = client.get(reverse("care_offer:application_detail", args=[application.pk]))
    codes = [row["item"].code for row in detail.context["checklist"]]
    assert items[0].code not in codes and items[1].code in codes


def test_items_move_up_and_down(client, network_a, coordinator_a):
    first, second = services.onboarding_items(network_a)[:2]
    client.force_login(coordinator_a)
    url = reverse("care_offer:onboarding_item_move", args=[second.pk])
    assert client.post(url, {"direction": "up"}).status_code == 302
    order = list(OnboardingItem.objects.filter(network=network_a).order_by("position").values_list("code", flat=True))
    assert order[:2] == [second.code, first.code]
    assert len(set(OnboardingItem.objects.filter(network=network_a).values_list("position", flat=True))) == len(order)
    # the first cannot go up: nothing changes
    assert client.post(url, {"direction": "up"}).status_code == 302
    assert OnboardingItem.objects.get(pk=second.pk).position == 0
    assert client.post(url, {"direction": "sideways"}).status_code == 404
    assert AuditEntry.objects.filter(action="care_offer.onboarding_item.moved").count() == 1


def test_local_coordinator_and_other_network_cannot_manage_the_checklist(client, network_a, local_coordinator_a,
                                                                         coordinator_b):
    item = services.onboarding_items(network_a)[0]
    client.force_login(local_coordinator_a)
    assert client.get(reverse("care_offer:onboarding_item_list")).status_code == 403
    assert client.post(reverse("care_offer:onboarding_item_move", args=[item.pk]),
                       {"direction": "down"}).status_code == 403
    client.force_login(coordinator_b)
    assert client.get(reverse("care_offer:onboarding_item_update", args=[item.pk])).status_code == 404
    assert client.post(reverse("care_offer:onboarding_item_move", args=[item.pk]),
                       {"direction": "down"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.onboarding_item_save(network=network_a, by=local_coordinator_a, code="x", label_fr="x",
                                      label_nl="x")


# ---- the eligibility rules of place types: global reference data in the admin -----------------------------


def test_admin_staff_edit_a_place_type_rule_audited_and_the_portal_shows_it(client, admin_client, coordinator_a):
    rule = PlaceTypeEligibility.objects.get(place_kind=OrganisationKind.SCHOOL)
    assert admin_client.get(reverse("admin:care_offer_placetypeeligibility_changelist")).status_code == 200
    url = reverse("admin:care_offer_placetypeeligibility_change", args=[rule.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"place_kind": rule.place_kind, "eligible": "", "reason_fr": "Plus éligible",
                                       "reason_nl": "Niet meer", "source": "Test"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.eligible is False
    entry = AuditEntry.objects.get(action="care_offer.place_type_eligibility.saved")
    assert entry.before["eligible"] == "True" and entry.after["eligible"] == "False"
    client.force_login(coordinator_a)
    html = client.get(reverse("care_offer:eligibility")).content.decode()
    assert "Plus éligible" in html and 'data-testid="rules-read-only"' in html
    assert admin_client.get(reverse("admin:care_offer_offerbudgetrule_changelist")).status_code == 200
