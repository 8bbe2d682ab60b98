import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from care_offer.models import ApplicationStatus, Clairvision, ProviderApplication
from psynet.models import AuditEntry

from .factories import PDF, ClairvisionFactory, CoFacilitatorFactory, ProviderApplicationFactory

pytestmark = pytest.mark.django_db


def _form(zone, **over):
    data = {"first_name": "Claire", "last_name": "Dumont", "email": "claire@test.example", "phone": "081 12 34 56",
            "profession": "psychologist", "inami_number": "1-23456-78-901", "visa_number": "654321",
            "qualification": "Master en psychologie clinique", "years_practice": "4", "languages": ["fr"],
            "zones": [zone.pk], "functions": ["F2"], "age_groups": ["adults"], "modalities": ["outreaching"],
            "availability": "Mardi", "motivation": "Travailler dans le sud", "consent": "on", "website": ""}
    data.update(over)
    return data


def _files(**over):
    files = {"diploma": SimpleUploadedFile("diplome.pdf", PDF, content_type="application/pdf"),
             "visa": SimpleUploadedFile("visa.pdf", PDF, content_type="application/pdf")}
    files.update(over)
    return files


def _started(client, network):
    response = client.get(reverse("apply:form", args=[network.code]))
    assert response.status_code == 200
    return response.context["form"].initial["started"]


def test_public_application_is_stored_with_documents(client, network_a, zone_a):
    started = _started(client, network_a)
    response = client.post(reverse("apply:form", args=[network_a.code]),
                           {**_form(zone_a, started=started), **_files()})
    assert response.status_code == 302 and reverse("apply:thanks") in response["Location"]
    application = ProviderApplication.objects.get()
    assert application.documents.count() == 2 and list(application.zones.all()) == [zone_a]
    assert client.get(response["Location"]).status_code == 200


def test_malformed_inami_keeps_everything_typed(client, network_a, zone_a):
    started = _started(client, network_a)
    response = client.post(reverse("apply:form", args=[network_a.code]),
                           {**_form(zone_a, inami_number="12-34", started=started), **_files()})
    assert response.status_code == 400
    html = response.content.decode()
    assert "11" in response.context["form"].errors["inami_number"][0]
    assert 'value="Dumont"' in html and "Travailler dans le sud" in html and 'value="12-34"' in html
    assert not ProviderApplication.objects.exists()


def test_oversized_document_gives_a_clear_message(client, network_a, zone_a, settings):
    settings.MAX_UPLOAD_MB = 1
    started = _started(client, network_a)
    big = SimpleUploadedFile("enorme.pdf", PDF + b"0" * (1024 * 1024 + 10), content_type="application/pdf")
    response = client.post(reverse("apply:form", args=[network_a.code]),
                           {**_form(zone_a, started=started), **_files(diploma=big)})
    assert response.status_code == 400
    assert "enorme.pdf" in response.context["form"].errors["diploma"][0]
    assert 'value="Claire"' in response.content.decode()
    assert not ProviderApplication.objects.exists()


def test_disguised_document_is_refused(client, network_a, zone_a):
    started = _started(client, network_a)
    fake = SimpleUploadedFile("visa.pdf", b"#!/bin/sh\necho hi\n" * 10, content_type="application/pdf")
    response = client.post(reverse("apply:form", args=[network_a.code]),
                           {**_form(zone_a, started=started), **_files(visa=fake)})
    assert response.status_code == 400 and "visa" in response.context["form"].errors


def test_years_below_the_network_minimum(client, network_a, zone_a, coordinator_a):
    from care_offer import services

    services.care_offer_settings_update(network=network_a, by=coordinator_a, min_years_practice=3,
                                        accepts_applications=True)
    started = _started(client, network_a)
    response = client.post(reverse("apply:form", args=[network_a.code]),
                           {**_form(zone_a, years_practice="2", started=started), **_files()})
    assert response.status_code == 400 and "years_practice" in response.context["form"].errors


def test_honeypot_stores_nothing(client, network_a, zone_a):
    started = _started(client, network_a)
    response = client.post(reverse("apply:form", args=[network_a.code]),
                           {**_form(zone_a, website="http://spam", started=started), **_files()})
    assert response.status_code == 302 and not ProviderApplication.objects.exists()


def test_too_fast_is_refused_once_with_values_kept(client, network_a, zone_a, settings):
    settings.PARTNERSHIP_MIN_FILL_SECONDS = "30"
    started = _started(client, network_a)
    response = client.post(reverse("apply:form", args=[network_a.code]),
                           {**_form(zone_a, started=started), **_files()})
    assert response.status_code == 400 and not ProviderApplication.objects.exists()
    assert 'value="Dumont"' in response.content.decode()


def test_rate_limit_answers_429(client, network_a, zone_a, settings):
    settings.PARTNERSHIP_RATE_LIMIT = "2/600"
    url = reverse("apply:form", args=[network_a.code])
    for _i in range(2):
        client.post(url, {"first_name": "x"})
    response = client.post(url, {"first_name": "x"})
    assert response.status_code == 429 and response["Retry-After"]


def test_unknown_network_is_404(client):
    assert client.get(reverse("apply:form", args=["NOPE"])).status_code == 404


# ---- coordinator pages ------------------------------------------------------------------------------------


def test_refuse_from_the_page_with_audit(client, network_a, coordinator_a):
    application = ProviderApplicationFactory(network=network_a)
    client.force_login(coordinator_a)
    url = reverse("care_offer:application_refuse", args=[application.pk])
    response = client.post(url, {"version": application.version, "reason": ""})
    assert response.status_code == 400
    response = client.post(url, {"version": application.version, "reason": "Visa manquant"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert AuditEntry.objects.filter(action="care_offer.application.refused", actor=coordinator_a).exists()


def test_stale_page_gives_409(client, network_a, coordinator_a):
    application = ProviderApplicationFactory(network=network_a)
    client.force_login(coordinator_a)
    client.post(reverse("care_offer:application_review", args=[application.pk]), {"version": 1, "note": ""})
    response = client.post(reverse("care_offer:application_refuse", args=[application.pk]),
                           {"version": 1, "reason": "non"})
    assert response.status_code == 409


def test_accept_from_the_page_and_tick_onboarding(client, network_a, zone_a, coordinator_a):
    application = ProviderApplicationFactory(network=network_a, status=ApplicationStatus.REVIEWED)
    client.force_login(coordinator_a)
    response = client.post(reverse("care_offer:application_accept", args=[application.pk]), {
        "version": application.version, "start_on": "2025-01-01", "end_on": "2024-01-01", "functions": ["F2"],
        "age_groups": ["adults"], "article8_hours_per_year": "10", "zones": [zone_a.pk]})
    assert response.status_code == 400 and "end_on" in response.context["form"].errors
    response = client.post(reverse("care_offer:application_accept", args=[application.pk]), {
        "version": application.version, "start_on": "2025-01-01", "functions": ["F2"], "age_groups": ["adults"],
        "article8_hours_per_year": "10", "zones": [zone_a.pk]})
    assert response.status_code == 302
    detail = client.get(reverse("care_offer:application_detail", args=[application.pk]))
    item = detail.context["checklist"][0]["item"]
    response = client.post(reverse("care_offer:onboarding_toggle", args=[application.pk, item.pk]), {"done": "1"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="care_offer.onboarding.ticked").exists()


def test_other_network_application_is_404(client, network_a, coordinator_b):
    application = ProviderApplicationFactory(network=network_a)
    client.force_login(coordinator_b)
    assert client.get(reverse("care_offer:application_detail", args=[application.pk])).status_code == 404


def test_psychologist_records_own_clairvision(client, network_a, psychologist_user_a):
    client.force_login(psychologist_user_a)
    response = client.get(reverse("care_offer:clairvision_create"))
    assert response.status_code == 200 and 'data-testid="clairvision-notice"' in response.content.decode()
    response = client.post(reverse("care_offer:clairvision_create"), {
        "held_on": timezone.localdate().isoformat(), "place_text": "École du Centre", "format": "collective",
        "participants": "14", "themes": ["school"]})
    assert response.status_code == 302
    clairvision = Clairvision.objects.get()
    assert clairvision.psychologist.user == psychologist_user_a


def test_clairvision_bad_input_keeps_values(client, network_a, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("care_offer:clairvision_create"), {
        "held_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(), "place_text": "Salle Saint-Roch",
        "format": "individual", "participants": "3", "themes": []})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"held_on", "participants", "themes"} <= set(errors)
    assert "Salle Saint-Roch" in response.content.decode()


@pytest.mark.parametrize("url_name,make", [
    ("care_offer:application_list", lambda n: ProviderApplicationFactory(network=n)),
    ("care_offer:co_facilitator_list", lambda n: CoFacilitatorFactory(network=n)),
    ("care_offer:clairvision_list", lambda n: ClairvisionFactory(network=n)),
])
def test_list_queries_do_not_grow(client, network_a, coordinator_a, url_name, make):
    client.force_login(coordinator_a)
    url = reverse(url_name)
    for _i in range(3):
        make(network_a)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _i in range(27):
        make(network_a)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_pages_render_for_the_coordinator(client, network_a, coordinator_a):
    client.force_login(coordinator_a)
    for name in ("index", "supply_demand", "employer_list", "priority_list", "eligibility", "budget_rules",
                 "settings"):
        assert client.get(reverse(f"care_offer:{name}")).status_code == 200, name
    page = client.get(reverse("care_offer:budget_rules")).content.decode()
    assert 'data-testid="rule-clairvision"' in page and 'data-testid="clairvision-notice"' in page


def test_condition_saved_and_shown(client, network_a, coordinator_a):
    client.force_login(coordinator_a)
    url = reverse("care_offer:condition_update") + "?offer=group"
    assert client.post(url, {"conditions": "Deux animateurs, 4 à 15 participants"}).status_code == 302
    assert "Deux animateurs" in client.get(reverse("care_offer:budget_rules")).content.decode()


def test_supply_page_follows_a_new_request(client, network_a, zone_a, coordinator_a, monkeypatch):
    from care_offer import views

    monkeypatch.setattr(views, "SUPPLY_FRESH_SECONDS", -1)
    from partnerships import services as partnership_services
    from tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory()
    zone_a.municipalities.add(municipality)
    client.force_login(coordinator_a)
    url = reverse("care_offer:supply_demand")
    assert client.get(url).status_code == 200
    data = {"organisation_name": "École", "place_type": "school", "municipality": municipality,
            "contact_name": "Anne", "contact_email": "anne@test.example", "age_groups": ["12_17"], "needs": "n",
            "offers": ["clairvision"], "employ_interest": "no"}
    partnership_services.partnership_request_submit(data=data, language="fr", preferred_network=network_a)
    html = client.get(url).content.decode()
    assert "1 / 0" in html and "badge" in html
