"""Browser journeys of the partnerships part (issue 5), in Chromium with axe on every page visited:

- the partner: the public form (suggestions, privacy notice) → the acknowledgement e-mail's private link → the
  status → a message to the coordinators; the "try again later" page;
- the coordinators: triage → routing, assignment, contact, needs, proposal → the tripartite agreement → the three
  signatures (the partner with the link and the e-mailed code, the psychologist and the network coordinator
  logged in) → the PDF downloaded and its text checked."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from partnerships import services
from partnerships.models import Agreement, CollaborationRequest
from tests.partnerships.conftest import _fresh_partnership_state, psynam  # noqa: F401 (fixtures)

from .conftest import check_accessibility, login, screenshot

pytestmark = [pytest.mark.e2e]


def logout(page):
    page.get_by_role("button", name="Se déconnecter").click()


def mail_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_partner_journey_form_acknowledgement_status_message(page, live_server, psynam, settings):
    page.goto(f"{live_server.url}/collaboration/?network=RSN")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_test_id("preselected-network")).to_contain_text("Réseau Santé Namur")
    expect(page.get_by_test_id("clairvision-notice")).to_contain_text("supervision")
    check_accessibility(page, "collaboration form")
    page.fill("#id_organisation_name", "Maison médicale du Pont")
    page.select_option("#id_place_type", "medical_house")
    page.locator("#id_municipality_text").press_sequentially("Gemb", delay=60)
    expect(page.locator("#municipality-options option[value='5030 Gembloux']")).to_have_count(1)
    page.fill("#id_municipality_text", "5030 Gembloux")
    page.fill("#id_contact_name", "Inès Collard")
    page.fill("#id_contact_email", "ines.collard@mm-pont.example")
    page.check("input[name=age_groups][value='24_64']")
    page.check("input[name=age_groups][value='65_plus']")
    page.fill("#id_needs", "Beaucoup de patients isolés attendent une aide psychologique.")
    page.check("input[name=offers][value=outreaching]")
    page.check("input[name=offers][value=clairvision]")
    # A first try without consent: the message, and everything typed is still there.
    page.locator("form.collaboration-form [type=submit]").click()
    expect(page.locator("#id_consent")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_organisation_name")).to_have_value("Maison médicale du Pont")
    check_accessibility(page, "form with an error")
    page.check("#id_consent")
    page.locator("form.collaboration-form [type=submit]").click()
    expect(page.get_by_test_id("submitted")).to_contain_text("Réseau Santé Namur")
    check_accessibility(page, "thanks")
    screenshot(page, "partnership-thanks")

    (acknowledgement,) = mail_to("ines.collard@mm-pont.example")
    path = re.search(r"https?://[^/\s]+(/collaboration/follow/[^/\s]+/)", acknowledgement.body).group(1)
    page.goto(live_server.url + path)
    expect(page.get_by_test_id("status")).to_contain_text("reçue")
    expect(page.get_by_test_id("timeline")).to_contain_text("reçue")
    check_accessibility(page, "follow-up page")
    page.fill("#id_body", "Nous avons une salle libre le mardi après-midi.")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("[role=status]")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text("Nous avons une salle libre le mardi après-midi.")
    check_accessibility(page, "follow-up page after a message")
    screenshot(page, "partnership-follow")
    req = CollaborationRequest.objects.get()
    assert req.network.code == "RSN" and req.events.get().body.startswith("Nous avons une salle")

    page.goto(f"{live_server.url}/collaboration/privacy/?network=RSN")
    check_accessibility(page, "privacy notice")
    page.goto(f"{live_server.url}/collaboration/follow/{'x' * 43}/")
    assert "Not Found" in page.content() or page.title() != ""

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/collaboration/")
    check_accessibility(page, "collaboration form on a phone")
    settings.PARTNERSHIP_RATE_LIMIT = "0/600"
    page.fill("#id_organisation_name", "Encore")
    page.locator("form.collaboration-form [type=submit]").click()
    expect(page.locator("h1")).to_contain_text("réessayer plus tard")
    check_accessibility(page, "try again later")


def test_partner_journey_in_dutch(page, live_server, psynam):
    page.goto(f"{live_server.url}/collaboration/")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    # care_offer's notice (its Dutch catalogue may lag behind: "supervisie" or "supervision").
    expect(page.get_by_test_id("clairvision-notice")).to_contain_text(re.compile("supervisi"))
    check_accessibility(page, "collaboration form nl")


def test_coordinator_journey_triage_to_signed_pdf(page, live_server, psynam):
    data = {"organisation_name": "AMO Le Tremplin", "place_type": "youth_aid", "municipality": psynam["liege"],
            "municipality_text": "Liège", "contact_name": "Paul Renard", "contact_email": "paul@tremplin.example",
            "contact_role": "directeur", "age_groups": ["24_64"], "needs": "Jeunes adultes en rupture.",
            "offers": ["group", "art8_advice"], "employ_interest": "no", "address": "Rue du Pont 3"}
    services.partnership_request_submit(data=data, language="fr")
    req = CollaborationRequest.objects.get()
    assert req.network is None  # Liège: no network of the deployment covers it

    login(page, live_server, "coordinator@rsn.example")
    page.goto(f"{live_server.url}/partnerships/triage/")
    check_accessibility(page, "triage list")
    page.get_by_role("link", name=req.reference).click()
    expect(page.get_by_test_id("triage-reason")).to_contain_text("Liège")
    check_accessibility(page, "request in triage")
    route = page.locator("form[action$='/route/']")
    route.get_by_label("Namur Ouest").check()
    route.locator("[type=submit]").click()
    page.select_option("#id_assign-coordinator", str(psynam["rsn_lc_west"].pk))
    page.locator("form[action$='/assign/'] [type=submit]").click()
    expect(page.get_by_test_id("assigned")).to_contain_text(psynam["rsn_lc_west"].last_name)
    logout(page)

    login(page, live_server, "local@rsn.example")
    page.goto(f"{live_server.url}/partnerships/")
    check_accessibility(page, "request list")
    page.get_by_role("link", name=req.reference).click()
    page.select_option("#id_contact-channel", "phone")
    page.fill("#id_contact-summary", "Appel avec le directeur: deux groupes par mois.")
    page.locator("form[action$='/contact/'] [type=submit]").click()
    page.fill("#id_needs-analysis", "Groupes de parole mensuels et avis sur des situations.")
    page.locator("form[action$='/needs/'] [type=submit]").click()
    expect(page.get_by_test_id("status")).to_contain_text("analys")
    check_accessibility(page, "request detail")
    page.get_by_role("link", name="Proposer des psychologues").click()
    check_accessibility(page, "propose psychologists")
    page.locator(f"#candidate-{psynam['rsn_psy'].pk}").check()
    page.locator("form[method=post] [type=submit]").last.click()
    page.get_by_role("link", name=re.compile("document de tripartenariat", re.IGNORECASE)).click()
    check_accessibility(page, "agreement form")
    page.fill("#id_hours_per_period", "4")
    page.fill("#id_total_hours", "120")
    page.fill("#id_place_room", "Salle du premier étage")
    page.locator("form[method=post] [type=submit]").last.click()
    expect(page.get_by_test_id("agreement-status")).to_contain_text("brouillon")
    check_accessibility(page, "agreement detail (draft)")
    page.locator("form[action$='/send/'] [type=submit]").click()
    expect(page.get_by_test_id("agreement-status")).to_contain_text("signature")
    logout(page)

    # The partner: the private link of the e-mail, then a one-time code.
    link = re.search(r"https?://[^/\s]+(/collaboration/agreement/[^/\s]+/)",
                     mail_to("paul@tremplin.example")[-1].body).group(1)
    page.goto(live_server.url + link)
    expect(page.get_by_test_id("agreement-text")).to_contain_text("AMO Le Tremplin")
    check_accessibility(page, "agreement for the partner")
    page.get_by_role("button", name="M'envoyer un code de signature").click()
    code = re.search(r"\b(\d{6})\b", mail_to("paul@tremplin.example")[-1].body).group(1)
    page.fill("#id_code", code)
    page.check("#id_agree")
    page.get_by_role("button", name="Signer le document de tripartenariat").click()
    expect(page.locator("[role=status]")).to_contain_text("signature")
    check_accessibility(page, "agreement signed by the partner")

    agreement = Agreement.objects.get()
    for email in ("psychologist@rsn.example", "coordinator@rsn.example"):
        login(page, live_server, email)
        page.goto(f"{live_server.url}/partnerships/agreements/{agreement.pk}/")
        check_accessibility(page, f"agreement for {email}")
        page.check("#id_sign-agree")
        page.locator("form[action$='/sign/'] [type=submit]").click()
        expect(page.locator("[role=status]")).to_be_visible()
        if email.startswith("coordinator"):
            break
        logout(page)
    expect(page.get_by_test_id("agreement-status")).to_contain_text("actif")
    screenshot(page, "partnership-agreement-signed")
    with page.expect_download() as download_info:
        page.get_by_test_id("pdf-link").click()
    pdf_path = download_info.value.path()
    data = Path(pdf_path).read_bytes()
    assert data.startswith(b"%PDF")
    agreement.refresh_from_db()
    req.refresh_from_db()
    assert req.status == "active" and agreement.status == "active"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", pdf_path, "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "AMO Le Tremplin" in text and "Salle du premier étage" in text
        assert "Paul Renard" in text and "Signatures" in text
        version = agreement.versions.get()
        assert version.sha256 in text.replace("\n", "").replace(" ", "")


def test_extended_partner_form_questionnaire_article8_and_the_coordinators_view(page, live_server, psynam):
    """Issue 10 and 7: the form opened from the article 8 page preselects the article 8 offers; answering that the
    service has no care provider of its own disables co-consultation; the questionnaire and the article 8
    requests it made show on the coordinator's page."""
    from article8.models import Mission

    page.goto(f"{live_server.url}/collaboration/?network=RSN&offer=article8")
    expect(page.locator("input[name=offers][value=art8_advice]")).to_be_checked()
    expect(page.locator("input[name=offers][value=group]")).not_to_be_checked()
    page.fill("#id_organisation_name", "Service d'accompagnement étudiant HENaLLux")
    page.select_option("#id_place_type", "student_service")
    page.fill("#id_municipality_text", "5030 Gembloux")
    page.fill("#id_contact_name", "Claire Hubert")
    page.fill("#id_contact_email", "claire.hubert@henallux.example")
    page.check("input[name=age_groups][value='24_64']")
    page.fill("#id_needs", "Des étudiants anxieux avant la session.")
    page.check("input[name=problems][value=fear_of_failure]")
    page.check("input[name=problems][value=perfectionism]")
    page.check("input[name=has_own_provider][value=no]")
    expect(page.locator("input[name=support_wanted][value=co_consultation]")).to_be_disabled()
    expect(page.locator("input[name=offers][value=art8_coconsultation]")).not_to_be_checked()
    page.check("input[name=support_wanted][value=shared_hour]")
    page.fill("#id_support_themes", "Reconnaître l'anxiété")
    page.fill("#id_co1_name", "Service social de l'Université")
    page.select_option("#id_co1_place_type", "student_service")
    page.fill("#id_co1_contact", "Luc, 081 72 00 00")
    check_accessibility(page, "extended collaboration form")
    page.check("#id_consent")
    page.locator("form.collaboration-form [type=submit]").click()
    expect(page.get_by_test_id("submitted")).to_be_visible()
    req = CollaborationRequest.objects.get()
    assert req.has_own_provider == "no" and req.support_wanted == ["shared_hour"]
    assert "art8_coconsultation" not in req.offers
    assert Mission.objects.filter(source_reference__startswith=req.reference).exists()

    login(page, live_server, "coordinator@rsn.example")
    page.goto(f"{live_server.url}/partnerships/requests/{req.pk}/")
    expect(page.get_by_test_id("support-wanted")).to_be_visible()
    expect(page.get_by_test_id("co-applicants")).to_contain_text("Service social de l'Université")
    expect(page.get_by_test_id("article8-missions")).to_be_visible()
    check_accessibility(page, "request detail with the questionnaire")
    screenshot(page, "partnership-questionnaire")
