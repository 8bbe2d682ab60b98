"""The provider network in Chromium: a psychologist applies for a convention (first with a malformed INAMI number
and an oversized document: clear messages, nothing typed lost), follows it through the private link of the
acknowledgement e-mail and adds a message with a document; the coordinator reviews, plans the interview (with its
place), accepts (convention created) and ticks the onboarding checklist; the applicant opens the link of the last
e-mail and reads the dated steps; the coordinator adds an item to the network's onboarding checklist; then the
clairvision, supply/demand, eligibility, budget-rule, priority, co-facilitator and employer pages. axe (WCAG 2.1 AA) on every page visited."""
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from care_offer.models import ApplicationStatus, ProviderApplication
from psynet.models import Convention, Role

from .conftest import check_accessibility, login, screenshot

pytestmark = [pytest.mark.e2e]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def care_settings(settings):
    settings.PARTNERSHIP_MIN_FILL_SECONDS = "0"
    settings.MAX_UPLOAD_MB = 1


def _pdf(name, size=None):
    data = PDF if size is None else PDF + b"0" * size
    return {"name": name, "mimeType": "application/pdf", "buffer": data}


def _follow_link(message):
    match = re.search(r"/apply/follow/[A-Za-z0-9_\-]+/", message.body)
    assert match, message.body
    return match.group(0)


def test_applicant_to_onboarding(page, live_server, demo_network, care_settings):
    network, zone, users = demo_network
    page.goto(f"{live_server.url}/apply/")
    check_accessibility(page, "apply: choose a network")
    page.locator(f"[data-testid=network-{network.code}]").click()
    check_accessibility(page, "apply: form")
    page.fill("#id_first_name", "Claire")
    page.fill("#id_last_name", "Dumont")
    page.fill("#id_email", "claire.dumont@test.example")
    page.check("#id_profession_0")
    page.fill("#id_inami_number", "1-2345-78")
    page.fill("#id_visa_number", "654321")
    page.fill("#id_qualification", "Master en psychologie clinique, UNamur, 2016")
    page.fill("#id_years_practice", "6")
    page.check("input[name=languages][value=fr]")
    page.check(f"input[name=zones][value='{zone.pk}']")
    page.check("input[name=functions][value=F2]")
    page.check("input[name=age_groups][value=adults]")
    page.check("input[name=modalities][value=outreaching]")
    page.check("input[name=modalities][value=clairvision]")
    page.fill("#id_availability", "Mardi et jeudi après-midi")
    page.set_input_files("#id_diploma", files=[_pdf("diplome.pdf", size=1024 * 1024 + 1)])
    page.set_input_files("#id_visa", files=[_pdf("visa.pdf")])
    page.check("#id_consent")
    page.locator(".application-form [type=submit]").click()
    expect(page.locator("[data-testid=form-errors]")).to_be_visible()
    expect(page.locator("#error_1_id_inami_number")).to_be_visible()
    expect(page.locator("#error_1_id_diploma")).to_contain_text("diplome.pdf")
    expect(page.locator("#id_last_name")).to_have_value("Dumont")
    expect(page.locator("#id_availability")).to_have_value("Mardi et jeudi après-midi")
    expect(page.locator("input[name=modalities][value=clairvision]")).to_be_checked()
    check_accessibility(page, "apply: form with errors")
    screenshot(page, "care_offer_apply_errors")
    page.fill("#id_inami_number", "1-23456-78-901")
    page.set_input_files("#id_diploma", files=[_pdf("diplome.pdf")])
    page.set_input_files("#id_visa", files=[_pdf("visa.pdf")])
    page.locator(".application-form [type=submit]").click()
    expect(page.locator("[data-testid=application-reference]")).to_be_visible()
    check_accessibility(page, "apply: thanks")
    application = ProviderApplication.objects.get()
    assert application.documents.count() == 2

    # the acknowledgement e-mail's private link: status, steps, a message with a document
    assert [m.to for m in mail.outbox] == [["claire.dumont@test.example"]]
    page.goto(live_server.url + _follow_link(mail.outbox[0]))
    expect(page.locator("[data-testid=step-received]")).to_be_visible()
    check_accessibility(page, "apply: follow-up page")
    page.fill("#id_body", "Je joins mon attestation de pratique clinique.")
    page.set_input_files("#id_file", files=[_pdf("attestation.pdf")])
    page.locator("[data-testid=send-message]").click()
    expect(page.locator("[data-testid=applicant-messages]")).to_contain_text("attestation.pdf")
    check_accessibility(page, "apply: follow-up page with a message")
    screenshot(page, "care_offer_follow_up")

    login(page, live_server, users[Role.NETWORK_COORDINATOR].email)
    page.goto(f"{live_server.url}/care-offer/")
    check_accessibility(page, "care offer overview")
    page.locator("[data-testid=nav-applications]").click()
    check_accessibility(page, "applications list")
    page.locator(f"[data-testid=application-{application.pk}]").click()
    check_accessibility(page, "application received")
    page.locator("[data-testid=move-reviewed]").click()
    check_accessibility(page, "review form")
    page.fill("#id_note", "Diplôme et visa vérifiés.")
    page.locator("form [type=submit][name=submit]").click()
    expect(page.locator("[data-testid=application-status]")).to_be_visible()
    page.locator("[data-testid=move-interview]").click()
    check_accessibility(page, "interview form")
    page.fill("#id_interview_at", (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT10:00"))
    page.fill("#id_interview_place", "Rue Godefroid 20, Namur")
    page.locator("form [type=submit][name=submit]").click()
    expect(page.locator("[data-testid=applicant-messages]")).to_contain_text("attestation de pratique")
    page.locator("[data-testid=move-accepted]").click()
    check_accessibility(page, "accept form")
    page.fill("#id_start_on", timezone.localdate().isoformat())
    page.fill("#id_article8_hours_per_year", "20")
    page.locator("form [type=submit][name=submit]").click()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert Convention.objects.filter(network=network, psychologist=application.psychologist).exists()
    page.locator("[data-testid=tick-convention_signed]").click()
    expect(page.locator("[data-testid=tick-convention_signed]")).to_be_visible()
    check_accessibility(page, "application accepted with onboarding")
    screenshot(page, "care_offer_onboarding")

    # one e-mail per step (received, reviewed, interview, accepted); the last link shows every dated step
    assert len([m for m in mail.outbox if m.to == ["claire.dumont@test.example"]]) == 4
    coordinator_page = page.url
    page.goto(live_server.url + _follow_link(mail.outbox[-1]))
    for step in ("received", "reviewed", "interview", "accepted"):
        expect(page.locator(f"[data-testid=step-{step}]")).to_be_visible()
    expect(page.locator("[data-testid=step-interview]")).to_contain_text("Rue Godefroid 20, Namur")
    check_accessibility(page, "apply: follow-up page, accepted")
    page.goto(coordinator_page)

    page.locator("[data-testid=nav-onboarding]").click()
    check_accessibility(page, "onboarding checklist items")
    page.locator("[data-testid=onboarding-add]").click()
    check_accessibility(page, "new onboarding item")
    page.fill("#id_code", "badge")
    page.fill("#id_label_fr", "Badge d'accès remis")
    page.fill("#id_label_nl", "Toegangsbadge overhandigd")
    page.locator("form [type=submit][name=submit]").click()
    expect(page.locator("[data-testid=onboarding-row-badge]")).to_be_visible()
    page.locator("[data-testid=up-badge]").click()
    expect(page.locator("[data-testid=onboarding-row-badge]")).to_be_visible()

    page.locator("[data-testid=nav-clairvisions]").click()
    check_accessibility(page, "clairvisions")
    page.locator("[data-testid=new-clairvision]").click()
    expect(page.locator("[data-testid=clairvision-notice]")).to_be_visible()
    check_accessibility(page, "record a clairvision")
    page.fill("#id_held_on", timezone.localdate().isoformat())
    page.fill("#id_place_text", "Salle communale de Couvin")
    page.check("#id_format_1")
    page.fill("#id_participants", "12")
    page.check("input[name=themes][value=access]")
    page.locator("form [type=submit][name=submit]").click()
    expect(page.locator("[data-testid=clairvision-count]")).to_be_visible()
    for path, name in [("supply-demand/", "supply and demand"), ("outreaching-places/", "outreaching places"),
                       ("budget-rules/", "budget rules"), ("priorities/", "priorities"),
                       ("co-facilitators/", "co-facilitators"), ("employers/", "employers"),
                       ("settings/", "settings")]:
        page.goto(f"{live_server.url}/care-offer/{path}")
        check_accessibility(page, name)


def test_coordinator_changes_a_missions_priorities(page, live_server, demo_network):
    """Issue 10: the network priorities of an article 8 mission changed from its page after its creation."""
    from care_offer.models import Priority
    from care_offer.selectors import priorities_of
    from tests.article8.factories import MissionFactory

    network, zone, users = demo_network
    south = Priority.objects.create(network=network, code="south", name_fr="Le sud de la province",
                                    name_nl="Het zuiden van de provincie")
    Priority.objects.create(network=network, code="elderly", name_fr="Les aînés", name_nl="Ouderen")
    mission = MissionFactory(network=network, zone=zone)
    login(page, live_server, users[Role.NETWORK_COORDINATOR].email)
    page.goto(f"{live_server.url}{mission.get_absolute_url()}")
    page.locator("[data-testid=edit-priorities]").click()
    check_accessibility(page, "article 8: the mission's priorities")
    page.check(f"input[name=priorities][value='{south.pk}']")
    page.locator("form [type=submit][name=submit]").click()
    expect(page.locator("[data-testid=mission-priorities]")).to_contain_text("Le sud de la province")
    check_accessibility(page, "article 8: mission with a priority")
    assert [p.code for p in priorities_of(mission)] == ["south"]
