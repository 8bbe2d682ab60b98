"""Article 8 in Chromium: a coordinator records a co-consultation request from a GP practice, takes it under
review and approves it with hours and a psychologist, the psychologist logs the activity, and the dashboard and
the public page show it. axe (WCAG 2.1 AA) on every page visited."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from article8.models import Budget, ContactHour, Mission, Offer
from psynet.models import Role
from tests.factories import ConventionFactory, OrganisationFactory, PsychologistFactory

from .conftest import check_accessibility, login, screenshot

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def article8_network(demo_network):
    network, zone, users = demo_network
    year = timezone.localdate().year
    psychologist = PsychologistFactory(user=users[Role.PSYCHOLOGIST], first_name="Alice", last_name="Lambert")
    convention = ConventionFactory(psychologist=psychologist, network=network, start_on=dt.date(year - 1, 1, 1),
                                   article8_hours_per_year=40)
    convention.zones.set([zone])
    OrganisationFactory(network=network, name="Cabinet médical du Parc", kind="gp_practice")
    Budget.objects.create(network=network, year=year, amount=Decimal("50000"), hourly_amount=Decimal("80"),
                          effective_from=dt.date(year, 1, 1))
    Offer.objects.create(network=network, mission_type="co_consultation", place_kinds=["gp_practice"],
                         description_fr="Consultation conjointe au cabinet.", description_nl="Gezamenlijke consultatie.")
    ContactHour.objects.create(network=network, psychologist=psychologist, weekday=1, starts_at=dt.time(12),
                               ends_at=dt.time(13), mode="phone", phone="081 11 22 33")
    return network, zone, users, psychologist


def _logout(page):
    page.context.clear_cookies()


def test_request_approved_delivered_and_shown(page, live_server, article8_network):
    network, zone, users, psychologist = article8_network
    year = timezone.localdate().year
    today = timezone.localdate()

    login(page, live_server, users[Role.LOCAL_COORDINATOR].email)
    page.goto(f"{live_server.url}/article8/")
    check_accessibility(page, "article8 missions (local coordinator)")
    page.locator("[data-testid=mission-create]").click()
    check_accessibility(page, "article8 record a request")
    page.fill("#id_place_name", "Cabinet des Tilleuls")
    page.select_option("#id_place_kind", "gp_practice")
    page.select_option("#id_zone", str(zone.pk))
    page.select_option("#id_mission_type", "co_consultation")
    page.fill("#id_description", "Le Dr Martin souhaite une co-consultation pour une patiente anxieuse.")
    page.fill("#id_contact_name", "Dr Martin")
    page.locator("#mission-form [type=submit]").click()
    expect(page.locator("[data-testid=mission-status]")).to_have_attribute("data-status", "received")
    check_accessibility(page, "article8 mission received")
    page.locator("[data-testid=step-review]").click()
    expect(page.locator("[data-testid=mission-status]")).to_have_attribute("data-status", "under_review")
    page.locator("[data-testid=step-approve]").click()
    check_accessibility(page, "article8 approve form")
    page.select_option("#id_psychologist", str(psychologist.pk))
    page.fill("#id_hours", "41")  # beyond the 40 contract hours: refused on the field, entry kept
    page.fill("#id_start_on", f"{year}-01-01")
    page.fill("#id_end_on", f"{year}-12-31")
    page.locator("#approve-form [type=submit]").click()
    expect(page.locator("#id_hours")).to_have_value("41")
    expect(page.locator("#id_hours")).to_have_attribute("aria-invalid", "true")
    check_accessibility(page, "article8 approve form with error")
    page.fill("#id_hours", "6")
    page.locator("#approve-form [type=submit]").click()
    expect(page.locator("[data-testid=mission-status]")).to_have_attribute("data-status", "approved")
    expect(page.locator("[data-testid=hours-approved]")).to_contain_text("6")
    screenshot(page, "article8-approved")
    mission = Mission.objects.get(place_name="Cabinet des Tilleuls")
    _logout(page)

    login(page, live_server, users[Role.PSYCHOLOGIST].email)
    page.goto(f"{live_server.url}/article8/")
    expect(page.locator("[data-testid=my-hours]")).to_be_visible()
    check_accessibility(page, "article8 missions (psychologist)")
    page.goto(f"{live_server.url}/article8/missions/{mission.pk}/")
    page.locator("[data-testid=step-log]").click()
    check_accessibility(page, "article8 log activity")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_hours", "1,5")
    page.check("#id_is_remote_0")
    page.fill("#id_participants", "2")
    page.fill("#id_theme", "Anxiété")
    page.locator("#activity-form [type=submit]").click()
    expect(page.locator("[data-testid=hours-delivered]")).to_contain_text("1,5")
    expect(page.locator("[data-testid=activity-table]")).to_contain_text("Anxiété")
    check_accessibility(page, "article8 mission with activity")
    _logout(page)

    login(page, live_server, users[Role.NETWORK_COORDINATOR].email)
    page.goto(f"{live_server.url}/article8/dashboard/?year={year}")
    expect(page.locator("[data-testid=delivered-hours]")).to_contain_text("1,5")
    expect(page.locator("[data-testid=reserved-hours]")).to_contain_text("6")
    expect(page.locator("[data-testid=table-place-kind]")).to_contain_text("1,5")
    check_accessibility(page, "article8 dashboard")
    screenshot(page, "article8-dashboard")
    _logout(page)

    page.goto(f"{live_server.url}/article8/offer/{network.code}/")
    expect(page.locator("[data-testid=public-delivered]")).to_contain_text("1,5")
    expect(page.locator("[data-testid=public-contact-hours]")).to_contain_text("081 11 22 33")
    expect(page.locator("[data-testid=how-to-ask]")).to_have_attribute(
        "href", f"/collaboration/?network={network.code}&offer=article8")
    check_accessibility(page, "article8 public page fr")
    page.goto(f"{live_server.url}/article8/offer/{network.code}/?lang=nl")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    check_accessibility(page, "article8 public page nl")
    screenshot(page, "article8-public")


def test_every_article8_page_passes_axe(page, live_server, article8_network):
    network, zone, users, psychologist = article8_network
    login(page, live_server, users[Role.NETWORK_COORDINATOR].email)
    for path in ["/article8/", "/article8/missions/new/", "/article8/contact-hours/", "/article8/contact-hours/new/",
                 "/article8/offers/", "/article8/offers/new/", "/article8/plan/", "/article8/allocations/",
                 "/article8/allocations/new/", "/article8/budget/", "/article8/settings/", "/article8/dashboard/"]:
        page.goto(live_server.url + path)
        check_accessibility(page, path)
    page.goto(f"{live_server.url}/article8/plan/")
    page.fill("#id_title", "Faire connaître l'offre")
    page.locator("#objective-form [type=submit]").click()
    page.get_by_role("link", name="Add an action").or_(page.locator("a[href*='/actions/new/']")).first.click()
    check_accessibility(page, "plan action form")
    _logout(page)
    login(page, live_server, users[Role.PSYCHOLOGIST].email)
    page.goto(f"{live_server.url}/article8/missions/propose/")
    check_accessibility(page, "propose a mission")
