"""Issue 10 in the agreements and requests: the clairvision notice of care_offer where clairvisions are chosen
or received, outreaching only at eligible places (refused with the rule quoted, existing breaches listed),
co-facilitators recorded by the network, and network priorities on requests and agreements. Issue 4 of the
brief: the row locks on PostgreSQL."""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from care_offer.models import CoFacilitator, PlaceEligibilityOverride, Priority
from care_offer.selectors import priorities_of
from partnerships import agreements, services
from partnerships.models import Agreement, CollaborationRequest
from psynet.models import AuditEntry
from tests.factories import OrganisationFactory

from .conftest import FORM
from .factories import make_agreement, version_of


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def submit(psynam, **over):
    data = {**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": psynam["gembloux"],
            "age_groups": ["24_64"], **over}
    return services.partnership_request_submit(data=data, language="fr").requests[0]


def agreement_for(psynam, **terms):
    return make_agreement(network=psynam["rsn"], psychologist=psynam["rsn_psy"], signatory=psynam["rsn_nc"],
                          zone=psynam["rsn_west"], **terms)


def post_data(psynam, **over):
    today = timezone.localdate()
    return {"partner_name": "Service X", "partner_signatory_name": "Anne", "partner_signatory_email": "a@x.example",
            "psychologist": psynam["rsn_psy"].pk, "network_signatory": psynam["rsn_nc"].pk,
            "zone": psynam["rsn_west"].pk, "language": "fr", "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=200)).isoformat(), "hours_per_period": "2", "hours_unit": "week",
            "total_hours": "50", "modalities": ["individual"], "signing_order": "partner,psychologist,network",
            "target_public": "Jeunes du quartier", **over}


# ---- outreaching only at eligible places -----------------------------------------------------------------------


def test_outreaching_at_an_ineligible_organisation_is_refused_with_the_rule(psynam):
    place = OrganisationFactory(network=psynam["rsn"], kind="other", name="Service de santé mentale Sud")
    with pytest.raises(agreements.AgreementRefused) as refused:
        agreement_for(psynam, organisation=place)
    assert "Service de santé mentale Sud" in refused.value.message
    assert "santé mentale" in refused.value.message and "outreaching" in refused.value.message
    assert not Agreement.objects.exists()


def test_group_sessions_at_the_same_place_are_not_outreaching(psynam):
    place = OrganisationFactory(network=psynam["rsn"], kind="other")
    assert agreement_for(psynam, organisation=place, modalities=["group"]).pk


def test_the_networks_decision_for_one_place_wins_over_its_type(psynam):
    place = OrganisationFactory(network=psynam["rsn"], kind="other", name="Maison de quartier")
    PlaceEligibilityOverride.objects.create(organisation=place, eligible=True, reason="Lieu de vie du quartier")
    assert agreement_for(psynam, organisation=place).organisation == place
    school = OrganisationFactory(network=psynam["rsn"], kind="school", name="École Y")
    PlaceEligibilityOverride.objects.create(organisation=school, eligible=False, reason="Couvert par un autre budget")
    with pytest.raises(agreements.AgreementRefused, match="Couvert par un autre budget"):
        agreement_for(psynam, organisation=school)


def test_without_an_organisation_the_requests_place_type_is_checked(psynam):
    other = submit(psynam, place_type="other", place_type_other="service de santé mentale")
    with pytest.raises(agreements.AgreementRefused, match="outreaching"):
        _create_with_request(psynam, other)
    school = submit(psynam, contact_email="b@school.example")
    assert _create_with_request(psynam, school).pk


def _create_with_request(psynam, req):
    """An agreement attached to ``req`` (without going through its pipeline)."""
    agreement = Agreement(network=psynam["rsn"], request=req, partner_name=req.organisation_name,
                          partner_signatory_name="A", partner_signatory_email="a@x.example",
                          psychologist=psynam["rsn_psy"], network_signatory=psynam["rsn_nc"], zone=psynam["rsn_west"],
                          starts_on=timezone.localdate(), ends_on=timezone.localdate() + dt.timedelta(days=30),
                          hours_per_period=1, total_hours=4, modalities=["individual"],
                          signing_order=["partner", "psychologist", "network"])
    agreements._check_terms(agreement)
    agreement.save()
    return agreement


def test_an_update_listing_outreaching_at_an_ineligible_place_is_refused(psynam):
    place = OrganisationFactory(network=psynam["rsn"], kind="other")
    agreement = agreement_for(psynam, organisation=place, modalities=["group"])
    with pytest.raises(agreements.AgreementRefused, match="outreaching"):
        agreements.agreement_update(agreement=agreement, by=psynam["rsn_nc"], modalities=["group", "individual"])
    agreement.refresh_from_db()
    assert agreement.modalities == ["group"] and version_of(agreement).number == 1


def test_the_form_refuses_it_with_the_rule_and_keeps_everything_typed(client, psynam):
    place = OrganisationFactory(network=psynam["rsn"], kind="other", name="Hôpital psychiatrique Z")
    client.force_login(psynam["rsn_nc"])
    response = client.post(reverse("partnerships:agreement_create"), post_data(psynam, organisation=place.pk),
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hôpital psychiatrique Z" in html and "outreaching" in html
    assert "Jeunes du quartier" in html and 'value="Service X"' in html
    assert not Agreement.objects.exists()


def _breaking(psynam, n):
    place = OrganisationFactory(network=psynam["rsn"], kind="other", name="Lieu non éligible")
    made = []
    for _i in range(n):
        agreement = agreement_for(psynam, organisation=place, modalities=["group"])
        made.append(agreement)
    Agreement.objects.filter(pk__in=[a.pk for a in made]).update(modalities=["group", "individual"])
    return made


def test_existing_agreements_that_break_the_rule_are_listed_with_the_rule(client, psynam):
    breaking = _breaking(psynam, 2)
    fine = agreement_for(psynam, organisation=OrganisationFactory(network=psynam["rsn"], kind="school"))
    ended = _breaking(psynam, 1)[0]
    Agreement.objects.filter(pk=ended.pk).update(status="ended")
    client.force_login(psynam["rsn_nc"])
    response = client.get(reverse("partnerships:agreement_outreach_breaches"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="breach-row"') == 2
    for agreement in breaking:
        assert agreement.reference in html
    assert fine.reference not in html and ended.reference not in html
    assert "Type inconnu" in html  # the type's rule, quoted
    detail = client.get(reverse("partnerships:agreement_detail", args=[breaking[0].pk])).content.decode()
    assert 'data-testid="outreach-refusal"' in detail


@pytest.mark.parametrize("count", [3, 10])
def test_the_breach_list_makes_a_fixed_number_of_queries(client, psynam, count, django_assert_max_num_queries):
    _breaking(psynam, count)
    client.force_login(psynam["rsn_nc"])
    url = reverse("partnerships:agreement_outreach_breaches")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    assert html.count('data-testid="breach-row"') == count
    test_the_breach_list_makes_a_fixed_number_of_queries.counts[count] = len(ctx.captured_queries)
    if len(test_the_breach_list_makes_a_fixed_number_of_queries.counts) == 2:
        assert len(set(test_the_breach_list_makes_a_fixed_number_of_queries.counts.values())) == 1


test_the_breach_list_makes_a_fixed_number_of_queries.counts = {}


def test_the_breach_list_is_for_coordinators(client, psynam):
    url = reverse("partnerships:agreement_outreach_breaches")
    assert client.get(url).status_code == 302
    client.force_login(psynam["rsn_psy_user"])
    assert client.get(url).status_code == 403


# ---- co-facilitators recorded by the network -----------------------------------------------------------------


def test_co_facilitators_are_chosen_from_the_network_and_named_in_the_text(client, psynam):
    expert = CoFacilitator.objects.create(network=psynam["rsn"], first_name="Jules", last_name="Pair",
                                          kind="expert")
    elsewhere = CoFacilitator.objects.create(network=psynam["rsk"], first_name="Kim", last_name="Autre",
                                             kind="professional")
    client.force_login(psynam["rsn_nc"])
    form_html = client.get(reverse("partnerships:agreement_create")).content.decode()
    assert "Jules Pair" in form_html and "Kim Autre" not in form_html
    response = client.post(reverse("partnerships:agreement_create"),
                           post_data(psynam, modalities=["group"], co_facilitator_people=[expert.pk]))
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.co_facilitator_ids == [expert.pk]
    assert "Jules Pair" in version_of(agreement).text
    with pytest.raises(agreements.AgreementRefused, match="co-animateurs"):
        agreements.agreement_update(agreement=agreement, by=psynam["rsn_nc"], co_facilitator_ids=[elsewhere.pk])


# ---- network priorities --------------------------------------------------------------------------------------


@pytest.fixture
def priorities(psynam):
    return {"south": Priority.objects.create(network=psynam["rsn"], code="south", name_fr="Le sud de la province",
                                             name_nl="Het zuiden"),
            "older": Priority.objects.create(network=psynam["rsn"], code="older", name_fr="Les aînés",
                                             name_nl="Ouderen"),
            "other": Priority.objects.create(network=psynam["rsk"], code="1000", name_fr="Les 1000 premiers jours",
                                             name_nl="De eerste 1000 dagen")}


def test_a_coordinator_tags_a_request_with_priorities(client, psynam, priorities):
    req = submit(psynam)
    client.force_login(psynam["rsn_lc_west"])
    url = reverse("partnerships:request_detail", args=[req.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="priorities-form"' in html and "Les aînés" in html and "1000 premiers" not in html
    response = client.post(reverse("partnerships:request_priorities", args=[req.pk]),
                           {"priorities-priorities": [priorities["south"].pk, priorities["older"].pk]})
    assert response.status_code == 302
    assert {p.code for p in priorities_of(req)} == {"south", "older"}
    client.post(reverse("partnerships:request_priorities", args=[req.pk]),
                {"priorities-priorities": [priorities["older"].pk]})
    assert [p.code for p in priorities_of(req)] == ["older"]
    assert AuditEntry.objects.filter(action="care_offer.priority.tagged").count() == 2
    assert AuditEntry.objects.filter(action="care_offer.priority.untagged").count() == 1
    assert 'data-testid="priorities"' in client.get(url).content.decode()


def test_another_networks_priority_is_refused(client, psynam, priorities):
    req = submit(psynam)
    with pytest.raises(services.PartnershipError):
        services.request_priorities_set(partnership_request=req, priorities=[priorities["other"]],
                                        by=psynam["rsn_nc"])
    client.force_login(psynam["rsn_nc"])
    client.post(reverse("partnerships:request_priorities", args=[req.pk]),
                {"priorities-priorities": [priorities["other"].pk]})
    assert priorities_of(req).count() == 0


def test_priorities_on_requests_need_the_right_role(client, psynam, priorities):
    req = submit(psynam)
    client.force_login(psynam["rsn_committee"])
    response = client.post(reverse("partnerships:request_priorities", args=[req.pk]),
                           {"priorities-priorities": [priorities["south"].pk]})
    assert response.status_code == 403
    client.force_login(psynam["rsk_nc"])
    response = client.post(reverse("partnerships:request_priorities", args=[req.pk]),
                           {"priorities-priorities": [priorities["south"].pk]})
    assert response.status_code == 404
    assert priorities_of(req).count() == 0


def test_an_agreement_carries_priorities_outside_its_signed_text(client, psynam, priorities):
    client.force_login(psynam["rsn_nc"])
    response = client.post(reverse("partnerships:agreement_create"),
                           post_data(psynam, modalities=["group"], priorities=[priorities["south"].pk]))
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert [p.code for p in priorities_of(agreement)] == ["south"]
    sha = version_of(agreement).sha256
    agreements.agreement_update(agreement=agreement, by=psynam["rsn_nc"], priorities=[priorities["older"]])
    assert [p.code for p in priorities_of(agreement)] == ["older"]
    assert version_of(agreement).sha256 == sha  # the text did not change
    html = client.get(reverse("partnerships:agreement_detail", args=[agreement.pk])).content.decode()
    assert re.search(r'data-testid="priorities">[^<]*Les aînés', html)
    edit = client.get(reverse("partnerships:agreement_edit", args=[agreement.pk])).content.decode()
    assert re.search(rf'value="{priorities["older"].pk}"[^>]*checked', edit)


# ---- the clairvision notice --------------------------------------------------------------------------------


def test_the_clairvision_notice_where_clairvisions_are_chosen_or_received(client, psynam):
    req = submit(psynam, offers=["clairvision"])
    agreement = agreement_for(psynam, modalities=["clairvision"])
    plain = agreement_for(psynam, modalities=["group"])
    client.force_login(psynam["rsn_nc"])
    assert 'data-testid="clairvision-notice"' in client.get(reverse("partnerships:agreement_create")).content.decode()
    detail = client.get(reverse("partnerships:agreement_detail", args=[agreement.pk])).content.decode()
    assert 'data-testid="clairvision-notice"' in detail and "supervision" in detail
    assert 'data-testid="clairvision-notice"' not in client.get(
        reverse("partnerships:agreement_detail", args=[plain.pk])).content.decode()
    client.logout()
    raw = agreements._new_partner_link(agreement)
    agreement.status = "sent"
    agreement.save()
    public = client.get(reverse("collaboration:agreement", args=[raw]))
    assert public.status_code == 200 and 'data-testid="clairvision-notice"' in public.content.decode()
    token = services._new_link(req)
    CollaborationRequest.objects.filter(pk=req.pk).update(access_token_hash=req.access_token_hash,
                                                          access_token_expires_at=req.access_token_expires_at)
    follow = client.get(reverse("collaboration:follow", args=[token]))
    assert 'data-testid="clairvision-notice"' in follow.content.decode()


# ---- PostgreSQL: row locks with outer joins -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_row_locks_work_on_postgresql_with_nullable_joins(psynam):
    """``FOR UPDATE cannot be applied to the nullable side of an outer join``: the locks take ``of=("self",)``.
    Routing a triaged request (no network yet: the join to it is an outer one) and editing an agreement
    (nullable request and zone) lock their rows on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("the FOR UPDATE OF clause is checked on PostgreSQL")
    req = submit(psynam, age_groups=["unsure"], municipality=psynam["andenne"], offers=["art8_advice"])
    assert req.network is None
    routed = services.partnership_request_route(partnership_request=req, zones=[psynam["rsn_east"]],
                                                by=psynam["rsn_nc"])
    assert routed.network == psynam["rsn"]
    from article8.models import Mission

    assert Mission.objects.filter(network=psynam["rsn"], status="received").count() == 1
    services.partnership_request_assign(partnership_request=routed, coordinator=psynam["rsn_lc_east"],
                                        by=psynam["rsn_nc"])
    agreement = agreement_for(psynam, modalities=["group"])
    agreements.agreement_update(agreement=agreement, by=psynam["rsn_nc"], hours_per_period=3)
    agreement.refresh_from_db()
    assert agreement.hours_per_period == 3
