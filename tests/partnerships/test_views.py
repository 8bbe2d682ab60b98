"""Coordinators' pages: list with filters (bounded queries), detail with timeline, actions through the views;
local coordinators see their zones, network coordinators all of the network and the triage list."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships import services
from partnerships.choices import Status
from partnerships.models import CollaborationRequest
from psynet.models import AuditEntry

from .conftest import FORM
from .factories import CollaborationRequestFactory


def submit(psynam, municipality="gembloux", groups=("24_64",), **extra):
    data = {**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": psynam[municipality],
            "age_groups": list(groups), **extra}
    return services.partnership_request_submit(data=data, language="fr").requests[0]


def bulk(psynam, count, zone="rsn_west", **kw):
    network = psynam[zone.split("_")[0]]
    requests = CollaborationRequestFactory.create_batch(count, network=network, municipality=psynam["namur"],
                                                        zones=[psynam[zone]], **kw)
    return requests


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("partnerships:index")).status_code == 302


def test_local_coordinators_see_only_their_zones(client, psynam):
    west = submit(psynam, "gembloux")
    east = submit(psynam, "andenne")
    both = submit(psynam, "namur")
    client.force_login(psynam["rsn_lc_west"])
    html = client.get(reverse("partnerships:index")).content.decode()
    assert west.reference in html and both.reference in html and east.reference not in html
    assert client.get(reverse("partnerships:request_detail", args=[east.pk])).status_code == 404
    assert client.get(reverse("partnerships:request_detail", args=[west.pk])).status_code == 200
    client.force_login(psynam["rsn_nc"])
    html = client.get(reverse("partnerships:index")).content.decode()
    assert all(r.reference in html for r in (west, east, both))


def test_the_other_network_sees_nothing(client, psynam):
    req = submit(psynam)
    client.force_login(psynam["rsk_nc"])
    assert req.reference not in client.get(reverse("partnerships:index")).content.decode()
    assert client.get(reverse("partnerships:request_detail", args=[req.pk])).status_code == 404


def test_triage_list_for_network_coordinators_only(client, psynam):
    unrouted = submit(psynam, "liege")
    client.force_login(psynam["rsn_nc"])
    html = client.get(reverse("partnerships:triage")).content.decode()
    assert unrouted.reference in html and "Liège" in html
    client.force_login(psynam["rsk_nc"])
    assert unrouted.reference in client.get(reverse("partnerships:triage")).content.decode()
    client.force_login(psynam["rsn_lc_west"])
    assert client.get(reverse("partnerships:triage")).status_code == 403


@pytest.mark.parametrize(("query", "expected"), [
    ({"status": "closed"}, {"closed"}),
    ({"due": "overdue"}, {"overdue"}),
    ({"zone": "east"}, {"east"}),
    ({"place_type": "cpms"}, {"cpms"}),
    ({"offer": "home"}, {"home"}),
    ({"q": "Lycée des Arts"}, {"text"}),
    ({}, {"open", "overdue", "east", "cpms", "home", "text"}),
])
def test_list_filters(client, psynam, query, expected):
    today = timezone.localdate()
    made = {
        "open": CollaborationRequestFactory(network=psynam["rsn"], zones=[psynam["rsn_west"]]),
        "closed": CollaborationRequestFactory(network=psynam["rsn"], zones=[psynam["rsn_west"]], status="closed",
                                              outcome="declined"),
        "overdue": CollaborationRequestFactory(network=psynam["rsn"], zones=[psynam["rsn_west"]],
                                               due_on=today - dt.timedelta(days=1)),
        "east": CollaborationRequestFactory(network=psynam["rsn"], zones=[psynam["rsn_east"]]),
        "cpms": CollaborationRequestFactory(network=psynam["rsn"], zones=[psynam["rsn_west"]], place_type="cpms"),
        "home": CollaborationRequestFactory(network=psynam["rsn"], zones=[psynam["rsn_west"]], offers=["home"]),
        "text": CollaborationRequestFactory(network=psynam["rsn"], zones=[psynam["rsn_west"]],
                                            organisation_name="Lycée des Arts"),
    }
    if "zone" in query:
        query = {"zone": psynam["rsn_east"].pk}
    client.force_login(psynam["rsn_nc"])
    response = client.get(reverse("partnerships:index"), query)
    shown = {r["pk"] for r in response.context["page"]}
    assert shown == {made[k].pk for k in expected}


@pytest.mark.parametrize("typed", ["lycee des arts", "LYCÉE", "arts", "Namen", "namur", "j.peeters@lycee",
                                   "Jan Peeters"])
def test_search_ignores_case_and_accents_and_finds_names_e_mails_and_municipalities(client, psynam, typed):
    found = CollaborationRequestFactory(network=psynam["rsn"], zones=[psynam["rsn_west"]],
                                        organisation_name="Lycée des Arts", contact_name="Jan Peeters",
                                        contact_email="j.peeters@lycee.example", municipality=psynam["namur"])
    CollaborationRequestFactory(network=psynam["rsn"], zones=[psynam["rsn_west"]], organisation_name="École du Centre",
                                municipality=psynam["andenne"])
    client.force_login(psynam["rsn_nc"])
    response = client.get(reverse("partnerships:index"), {"q": typed})
    assert [r["pk"] for r in response.context["page"]] == [found.pk]


def test_an_anonymised_request_is_no_longer_found_by_its_old_name(client, psynam):
    from partnerships.services import _anonymise

    req = CollaborationRequestFactory(network=psynam["rsn"], zones=[psynam["rsn_west"]],
                                      organisation_name="Lycée des Arts", status="closed", outcome="declined")
    _anonymise(req, now=timezone.now())
    client.force_login(psynam["rsn_nc"])
    assert not list(client.get(reverse("partnerships:index"), {"q": "Lycée"}).context["page"])


def test_search_by_reference(client, psynam):
    req = submit(psynam)
    client.force_login(psynam["rsn_nc"])
    response = client.get(reverse("partnerships:index"), {"q": req.reference})
    assert [r["pk"] for r in response.context["page"]] == [req.pk]


def test_list_queries_do_not_grow_with_rows(client, psynam, django_assert_max_num_queries):
    bulk(psynam, 5)
    client.force_login(psynam["rsn_lc_west"])
    client.get(reverse("partnerships:index"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("partnerships:index"))
    bulk(psynam, 30, zone="rsn_west")
    bulk(psynam, 10, zone="rsn_east")
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("partnerships:index"))
    assert len(response.context["page"]) == 30  # paginated


def test_detail_queries_are_bounded(client, psynam, django_assert_max_num_queries):
    req = submit(psynam)
    for i in range(15):
        services.partnership_request_message_from_partner(partnership_request=req, body=f"message {i}")
    client.force_login(psynam["rsn_nc"])
    with django_assert_max_num_queries(45):
        response = client.get(reverse("partnerships:request_detail", args=[req.pk]))
    assert response.status_code == 200
    assert "message 14" in response.content.decode()


def test_detail_timeline_shows_steps_and_messages(client, psynam):
    req = submit(psynam)
    services.partnership_request_message_from_partner(partnership_request=req, body="Bonjour, une question")
    client.force_login(psynam["rsn_nc"])
    html = client.get(reverse("partnerships:request_detail", args=[req.pk])).content.decode()
    assert "partnerships.request.received" in html and "Bonjour, une question" in html


def test_actions_through_the_pages(client, psynam):
    req = submit(psynam)
    lc = psynam["rsn_lc_west"]
    client.force_login(psynam["rsn_nc"])
    detail = reverse("partnerships:request_detail", args=[req.pk])
    assert client.post(reverse("partnerships:request_assign", args=[req.pk]),
                       {"assign-coordinator": lc.pk}).status_code == 302
    client.force_login(lc)
    client.post(reverse("partnerships:request_contact", args=[req.pk]),
                {"contact-contact_on": timezone.localdate().isoformat(), "contact-channel": "phone",
                 "contact-summary": "Premier appel"})
    client.post(reverse("partnerships:request_needs", args=[req.pk]), {"needs-analysis": "Groupes du mardi."})
    page = client.get(reverse("partnerships:request_propose", args=[req.pk]))
    assert page.status_code == 200 and psynam["rsn_psy"].last_name in page.content.decode()
    client.post(reverse("partnerships:request_propose", args=[req.pk]),
                {"psychologists": [psynam["rsn_psy"].pk], "note": "Disponible le mardi"})
    req.refresh_from_db()
    assert req.status == Status.PSYCHOLOGIST_PROPOSED and req.assigned_to == lc
    assert client.get(detail).status_code == 200
    assert AuditEntry.objects.filter(object_id=str(req.pk), actor=lc).count() == 3


def test_propose_filters_by_language_and_article8_hours(client, psynam):
    req = submit(psynam)
    client.force_login(psynam["rsn_nc"])
    url = reverse("partnerships:request_propose", args=[req.pk])
    name = psynam["rsn_psy"].last_name
    assert name in client.get(url, {"language": "nl"}).content.decode()
    assert name not in client.get(url, {"language": "en"}).content.decode()
    assert name in client.get(url, {"min_article8_left": "40"}).content.decode()
    assert name not in client.get(url, {"min_article8_left": "41"}).content.decode()


def test_wrong_role_gets_403_on_actions(client, psynam):
    req = submit(psynam)
    client.force_login(psynam["rsn_committee"])
    assert client.post(reverse("partnerships:request_decline", args=[req.pk]),
                       {"decline-reason": "x"}).status_code == 403
    client.force_login(psynam["rsn_lc_east"])  # the right role, another zone: the request does not exist for them
    assert client.post(reverse("partnerships:request_decline", args=[req.pk]),
                       {"decline-reason": "x"}).status_code == 404
    req.refresh_from_db()
    assert req.status == Status.RECEIVED


def test_invalid_transition_through_a_page_gives_a_message(client, psynam):
    req = submit(psynam)
    client.force_login(psynam["rsn_nc"])
    response = client.post(reverse("partnerships:request_needs", args=[req.pk]),
                           {"needs-analysis": "Analyse écrite trop tôt"})
    assert response.status_code == 409
    assert CollaborationRequest.objects.get(pk=req.pk).status == Status.RECEIVED
    assert list(response.context["messages"])


def test_an_incomplete_action_form_comes_back_with_its_errors_and_what_was_typed(client, psynam):
    req = submit(psynam)
    client.force_login(psynam["rsn_nc"])
    response = client.post(reverse("partnerships:request_contact", args=[req.pk]),
                           {"contact-summary": "Appel à la directrice, rappel prévu", "contact-channel": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Appel à la directrice, rappel prévu" in html and "is-invalid" in html
    assert [str(m) for m in response.context["messages"]]
    assert CollaborationRequest.objects.get(pk=req.pk).status == Status.RECEIVED


def test_route_from_triage_page(client, psynam):
    req = submit(psynam, "liege")
    client.force_login(psynam["rsn_nc"])
    html = client.get(reverse("partnerships:request_detail", args=[req.pk])).content.decode()
    assert "Liège" in html
    client.post(reverse("partnerships:request_route", args=[req.pk]), {"route-zones": [psynam["rsn_east"].pk]})
    req.refresh_from_db()
    assert req.network == psynam["rsn"] and list(req.zones.all()) == [psynam["rsn_east"]]


def test_projection_page_computes_and_shows_euros(client, psynam):
    req = submit(psynam, employ_interest="yes")
    client.force_login(psynam["rsn_lc_west"])
    url = reverse("partnerships:request_projection", args=[req.pk])
    assert "83.00" in client.get(url).content.decode()  # the default fee of the network settings
    response = client.post(url, {"hours_per_week": "19", "weeks_per_year": "46", "occupancy_percent": "85",
                                 "session_fee": "83.00", "annual_salary_cost": "42000", "other_annual_costs": "1500",
                                 "note": ""}, follow=True)
    html = response.content.decode()
    # 19 h × 46 weeks × 85 % = 743 sessions × 83 € = 61 669,00 €; cost 43 500,00 €; balance 18 169,00 €.
    assert "61\xa0669,00\xa0€" in html and "43\xa0500,00\xa0€" in html and "18\xa0169,00\xa0€" in html


def test_settings_page(client, psynam):
    client.force_login(psynam["rsn_nc"])
    response = client.post(reverse("partnerships:settings"), {"retention_months": "12", "link_validity_days": "90",
                                                              "session_fee": "83.00"})
    assert response.status_code == 302
    assert services.settings_for(psynam["rsn"]).retention_months == 12
    assert AuditEntry.objects.filter(action="partnerships.settings.updated").exists()


def test_event_file_download_checks_the_zone(client, psynam):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_follow import PDF

    req = submit(psynam, "gembloux")
    event = services.partnership_request_message_from_partner(partnership_request=req, body="",
                                                              upload=SimpleUploadedFile("x.pdf", PDF))
    client.force_login(psynam["rsn_lc_east"])
    assert client.get(reverse("partnerships:event_file", args=[event.pk])).status_code == 404
    client.force_login(psynam["rsn_lc_west"])
    assert client.get(reverse("partnerships:event_file", args=[event.pk])).status_code == 200


def test_home_panel_counts(client, psynam):
    submit(psynam, "liege")
    client.force_login(psynam["rsn_nc"])
    html = client.get(reverse("home")).content.decode()
    assert "Collaboration requests" in html or "Demandes de collaboration" in html or "triage" in html.lower()
