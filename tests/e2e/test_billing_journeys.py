"""The psychologist's billing journey in Chromium: register → refused with the reason → statement PDF."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from billing.loader import load_rules
from psynet.models import Role
from tests.billing.factories import niss_for
from tests.factories import ConventionFactory, PsychologistFactory

from .conftest import check_accessibility, login, screenshot

pytestmark = [pytest.mark.e2e]


def test_psychologist_registers_is_refused_and_downloads_statement(page, live_server, demo_network):
    network, zone, users = demo_network
    load_rules()
    psychologist = PsychologistFactory(user=users[Role.PSYCHOLOGIST])
    ConventionFactory(psychologist=psychologist, network=network, start_on=dt.date(2021, 9, 1),
                      functions=["F2", "F3"], age_groups=["adults"])
    day = dt.date.today() - dt.timedelta(days=1)
    niss = niss_for(dt.date(1985, 7, 30), counter=33)

    login(page, live_server, users[Role.PSYCHOLOGIST].email)
    page.goto(f"{live_server.url}/billing/")
    check_accessibility(page, "billing dashboard")
    page.locator("#register-session").click()
    check_accessibility(page, "billing register")
    page.fill("#id_national_number", niss)
    page.fill("#id_date", day.isoformat())
    page.select_option("#id_function", "F2")
    page.select_option("#id_setting", "practice")
    page.locator("#session-form-submit").click()
    expect(page.locator("#session-table")).to_contain_text("P-")
    check_accessibility(page, "billing sessions")

    # the same patient the same day: refused, with the rule and the date it would be allowed, input kept
    page.locator("#register-session").click()
    page.fill("#id_national_number", niss)
    page.fill("#id_date", day.isoformat())
    page.select_option("#id_function", "F3")
    page.locator("#session-form-submit").click()
    expect(page.locator("#refusal")).to_contain_text("ONE_PER_DAY")
    expect(page.locator("#id_national_number")).to_have_value(niss)
    check_accessibility(page, "billing refusal")
    screenshot(page, "billing-refusal")

    page.goto(f"{live_server.url}/billing/statements/")
    check_accessibility(page, "billing statements")
    page.fill("#id_month", f"{day:%Y-%m}")
    page.locator("#statement-generate").click()
    expect(page.locator("#statement-current")).to_be_visible()
    check_accessibility(page, "billing statement")
    with page.expect_download() as info:
        page.locator("#download-pdf").click()
    path = info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"
