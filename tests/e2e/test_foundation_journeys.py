import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from psynet.models import Role

from .conftest import check_accessibility, login, screenshot

pytestmark = [pytest.mark.e2e]


def test_each_role_logs_in_and_lands_on_its_home_page(page, live_server, demo_network):
    _, _, users = demo_network
    page.goto(f"{live_server.url}/accounts/login/")
    check_accessibility(page, "login")
    for role in Role.values:
        login(page, live_server, users[role].email)
        expect(page.locator("[data-testid=home-panels]")).to_have_attribute("data-role", role)
        expect(page.locator("[data-testid=active-network]")).to_contain_text("RSN")
        check_accessibility(page, f"home {role}")
        screenshot(page, f"home-{role}")
        page.get_by_role("button", name="Se déconnecter").click()
        expect(page).to_have_url(re.compile("/accounts/login/"))


def test_switch_to_dutch_and_back(page, live_server, demo_network):
    _, _, users = demo_network
    login(page, live_server, users[Role.NETWORK_COORDINATOR].email)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()
    page.goto(f"{live_server.url}/network/members/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")  # remembered on the next page
    check_accessibility(page, "members nl")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_coordinator_invites_a_member_who_sets_a_password_and_logs_in(page, live_server, demo_network):
    _, zone, users = demo_network
    login(page, live_server, users[Role.NETWORK_COORDINATOR].email)
    page.goto(f"{live_server.url}/network/members/invite/")
    check_accessibility(page, "invite form")
    page.fill("#id_email", "nouvelle.coordinatrice@rsn.example")
    page.fill("#id_first_name", "Inès")
    page.fill("#id_last_name", "Bauduin")
    page.select_option("#id_role", Role.LOCAL_COORDINATOR)
    page.get_by_label("Namur Ouest").check()
    page.locator("form [type=submit]").last.click()
    expect(page.locator("[role=status]")).to_contain_text("nouvelle.coordinatrice@rsn.example")
    check_accessibility(page, "members list")
    link = re.search(r"https?://[^/]+(/accounts/password/set/\S+/)", mail.outbox[-1].body).group(1)
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(live_server.url + link)
    check_accessibility(page, "set password")
    page.fill("#id_new_password1", "Une-phrase-de-passe-solide-2026")
    page.fill("#id_new_password2", "Une-phrase-de-passe-solide-2026")
    page.locator("form [type=submit]").last.click()
    page.get_by_role("link", name=re.compile("accueil", re.I)).click()
    expect(page.locator("[data-testid=home-panels]")).to_have_attribute("data-role", Role.LOCAL_COORDINATOR)
    page.get_by_role("button", name="Se déconnecter").click()
    login(page, live_server, "nouvelle.coordinatrice@rsn.example", "Une-phrase-de-passe-solide-2026")
    expect(page.locator("[data-testid=home-panels]")).to_be_visible()


def test_coordinator_pages_are_accessible(page, live_server, demo_network):
    _, _, users = demo_network
    login(page, live_server, users[Role.NETWORK_COORDINATOR].email)
    for path in ["/network/zones/", "/network/zones/new/", "/network/psychologists/", "/network/psychologists/new/",
                 "/network/audit/", "/network/organisations/new/"]:
        page.goto(live_server.url + path)
        check_accessibility(page, path)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/network/psychologists/new/")
    page.locator("form [type=submit]").last.click()
    expect(page.locator(".is-invalid").first).to_be_focused()
    check_accessibility(page, "errors at 320px")
    screenshot(page, "psychologist-form-errors-320")
