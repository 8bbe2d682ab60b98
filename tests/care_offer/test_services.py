import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from care_offer import selectors, services
from care_offer.models import ApplicationStatus, OnboardingTick, PlaceTypeEligibility, ProviderProfile
from psynet.models import AuditEntry, Convention, OrganisationKind, Psychologist
from tests.factories import ConventionFactory, OrganisationFactory, PsychologistFactory

from .factories import PDF, ClairvisionFactory, PriorityFactory, ProviderApplicationFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _data(**over):
    data = {"first_name": "Claire", "last_name": "Dumont", "email": "claire@test.example", "phone": "",
            "profession": "psychologist", "inami_number": "1-23456-78-901", "visa_number": "123456",
            "qualification": "Master", "years_practice": 4, "languages": ["fr"], "functions": ["F2"],
            "age_groups": ["adults"], "modalities": ["outreaching"], "availability": "lundi", "motivation": ""}
    data.update(over)
    return data


# ---- the application and its steps -------------------------------------------------------------------------


def test_submit_stores_documents_and_audits(network_a, zone_a):
    upload = SimpleUploadedFile("diplome.pdf", PDF, content_type="application/pdf")
    application = services.application_submit(network=network_a, data=_data(), zones=[zone_a],
                                              documents=[("diploma", upload)], language="fr")
    assert application.inami_number == "12345678901"
    assert application.documents.get().file_type == "application/pdf"
    assert AuditEntry.objects.filter(action="care_offer.application.received", object_id=str(application.pk)).exists()


def test_submit_refuses_years_below_network_minimum_and_accepts_at_the_edge(network_a):
    services.care_offer_settings_update(network=network_a, by=None, min_years_practice=3, accepts_applications=True)
    with pytest.raises(services.CareOfferError) as exc:
        services.application_submit(network=network_a, data=_data(years_practice=2), zones=[], documents=[],
                                    language="fr")
    assert exc.value.field == "years_practice"
    assert services.application_submit(network=network_a, data=_data(years_practice=3), zones=[], documents=[],
                                       language="fr").pk


def test_document_type_is_read_from_the_bytes():
    fake = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    with pytest.raises(services.UploadRefused):
        services.check_document(fake)


def test_document_over_the_limit_is_refused(settings):
    settings.MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    with pytest.raises(services.UploadRefused) as exc:
        services.check_document(big)
    assert "1 Mo" in exc.value.message  # French, the default language


def test_full_journey_to_acceptance_creates_psychologist_and_convention(network_a, zone_a, coordinator_a):
    application = ProviderApplicationFactory(network=network_a, inami_number="12345678901")
    application = services.application_review(application=application, by=coordinator_a, note="ok")
    assert application.status == S.REVIEWED and application.reviewed_by == coordinator_a
    when = timezone.now() + dt.timedelta(days=3)
    application = services.application_plan_interview(application=application, by=coordinator_a, interview_at=when)
    assert application.status == S.INTERVIEW
    application = services.application_accept(
        application=application, by=coordinator_a, start_on=dt.date(2025, 1, 1), end_on=None, functions=["F2"],
        age_groups=["adults"], article8_hours_per_year=20, zones=[zone_a])
    assert application.status == S.ACCEPTED and application.decided_by == coordinator_a
    psychologist = Psychologist.objects.get(inami_number="12345678901")
    convention = Convention.objects.get(psychologist=psychologist, network=network_a)
    assert list(convention.zones.all()) == [zone_a] and convention.article8_hours_per_year == 20
    assert ProviderProfile.objects.get(psychologist=psychologist).modalities == application.modalities
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"care_offer.application.reviewed", "care_offer.application.interview", "care_offer.application.accepted",
            "psynet.psychologist.created", "psynet.convention.saved"} <= actions


def test_acceptance_reuses_a_psychologist_known_by_inami(network_a, coordinator_a):
    known = PsychologistFactory(inami_number="12345678901")
    application = ProviderApplicationFactory(network=network_a, inami_number="12345678901", status=S.REVIEWED)
    services.application_accept(application=application, by=coordinator_a, start_on=dt.date(2025, 1, 1),
                                end_on=None, functions=["F2"], age_groups=["adults"], article8_hours_per_year=0,
                                zones=[])
    assert Psychologist.objects.filter(inami_number="12345678901").count() == 1
    assert known.conventions.filter(network=network_a).exists()


def test_refusal_needs_a_reason(network_a, coordinator_a):
    application = ProviderApplicationFactory(network=network_a)
    with pytest.raises(services.CareOfferError):
        services.application_refuse(application=application, by=coordinator_a, reason="  ")
    refused = services.application_refuse(application=application, by=coordinator_a, reason="Pas de visa")
    assert refused.status == S.REFUSED and refused.refusal_reason == "Pas de visa"


def test_local_coordinator_reviews_but_cannot_decide(network_a, zone_a, local_coordinator_a):
    application = ProviderApplicationFactory(network=network_a)
    application.zones.set([zone_a])
    services.application_review(application=application, by=local_coordinator_a)
    with pytest.raises(PermissionDenied):
        services.application_refuse(application=application, by=local_coordinator_a, reason="non")
    application.refresh_from_db()
    assert application.status == S.REVIEWED


def test_accepted_application_cannot_be_refused(network_a, coordinator_a):
    application = ProviderApplicationFactory(network=network_a, status=S.REVIEWED)
    services.application_accept(application=application, by=coordinator_a, start_on=dt.date(2025, 1, 1),
                                end_on=None, functions=["F2"], age_groups=["adults"], article8_hours_per_year=0,
                                zones=[])
    with pytest.raises(services.InvalidTransition):
        services.application_refuse(application=application, by=coordinator_a, reason="trop tard")


def test_stale_version_is_a_conflict(network_a, coordinator_a):
    application = ProviderApplicationFactory(network=network_a)
    services.application_review(application=application, by=coordinator_a, expected_version=1)
    with pytest.raises(services.EditConflict):
        services.application_refuse(application=application, by=coordinator_a, reason="x", expected_version=1)


def test_received_cannot_jump_to_accepted(network_a, coordinator_a):
    application = ProviderApplicationFactory(network=network_a)
    with pytest.raises(services.InvalidTransition):
        services.application_accept(application=application, by=coordinator_a, start_on=dt.date(2025, 1, 1),
                                    end_on=None, functions=["F2"], age_groups=["adults"],
                                    article8_hours_per_year=0, zones=[])
    assert not Psychologist.objects.filter(inami_number=application.inami_number).exists()


def test_onboarding_tick_and_untick_are_audited_and_idempotent(network_a, coordinator_a):
    application = ProviderApplicationFactory(network=network_a, status=S.REVIEWED)
    application = services.application_accept(
        application=application, by=coordinator_a, start_on=dt.date(2025, 1, 1), end_on=None, functions=["F2"],
        age_groups=["adults"], article8_hours_per_year=0, zones=[])
    item = services.onboarding_items(network_a)[0]
    assert services.onboarding_toggle(application=application, item=item, done=True, by=coordinator_a)
    assert not services.onboarding_toggle(application=application, item=item, done=True, by=coordinator_a)
    assert OnboardingTick.objects.count() == 1
    assert services.onboarding_toggle(application=application, item=item, done=False, by=coordinator_a)
    assert OnboardingTick.objects.count() == 0
    assert AuditEntry.objects.filter(action="care_offer.onboarding.unticked").count() == 1


def test_onboarding_waits_for_acceptance(network_a, coordinator_a):
    application = ProviderApplicationFactory(network=network_a)
    item = services.onboarding_items(network_a)[0]
    with pytest.raises(services.CareOfferError):
        services.onboarding_toggle(application=application, item=item, done=True, by=coordinator_a)


# ---- outreaching eligibility -------------------------------------------------------------------------------


def test_every_core_place_kind_has_a_rule():
    assert set(PlaceTypeEligibility.objects.values_list("place_kind", flat=True)) == set(OrganisationKind.values)


@pytest.mark.parametrize("kind,eligible", [("school", True), ("gp_practice", True), ("elderly_care", True),
                                           ("other", False), ("employer", False)])
def test_outreach_check_follows_the_type_rule(network_a, kind, eligible):
    ok, text = services.outreach_place_check(OrganisationFactory(network=network_a, kind=kind))
    assert ok is eligible and text


def test_home_counts_as_outreaching():
    ok, text = services.outreach_place_check(None)
    assert ok and text


def test_override_wins_over_the_type_both_ways(network_a, coordinator_a):
    ssm = OrganisationFactory(network=network_a, kind="other", name="SSM de Namur")
    ok, _text = services.outreach_place_check(ssm)
    assert not ok
    services.place_override_save(organisation=ssm, eligible=False, reason="Service de santé mentale", by=coordinator_a)
    ok, text = services.outreach_place_check(ssm)
    assert not ok and "Service de santé mentale" in text
    school_in_hospital = OrganisationFactory(network=network_a, kind="school")
    services.place_override_save(organisation=school_in_hospital, eligible=False, reason="École à l'hôpital "
                                 "psychiatrique", by=coordinator_a)
    assert not services.outreach_place_check(school_in_hospital)[0]
    assert set(selectors.ineligible_outreach_places(network_a)) == {ssm, school_in_hospital}
    services.place_override_remove(organisation=school_in_hospital, by=coordinator_a)
    assert services.outreach_place_check(school_in_hospital)[0]


def test_a_kind_without_rule_is_refused_until_decided(network_a):
    PlaceTypeEligibility.objects.filter(place_kind="prison").delete()
    ok, text = services.outreach_place_check(OrganisationFactory(network=network_a, kind="prison"))
    assert not ok and "prison" in text.lower()


def test_override_requires_the_coordinator(network_a, local_coordinator_a):
    with pytest.raises(PermissionDenied):
        services.place_override_save(organisation=OrganisationFactory(network=network_a), eligible=True,
                                     reason="x", by=local_coordinator_a)


# ---- clairvisions and priorities --------------------------------------------------------------------------


def test_clairvision_rules(network_a, coordinator_a):
    today = timezone.localdate()
    with pytest.raises(services.CareOfferError) as exc:
        services.clairvision_record(network=network_a, by=coordinator_a, held_on=today, format="individual",
                                    participants=2, themes=["anxiety"], place_text="École")
    assert exc.value.field == "participants"
    with pytest.raises(services.CareOfferError) as exc:
        services.clairvision_record(network=network_a, by=coordinator_a, held_on=today + dt.timedelta(days=1),
                                    format="collective", participants=8, themes=["anxiety"], place_text="École")
    assert exc.value.field == "held_on"
    with pytest.raises(services.CareOfferError):
        services.clairvision_record(network=network_a, by=coordinator_a, held_on=today, format="collective",
                                    participants=8, themes=["anxiety"])
    c = services.clairvision_record(network=network_a, by=coordinator_a, held_on=today, format="individual",
                                    participants=1, themes=["anxiety"], place_text="École")
    assert AuditEntry.objects.filter(action="care_offer.clairvision.recorded", object_id=str(c.pk)).exists()


def test_clairvisions_count_per_year(network_a, network_b):
    ClairvisionFactory(network=network_a, held_on=dt.date(2024, 3, 1), participants=10)
    ClairvisionFactory(network=network_a, held_on=dt.date(2024, 12, 31), format="individual", participants=1)
    ClairvisionFactory(network=network_a, held_on=dt.date(2025, 1, 1), participants=5)
    ClairvisionFactory(network=network_b, held_on=dt.date(2024, 5, 1), participants=7)
    assert selectors.clairvisions_count(network_a, 2024) == {"total": 2, "individual": 1, "collective": 1,
                                                             "participants": 11}


def test_activity_per_priority(network_a, coordinator_a):
    south = PriorityFactory(network=network_a, code="south")
    older = PriorityFactory(network=network_a, code="older")
    year = timezone.localdate().year
    c = services.clairvision_record(network=network_a, by=coordinator_a, held_on=timezone.localdate(),
                                    format="collective", participants=9, themes=["ageing"], place_text="Couvin",
                                    priorities=[south, older])
    organisation = OrganisationFactory(network=network_a)
    services.priority_tag(priority=south, target=organisation, by=coordinator_a)
    rows = {r["priority"].code: r for r in selectors.activity_per_priority(network_a, year)}
    assert rows["south"]["clairvisions"] == 1 and rows["south"]["participants"] == 9 and rows["south"]["total"] == 2
    assert rows["older"]["total"] == 1
    assert list(selectors.priorities_of(c)) == sorted([south, older], key=lambda p: p.name_fr)


def test_priority_cannot_tag_another_networks_object(network_a, network_b, coordinator_a):
    priority = PriorityFactory(network=network_a)
    with pytest.raises(services.CareOfferError):
        services.priority_tag(priority=priority, target=OrganisationFactory(network=network_b), by=coordinator_a)


def test_budget_rules_in_force_from_june_2023():
    assert set(selectors.budget_rules_in_force(dt.date(2023, 6, 1))) == {"outreaching", "group", "clairvision"}
    assert selectors.budget_rules_in_force(dt.date(2023, 5, 31)) == {}


def test_co_facilitators_in_lists_active_only(network_a, coordinator_a):
    active = services.co_facilitator_save(network=network_a, by=coordinator_a, first_name="A", last_name="B",
                                          kind="expert", organisation=None, profession="", email="", phone="",
                                          languages=["fr"], is_active=True)
    services.co_facilitator_save(network=network_a, by=coordinator_a, first_name="C", last_name="D",
                                 kind="professional", organisation=None, profession="", email="", phone="",
                                 languages=["fr"], is_active=False)
    assert list(selectors.co_facilitators_in(network_a)) == [active]


# ---- supply and demand --------------------------------------------------------------------------------------


def test_supply_demand_counts_requests_against_conventions(network_a, zone_a, zone_a2, coordinator_a):
    from partnerships import services as partnership_services
    from tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory()
    zone_a.municipalities.add(municipality)
    data = {"organisation_name": "Maison de repos", "place_type": "elderly_care", "municipality": municipality,
            "contact_name": "Anne", "contact_email": "anne@test.example", "age_groups": ["65_plus"], "needs": "n",
            "offers": ["group", "art8_advice"], "employ_interest": "no"}
    partnership_services.partnership_request_submit(data=data, language="fr", preferred_network=network_a)
    psychologist = PsychologistFactory(languages=["fr", "nl"])
    convention = ConventionFactory(psychologist=psychologist, network=network_a, start_on=dt.date(2020, 1, 1),
                                   age_groups=["adults"], article8_hours_per_year=0)
    convention.zones.set([zone_a2])
    result = selectors.supply_demand(network_a)
    rows = {r["zone"]: r for r in result["rows"]}
    a1 = rows[zone_a.name]
    assert a1["requests"] == 1 and a1["psychologists"] == 0
    older = next(c for c in a1["age"] if c["key"] == "65_plus")
    assert older == {"key": "65_plus", "demand": 1, "supply": 0, "shortage": True}
    assert next(c for c in a1["modality"] if c["key"] == "article8")["demand"] == 1
    a2 = rows[zone_a2.name]
    assert a2["psychologists"] == 1
    assert next(c for c in a2["language"] if c["key"] == "nl")["supply"] == 1
