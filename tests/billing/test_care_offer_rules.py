"""Issue 10 in billing: outreaching only at eligible places (the rule quoted), the functional assessment before
specialised / F3 sessions beyond the first (a rule driven by quota.csv), the coordinator's list of sessions that
break the outreaching rule, and the "average 8 / 10 sessions" indicator (never a refusal)."""
import datetime as dt
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import services
from billing.dashboard import compute, specialised_average
from billing.importer import run_import
from billing.models import Band, CareSession, FunctionalAssessment, GroupSession, QuotaRule
from billing.rules import Refusal
from psynet.models import AuditEntry, OrganisationKind
from tests.factories import OrganisationFactory

from .conftest import TODAY
from .factories import niss_for

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 1, 6)


def register(network, psychologist, niss, day, function="F2", setting="practice", **kw):
    return services.session_register(network=network, psychologist=psychologist, niss=niss, date=day,
                                     function=function, setting=setting, is_bim=False, today=TODAY, **kw)


def assess(network, psychologist, niss, day):
    return services.functional_assessment_record(network=network, psychologist=psychologist, niss=niss, date=day,
                                                 outcome="treatment", by=None, today=TODAY)


@pytest.fixture
def employer_place(network_a):
    """A type whose rule says "not eligible" (care_offer migration: an employer is a workplace)."""
    return OrganisationFactory(network=network_a, kind=OrganisationKind.EMPLOYER, name="Centre employeur")


@pytest.fixture
def ssm_place(network_a, coordinator_a):
    """A school (eligible type) that the network decided is not eligible: a mental-health service."""
    from care_offer.services import place_override_save

    place = OrganisationFactory(network=network_a, kind=OrganisationKind.SCHOOL, name="SSM déguisé")
    place_override_save(organisation=place, eligible=False, reason="Service de santé mentale agréé",
                        by=coordinator_a)
    return place


# ---- outreaching eligibility ---------------------------------------------------------------------------------

def test_outreach_at_ineligible_type_is_refused_with_the_rule_quoted(book, network_a, psy_a, employer_place):
    from care_offer.models import PlaceTypeEligibility

    with pytest.raises(Refusal) as exc:
        register(network_a, psy_a, niss_for(dt.date(1980, 1, 1)), DAY, setting="outreach", place=employer_place)
    assert exc.value.rule == "OUTREACH_ELIGIBILITY" and exc.value.field == "place"
    assert PlaceTypeEligibility.objects.get(place_kind="employer").reason in exc.value.message
    assert not CareSession.objects.exists()


def test_outreach_at_place_the_network_excluded_is_refused(book, network_a, psy_a, ssm_place):
    with pytest.raises(Refusal) as exc:
        register(network_a, psy_a, niss_for(dt.date(1980, 1, 1)), DAY, setting="outreach", place=ssm_place)
    assert "Service de santé mentale agréé" in exc.value.message


def test_outreach_at_eligible_place_and_other_settings_at_ineligible_place_pass(book, network_a, psy_a, place_a,
                                                                                employer_place):
    assert register(network_a, psy_a, niss_for(dt.date(1980, 1, 1)), DAY, setting="outreach", place=place_a)
    # the rule is about outreaching: a video session recorded with that place is not an outreaching claim
    assert register(network_a, psy_a, niss_for(dt.date(1981, 1, 1)), DAY, setting="video", place=employer_place)


def test_group_outreach_at_ineligible_place_is_refused(book, network_a, psy_a, employer_place):
    participants = [(niss_for(dt.date(1980, 1, 1), counter=i), False) for i in range(1, 6)]
    with pytest.raises(Refusal) as exc:
        services.group_session_register(
            network=network_a, psychologist=psy_a, date=DAY, function="F2", setting="outreach",
            fee_code=book.group_fee_codes(DAY)[0], duration_minutes=book.int_parameter("GROUP_DURATION_MINUTES", DAY),
            participants=participants, co_facilitator="Expert", place=employer_place, today=TODAY, book=book)
    assert exc.value.rule == "OUTREACH_ELIGIBILITY"
    assert not GroupSession.objects.exists()


def test_import_without_place_keeps_accepting_outreach_rows(book, network_a, psy_a):
    data = ("national_number,session_date,psychologist_inami,function,format,setting,bim,group_ref,fee_variant\n"
            f"{niss_for(dt.date(1975, 1, 1))},2025-01-06,{psy_a.inami_number},F2,individual,outreach,no,,\n").encode()
    _report, counts = run_import(network=network_a, data=data, today=TODAY)
    assert counts == {"accepted": 1}


def test_refusal_page_quotes_the_rule_and_keeps_the_input(client, book, coordinator_a, psy_a, employer_place):
    client.force_login(coordinator_a)
    number = niss_for(dt.date(1980, 1, 1), counter=9)
    response = client.post(reverse("billing:session_create"), {
        "psychologist": psy_a.pk, "national_number": number, "date": DAY.isoformat(), "function": "F2",
        "setting": "outreach", "place": employer_place.pk})
    body = response.content.decode()
    assert response.status_code == 422 and "OUTREACH_ELIGIBILITY" in body
    assert number in body and f'value="{employer_place.pk}" selected' in body


# ---- the coordinator's list of sessions that break the rule ---------------------------------------------------

def _legacy_outreach(network, psychologist, place, count, first=DAY):
    """Sessions registered before the check (or before the place became ineligible): written as they were."""
    sessions = [register(network, psychologist, niss_for(dt.date(1970, 1, 1) + timedelta(days=i)),
                         first, setting="outreach", place=place) for i in range(count)]
    return sessions


def test_breach_list_shows_sessions_at_places_now_ineligible(client, book, coordinator_a, network_a, psy_a,
                                                             place_a):
    from care_offer.services import place_override_save

    kept = register(network_a, psy_a, niss_for(dt.date(1990, 1, 1)), DAY, setting="practice", place=place_a)
    breach = _legacy_outreach(network_a, psy_a, place_a, 1)[0]
    place_override_save(organisation=place_a, eligible=False, reason="Hôpital psychiatrique", by=coordinator_a)
    client.force_login(coordinator_a)
    response = client.get(reverse("billing:outreach_breaches"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="breach-individual-{breach.pk}"' in body and "Hôpital psychiatrique" in body
    assert f'data-testid="breach-individual-{kept.pk}"' not in body


def test_breach_list_is_for_the_network_coordinator_only(client, book, admin_a, psychologist_user_a,
                                                         coordinator_b, coordinator_a, network_a, psy_a, place_a):
    from care_offer.services import place_override_save

    breach = _legacy_outreach(network_a, psy_a, place_a, 1)[0]
    place_override_save(organisation=place_a, eligible=False, reason="SSM", by=coordinator_a)
    url = reverse("billing:outreach_breaches")
    assert client.get(url).status_code == 302
    for user in (admin_a, psychologist_user_a):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(coordinator_b)  # their own network's list: network A's session is not in it
    response = client.get(url)
    assert response.status_code == 200 and f"breach-individual-{breach.pk}" not in response.content.decode()


def test_breach_list_queries_do_not_grow(client, book, coordinator_a, network_a, psy_a, place_a):
    from care_offer.services import place_override_save

    client.force_login(coordinator_a)
    url = reverse("billing:outreach_breaches")
    _legacy_outreach(network_a, psy_a, place_a, 3)
    place_override_save(organisation=place_a, eligible=False, reason="SSM", by=coordinator_a)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    other = OrganisationFactory(network=network_a, kind=OrganisationKind.SCHOOL)
    _legacy_outreach(network_a, psy_a, other, 27, first=DAY + timedelta(days=1))
    place_override_save(organisation=other, eligible=False, reason="SSM 2", by=coordinator_a)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('data-testid="breach-individual-') == 30
    assert len(many) == len(few)


# ---- functional assessment before specialised / F3 sessions beyond the first ----------------------------------

def test_rule_data_requires_the_assessment_after_one_session(book):
    for model, band, function in (("2021", Band.ADULT, "specialised"), ("2021", Band.YOUTH, "specialised"),
                                  ("2024", Band.ADULT, "F3"), ("2024", Band.YOUTH, "F3")):
        rule = QuotaRule.objects.get(model=model, band=band, function=function, format="individual")
        assert rule.assessment_after == 1
    assert not QuotaRule.objects.filter(function="F2", assessment_after__isnull=False).exists()


def test_first_f3_session_passes_without_assessment_second_is_refused(book, network_a, psy_a):
    niss = niss_for(dt.date(1980, 1, 1))
    assert register(network_a, psy_a, niss, DAY, function="F3")
    with pytest.raises(Refusal) as exc:
        register(network_a, psy_a, niss, DAY + timedelta(days=7), function="F3")
    assert exc.value.rule == "ASSESSMENT_2024_F3"
    assert "bilan fonctionnel" in exc.value.message and "Enregistrez-le" in exc.value.message  # French by default
    assert CareSession.objects.count() == 1


def test_assessment_dated_the_session_day_passes_the_day_after_does_not(book, network_a, psy_a):
    niss = niss_for(dt.date(1980, 1, 1))
    second = DAY + timedelta(days=7)
    register(network_a, psy_a, niss, DAY, function="F3")
    assess(network_a, psy_a, niss, second + timedelta(days=1))
    with pytest.raises(Refusal):
        register(network_a, psy_a, niss, second, function="F3")
    assess(network_a, psy_a, niss, second)
    assert register(network_a, psy_a, niss, second, function="F3")


def test_specialised_2021_needs_the_assessment_too(book, network_a, psy_a):
    niss = niss_for(dt.date(1980, 1, 1))
    day = dt.date(2023, 5, 2)
    register(network_a, psy_a, niss, day, function="specialised")
    with pytest.raises(Refusal) as exc:
        register(network_a, psy_a, niss, day + timedelta(days=7), function="specialised")
    assert exc.value.rule == "ASSESSMENT_2021_SPECIALISED"
    assess(network_a, psy_a, niss, day)
    assert register(network_a, psy_a, niss, day + timedelta(days=7), function="specialised")


def test_f2_sessions_never_need_the_assessment(book, network_a, psy_a):
    niss = niss_for(dt.date(1980, 1, 1))
    for i in range(3):
        register(network_a, psy_a, niss, DAY + timedelta(days=7 * i), function="F2")
    assert CareSession.objects.count() == 3


def test_import_applies_the_assessment_rule(book, network_a, psy_a):
    niss = niss_for(dt.date(1975, 1, 1))
    other = niss_for(dt.date(1976, 1, 1))
    assess(network_a, psy_a, other, DAY)
    data = ("national_number,session_date,psychologist_inami,function,format,setting,bim,group_ref,fee_variant\n"
            + "".join(f"{n},{(DAY + timedelta(days=7 * i)).isoformat()},{psy_a.inami_number},F3,individual,"
                      f"practice,no,,\n" for n in (niss, other) for i in range(2))).encode()
    report, counts = run_import(network=network_a, data=data, today=TODAY)
    assert counts == {"accepted": 3, "refused": 1}
    assert [r[2] for r in report if r[1] == "refused"] == ["ASSESSMENT_2024_F3"]


def test_assessment_service_refuses_bad_input(book, network_a, psy_a):
    with pytest.raises(services.BillingError) as exc:
        services.functional_assessment_record(network=network_a, psychologist=psy_a, niss="123", date=DAY,
                                              outcome="treatment", by=None, today=TODAY)
    assert exc.value.field == "national_number"
    with pytest.raises(services.BillingError) as exc:
        services.functional_assessment_record(network=network_a, psychologist=psy_a,
                                              niss=niss_for(dt.date(1980, 1, 1)), date=TODAY + timedelta(days=1),
                                              outcome="treatment", by=None, today=TODAY)
    assert exc.value.field == "date"
    niss = niss_for(dt.date(1980, 1, 1))
    assess(network_a, psy_a, niss, DAY)
    with pytest.raises(services.BillingError):
        assess(network_a, psy_a, niss, DAY)


# ---- assessment pages ---------------------------------------------------------------------------------------

def test_assessment_pages_permissions(client, book, committee_a, coordinator_b):
    for name in ("billing:assessment_list", "billing:assessment_create"):
        assert client.get(reverse(name)).status_code == 302
    client.force_login(committee_a)
    assert client.get(reverse("billing:assessment_create")).status_code == 403
    assert client.post(reverse("billing:assessment_create"), {}).status_code == 403


def test_psychologist_records_own_assessment_with_audit(client, book, psychologist_user_a, psy_a):
    client.force_login(psychologist_user_a)
    number = niss_for(dt.date(1980, 1, 1), counter=3)
    response = client.post(reverse("billing:assessment_create"), {
        "national_number": number, "date": DAY.isoformat(), "outcome": "treatment"})
    assert response.status_code == 302
    assessment = FunctionalAssessment.objects.get()
    assert assessment.psychologist == psy_a and assessment.recorded_by == psychologist_user_a
    entry = AuditEntry.objects.get(action="billing.assessment.recorded")
    assert number not in str(entry.after)
    body = client.get(reverse("billing:assessment_list")).content.decode()
    assert str(assessment.patient) in body


def test_assessment_bad_input_keeps_what_was_typed(client, book, coordinator_a, psy_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("billing:assessment_create"), {
        "psychologist": psy_a.pk, "national_number": "12345678901", "date": DAY.isoformat(),
        "outcome": "referral"})
    body = response.content.decode()
    assert response.status_code == 422 and "12345678901" in body and "is-invalid" in body
    assert not FunctionalAssessment.objects.exists()


def test_assessment_list_queries_do_not_grow(client, book, coordinator_a, network_a, psy_a):
    client.force_login(coordinator_a)
    url = reverse("billing:assessment_list")
    for i in range(3):
        assess(network_a, psy_a, niss_for(dt.date(1980, 1, 1) + timedelta(days=i)), DAY)
    client.get(url)  # warm-up: per-user caches filled
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(3, 30):
        assess(network_a, psy_a, niss_for(dt.date(1980, 1, 1) + timedelta(days=i)), DAY)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# ---- the "average 8 / 10 sessions" indicator ------------------------------------------------------------------

def test_rule_data_keeps_the_individual_cap_and_the_network_averages(book):
    adult = QuotaRule.objects.get(model="2024", band=Band.ADULT, function="F3", format="individual")
    youth = QuotaRule.objects.get(model="2024", band=Band.YOUTH, function="F3", format="individual")
    assert (adult.max_sessions, adult.network_average) == (20, 8)
    assert (youth.max_sessions, youth.network_average) == (20, 10)


def test_average_above_the_network_average_is_shown_never_refused(book, network_a, psy_a):
    rule = QuotaRule.objects.get(model="2024", band=Band.ADULT, function="F3", format="individual")
    heavy, light = niss_for(dt.date(1980, 1, 1)), niss_for(dt.date(1981, 1, 1))
    first = TODAY - timedelta(days=7 * (rule.network_average + 3))
    assess(network_a, psy_a, heavy, first)
    for i in range(rule.network_average + 2):  # beyond the average: still accepted
        register(network_a, psy_a, heavy, first + timedelta(days=7 * i), function="F3")
    register(network_a, psy_a, light, first, function="F3")
    rows = specialised_average(network_a, TODAY)
    f3 = next(r for r in rows if r["function"] == "F3")
    sessions = rule.network_average + 3
    assert (f3["patients"], f3["sessions"], f3["target"]) == (2, sessions, rule.network_average)
    assert f3["average"] == round(sessions / 2, 1) and f3["above"] == (sessions / 2 > rule.network_average)
    assert compute(network_a, None, TODAY)["specialised_average"] == rows
    assert compute(network_a, psy_a, TODAY)["specialised_average"] == []


def test_dashboard_shows_the_indicator(client, book, coordinator_a, network_a, psy_a):
    register(network_a, psy_a, niss_for(dt.date(1980, 1, 1)), TODAY - timedelta(days=3), function="F3")
    client.force_login(coordinator_a)
    body = client.get(reverse("billing:index")).content.decode()
    assert 'data-testid="specialised-average"' in body and 'data-testid="average-F3"' in body
