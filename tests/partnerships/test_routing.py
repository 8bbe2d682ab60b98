"""Target public → network(s), municipality → zone(s); what cannot be routed waits in a triage list."""
import pytest
from django.utils import translation
from django.utils.translation import gettext

from partnerships import routing, services
from partnerships.choices import AgeGroup, Status
from partnerships.models import CollaborationRequest
from psynet.models import AuditEntry, Notification
from tests.factories import MunicipalityFactory, NetworkFactory

from .conftest import FORM


def data(psynam, **extra):
    values = {**FORM, "municipality": psynam["andenne"], "municipality_text": "5300 Andenne"}
    values.pop("consent")
    values.update(extra)
    return values


@pytest.mark.parametrize(("groups", "kinds"), [
    (["0_2", "3_11"], {"children"}),
    (["12_17"], {"children"}),
    (["24_64"], {"adults"}),
    (["65_plus"], {"adults"}),
    (["12_17", "24_64"], {"children", "adults"}),
    (["18_23", "65_plus"], {"adults"}),
    (["18_23"], {"children"}),  # both could serve: the children/adolescents network, without a link
    (["unsure"], set()),
    ([], set()),
])
def test_kinds_for_age_groups(groups, kinds):
    assert routing.kinds_for(groups) == kinds


def test_young_adults_only_follow_the_network_of_the_link(psynam):
    assert routing.kinds_for([AgeGroup.YOUNG_ADULTS], psynam["rsn"]) == {"adults"}


def test_children_in_andenne_go_to_rsk_zone_east_and_its_local_coordinator_is_told(psynam, mailoutbox,
                                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.partnership_request_submit(data=data(psynam, age_groups=["3_11"]), language="fr")
    (req,) = submission.requests
    assert req.network == psynam["rsk"]
    assert list(req.zones.all()) == [psynam["rsk_east"]]
    assert req.triage_reason == ""
    assert req.status == Status.RECEIVED
    told = set(Notification.objects.filter(key__startswith=f"partnerships:request:{req.pk}").values_list(
        "recipient__email", flat=True))
    assert told == {"local-east@rsk.example"}
    assert AuditEntry.objects.filter(object_id=str(req.pk), action="partnerships.request.received").exists()
    acknowledgements = [m for m in mailoutbox if m.to == ["anne.dupont@ecole.example"]]
    assert len(acknowledgements) == 1 and "/collaboration/follow/" in acknowledgements[0].body
    req.refresh_from_db()
    assert req.acknowledged_at is not None


def test_namur_lies_in_both_zones_so_both_local_coordinators_are_told(psynam):
    submission = services.partnership_request_submit(
        data=data(psynam, municipality=psynam["namur"], age_groups=["24_64"]), language="fr")
    (req,) = submission.requests
    assert req.network == psynam["rsn"]
    assert {z.name for z in req.zones.all()} == {"Namur Ouest", "Namur Est"}
    told = set(Notification.objects.filter(key__startswith=f"partnerships:request:{req.pk}").values_list(
        "recipient__email", flat=True))
    assert told == {"local@rsn.example", "local-east@rsn.example"}


def test_a_public_of_children_and_adults_makes_one_request_per_network_and_one_acknowledgement(
        psynam, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.partnership_request_submit(
            data=data(psynam, age_groups=["12_17", "65_plus"]), language="nl")
    networks = sorted(r.network.code for r in submission.requests)
    assert networks == ["RSK", "RSN"]
    assert len({r.submission for r in submission.requests}) == 1
    acknowledgements = [m for m in mailoutbox if m.to == ["anne.dupont@ecole.example"]]
    assert len(acknowledgements) == 1
    assert acknowledgements[0].body.count("/collaboration/follow/") == 2
    assert CollaborationRequest.objects.filter(acknowledged_at__isnull=False).count() == 2


def test_municipality_outside_every_zone_goes_to_triage_of_the_network_of_that_kind_in_the_province(psynam):
    other_namur_village = MunicipalityFactory(nis_code="93010", name_fr="Cerfontaine", province_nis="90000")
    submission = services.partnership_request_submit(
        data=data(psynam, municipality=other_namur_village, age_groups=["24_64"]), language="fr")
    (req,) = submission.requests
    assert req.network == psynam["rsn"]  # the only adults network of the province
    assert "Cerfontaine" in req.triage_reason
    assert req.zones.count() == 0
    told = set(Notification.objects.filter(key=f"partnerships:request:{req.pk}:triage").values_list(
        "recipient__email", flat=True))
    assert told == {"coordinator@rsn.example"}


def test_no_network_in_the_province_waits_for_every_network_coordinator(psynam):
    submission = services.partnership_request_submit(
        data=data(psynam, municipality=psynam["liege"], age_groups=["24_64"]), language="fr")
    (req,) = submission.requests
    assert req.network is None
    assert "Liège" in req.triage_reason
    assert {n.code for n in req.triage_networks.all()} == {"RSK", "RSN"}
    told = set(Notification.objects.filter(key=f"partnerships:request:{req.pk}:triage").values_list(
        "recipient__email", flat=True))
    assert told == {"coordinator@rsk.example", "coordinator@rsn.example"}


def test_unknown_postal_code_goes_to_the_network_of_the_link(psynam):
    submission = services.partnership_request_submit(
        data=data(psynam, municipality=None, municipality_text="4000", age_groups=["3_11"]), language="fr",
        preferred_network=psynam["rsk"])
    (req,) = submission.requests
    assert req.network == psynam["rsk"] and "4000" in req.triage_reason


def test_unclear_public_goes_to_triage_with_the_reason(psynam):
    submission = services.partnership_request_submit(data=data(psynam, age_groups=["unsure"]), language="fr")
    (req,) = submission.requests
    assert req.network is None  # Andenne is in both networks: both coordinators triage it
    with translation.override("fr"):  # reasons are written in the deployment's language
        assert req.triage_reason == gettext("The target public is unclear: the network cannot be chosen from it.")
    assert {n.code for n in req.triage_networks.all()} == {"RSK", "RSN"}


def test_unclear_public_with_a_link_stays_in_that_network(psynam):
    submission = services.partnership_request_submit(data=data(psynam, age_groups=["unsure"]), language="fr",
                                                     preferred_network=psynam["rsn"])
    (req,) = submission.requests
    assert req.network == psynam["rsn"] and req.triage_reason
    assert list(req.zones.all()) == [psynam["rsn_east"]]


def test_a_deployment_without_network_in_the_area_still_keeps_the_request(db):
    NetworkFactory(code="ONLY", province_nis="10000")
    somewhere = MunicipalityFactory(nis_code="21004", name_fr="Bruxelles", province_nis="04000")
    submission = services.partnership_request_submit(
        data={**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": somewhere}, language="fr")
    (req,) = submission.requests
    assert req.network.code == "ONLY" and req.triage_reason
