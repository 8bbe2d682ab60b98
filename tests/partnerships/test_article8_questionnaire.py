"""Issue 7: the article 8 offers of a collaboration request become article 8 requests once it is routed to a
network. Issue 10: the partner questionnaire of seed 004 in the public form (problems met, own care provider as
the condition of a co-consultation, support wanted with themes, co-applicants), on the detail page and in the
GDPR export."""
import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from article8.models import Mission, MissionSource, MissionStatus
from partnerships import services
from partnerships.models import CollaborationRequest
from psynet.models import AuditEntry

from .conftest import FORM

URL = "/collaboration/"


def submit(psynam, **over):
    data = {**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": psynam["andenne"],
            "age_groups": ["24_64"], **over}
    return services.partnership_request_submit(data=data, language="fr").requests[0]


# ---- issue 7: article 8 offers become article 8 requests ----------------------------------------------------


def test_article8_offers_of_a_routed_request_become_article8_requests_received(psynam):
    req = submit(psynam, offers=["group", "art8_advice", "art8_knowledge"])
    assert req.network == psynam["rsn"] and not req.in_triage
    missions = Mission.objects.filter(network=psynam["rsn"]).order_by("mission_type")
    assert [m.mission_type for m in missions] == ["advice", "knowledge_sharing"]
    for mission in missions:
        assert mission.status == MissionStatus.RECEIVED
        assert mission.source == MissionSource.PARTNERSHIP
        assert mission.source_reference.startswith(f"{req.reference}:")
        assert mission.place_name == FORM["organisation_name"] and mission.place_kind == "school"
        assert mission.zone == psynam["rsn_east"]
        assert mission.contact_email == FORM["contact_email"]
        assert FORM["needs"] in mission.description
    assert AuditEntry.objects.filter(action="partnerships.request.article8_missions").count() == 1


def test_every_article8_offer_maps_onto_a_mission_type(psynam):
    submit(psynam, offers=["art8_place", "art8_advice", "art8_coconsultation", "art8_knowledge"],
           has_own_provider="yes")
    assert set(Mission.objects.values_list("mission_type", flat=True)) == {
        "place_work", "advice", "co_consultation", "knowledge_sharing"}


def test_a_request_without_article8_offers_makes_no_mission(psynam):
    submit(psynam, offers=["group", "clairvision"])
    assert not Mission.objects.exists()


def test_a_request_in_triage_makes_its_missions_when_routed_and_only_once(psynam):
    req = submit(psynam, age_groups=["unsure"], offers=["art8_advice"])
    assert req.network is None
    assert not Mission.objects.exists()
    services.partnership_request_route(partnership_request=req, zones=[psynam["rsn_west"]], by=psynam["rsn_nc"])
    mission = Mission.objects.get()
    assert mission.network == psynam["rsn"] and mission.zone == psynam["rsn_west"]
    assert mission.status == MissionStatus.RECEIVED and mission.created_by == psynam["rsn_nc"]
    req.refresh_from_db()
    assert services.article8_missions_create(req, by=psynam["rsn_nc"]) == [mission]  # idempotent
    assert Mission.objects.count() == 1


def test_the_support_wanted_becomes_article8_missions_too(psynam):
    submit(psynam, offers=["group"], support_wanted=["team_meeting", "shared_hour", "knowledge"],
           problems=["anxiety", "bullying"], support_themes="le sommeil")
    missions = {m.mission_type: m for m in Mission.objects.all()}
    assert set(missions) == {"advice", "knowledge_sharing"}
    assert "le sommeil" in missions["advice"].description


def test_the_article8_mission_is_linked_from_the_request_page(client, psynam):
    req = submit(psynam, offers=["art8_advice"])
    client.force_login(psynam["rsn_nc"])
    html = client.get(reverse("partnerships:request_detail", args=[req.pk])).content.decode()
    mission = Mission.objects.get()
    assert reverse("article8:mission_detail", args=[mission.pk]) in html


def test_the_form_opened_from_the_article8_page_preselects_the_article8_offers(client, psynam):
    html = client.get(URL + "?network=RSN&offer=article8").content.decode()
    for value in ("art8_place", "art8_advice", "art8_coconsultation", "art8_knowledge"):
        assert re.search(rf'value="{value}"[^>]*checked', html), value
    assert not re.search(r'value="group"[^>]*checked', html)
    # The plain form (cached separately) preselects none.
    plain = client.get(URL + "?network=RSN").content.decode()
    assert not re.search(r'value="art8_advice"[^>]*checked', plain)


def test_a_public_submission_with_article8_offers_makes_the_missions(client, psynam, form_data):
    response = client.post(URL + "?network=RSN&offer=article8",
                           {**form_data, "municipality_text": "5300", "age_groups": ["24_64"],
                            "offers": ["art8_advice"]})
    assert response.status_code == 302
    req = CollaborationRequest.objects.get()
    assert Mission.objects.get().source_reference == f"{req.reference}:advice"


# ---- issue 10: the partner questionnaire -------------------------------------------------------------------


def test_the_form_asks_the_questionnaire(client, psynam):
    html = client.get(URL).content.decode()
    for name in ("problems", "problems_other", "has_own_provider", "support_wanted", "support_themes",
                 "co1_name", "co1_place_type", "co1_contact", "co3_name"):
        assert f'name="{name}"' in html, name
    assert 'value="school_dropout"' in html and 'value="shared_hour"' in html
    assert "js/partnerships.js" in html


def test_the_questionnaire_is_stored(client, psynam, form_data):
    data = {**form_data, "problems": ["school_dropout", "perfectionism", "other"], "problems_other": "isolement",
            "has_own_provider": "yes", "support_wanted": ["co_consultation", "advice"],
            "support_themes": "Comment aborder la santé mentale", "co1_name": "Service social étudiant",
            "co1_place_type": "student_service", "co1_contact": "Luc, luc@ses.example",
            "co2_name": "CPMS Namur", "co2_place_type": "cpms", "co2_contact": ""}
    response = client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    req = CollaborationRequest.objects.get()
    assert req.problems == ["school_dropout", "perfectionism", "other"] and req.problems_other == "isolement"
    assert req.has_own_provider == "yes" and req.support_wanted == ["co_consultation", "advice"]
    assert req.support_themes == "Comment aborder la santé mentale"
    assert req.co_applicants == [
        {"name": "Service social étudiant", "place_type": "student_service", "contact": "Luc, luc@ses.example"},
        {"name": "CPMS Namur", "place_type": "cpms", "contact": ""}]


def test_co_consultation_without_own_provider_is_refused_and_everything_typed_kept(client, psynam, form_data):
    data = {**form_data, "problems": ["anxiety"], "has_own_provider": "no",
            "support_wanted": ["co_consultation", "knowledge"], "offers": ["art8_coconsultation", "group"],
            "support_themes": "Stress des examens", "co1_name": "Haute École X", "co1_place_type": "student_service"}
    with translation.override("en"):
        response = client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert not CollaborationRequest.objects.exists()
    assert html.count("prestataire de soins ou d") >= 2  # help text and the messages (French by default)
    for value in ("Stress des examens", "Haute École X", FORM["organisation_name"], FORM["needs"]):
        assert value in html
    assert re.search(r'value="knowledge"[^>]*checked', html)
    assert re.search(r'value="no"[^>]*checked', html)


def test_a_co_applicant_row_needs_a_name_and_a_type(client, psynam, form_data):
    response = client.post(URL, {**form_data, "co2_contact": "Marie 081 11 22 33"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Marie 081 11 22 33" in html
    assert 'id="error_1_id_co2_name"' in html or "co2_name" in html
    assert not CollaborationRequest.objects.exists()


def test_existing_requests_without_the_questionnaire_keep_working(client, psynam):
    req = submit(psynam)
    CollaborationRequest.objects.filter(pk=req.pk).update(problems=[], support_wanted=[], co_applicants=[],
                                                          has_own_provider="")
    client.force_login(psynam["rsn_nc"])
    response = client.get(reverse("partnerships:request_detail", args=[req.pk]))
    assert response.status_code == 200
    assert 'data-testid="support-wanted"' not in response.content.decode()


def test_the_questionnaire_shows_on_the_detail_page_and_in_the_gdpr_export(client, psynam):
    req = submit(psynam, problems=["eating", "low_mood"], has_own_provider="no", support_wanted=["shared_hour"],
                 support_themes="Troubles du sommeil",
                 co_applicants=[{"name": "AMO Voisine", "place_type": "youth_aid", "contact": "Paul"}])
    client.force_login(psynam["rsn_nc"])
    with translation.override("en"):
        html = client.get(reverse("partnerships:request_detail", args=[req.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    for testid in ("problems", "own-provider", "support-wanted", "co-applicants"):
        assert f'data-testid="{testid}"' in html
    assert "Troubles du sommeil" in html and "AMO Voisine" in html and "Paul" in html
    data = json.loads(client.post(reverse("partnerships:gdpr_export"), {"email": FORM["contact_email"]}).content)
    exported = data["requests"][0]
    assert exported["problems"] == ["eating", "low_mood"] and exported["has_own_provider"] == "no"
    assert exported["support_wanted"] == ["shared_hour"] and exported["support_themes"] == "Troubles du sommeil"
    assert exported["co_applicants"] == [{"name": "AMO Voisine", "place_type": "youth_aid", "contact": "Paul"}]


def test_anonymisation_removes_the_co_applicants_contacts_and_themes(psynam):
    req = submit(psynam, support_themes="Thèmes", co_applicants=[{"name": "AMO", "place_type": "youth_aid",
                                                                  "contact": "Paul"}])
    services.gdpr_erase(network=psynam["rsn"], email=FORM["contact_email"], by=psynam["rsn_nc"])
    req.refresh_from_db()
    assert req.support_themes == "" and req.co_applicants == [{"place_type": "youth_aid"}]


def test_the_detail_page_queries_do_not_grow_with_article8_missions(client, psynam):
    one = submit(psynam, offers=["art8_advice"])
    four = submit(psynam, offers=["art8_advice", "art8_knowledge", "art8_place", "art8_coconsultation"],
                  has_own_provider="yes", contact_email="other@ecole.example")
    client.force_login(psynam["rsn_nc"])
    counts = []
    for req in (one, four):
        url = reverse("partnerships:request_detail", args=[req.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
