"""Issue 9 in Chromium, axe on every page visited: the coordinator inserts the year's figures into an answer of
the 2024 report; the committee validates it (figures frozen); the federal viewer opens the overview of the
networks, RSN's validated report and its PDF. Elements are found by id / data-testid."""
import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from annual_reports import services
from annual_reports.models import AnnualReport, Answer
from figures.models import FiguresSnapshot
from tests.annual_reports.factories import sample_value
from tests.factories import UserFactory, ZoneFactory
from tests.figures.factories import build_fixed_year

from .conftest import check_accessibility, login, screenshot

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def rsn_2024(demo_network):
    call_command("load_report_template", "annual_reports/report_templates/2024.yaml")
    network, zone, users = demo_network
    build_fixed_year(network, zone, ZoneFactory(network=network, name="Namur Est"), users["network_coordinator"])
    report = services.report_create(network=network, year=2024, by=users["network_coordinator"])
    for question in report.template.structure.required_questions:
        services.answer_save(report=report, question_code=question.code, value=sample_value(question),
                             expected_version=0, by=users["network_coordinator"])
    viewer = UserFactory(email="federal@psynam.example", is_federal_viewer=True)
    return network, report, users, viewer


def test_coordinator_inserts_figures_then_viewer_reads_the_validated_report(page, live_server, rsn_2024):
    network, report, users, viewer = rsn_2024
    login(page, live_server, "network_coordinator@rsn.example")
    page.goto(f"{live_server.url}/reports/{report.pk}/chapters/finance_billing/")
    check_accessibility(page, "chapter with the insert button")
    page.get_by_test_id("insert-figures-finance_billing_a").click()
    expect(page.locator("#f-finance_billing_a")).to_have_value(__import__("re").compile("727112"))
    answer = Answer.objects.get(report=report, question_code="finance_billing_a")
    assert "350,50" in answer.value and answer.version == 2
    check_accessibility(page, "chapter after inserting")
    for path in ("/figures/?year=2024", "/figures/information-moments/", "/figures/information-moments/new/",
                 "/figures/operating-costs/"):
        page.goto(f"{live_server.url}{path}")
        check_accessibility(page, path)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    expect(page.get_by_test_id("figures-status")).to_be_visible()
    check_accessibility(page, "report page with the figures status")

    report = AnnualReport.objects.get(pk=report.pk)
    services.report_submit(report=report, by=users["network_coordinator"])
    services.report_validate(report=report, committee_date=dt.date(2025, 3, 12), by=users["committee_member"])
    assert FiguresSnapshot.objects.filter(report=report).exists()
    page.context.clear_cookies()

    login(page, live_server, viewer.email)
    page.goto(f"{live_server.url}/figures/federal/?year=2024")
    expect(page.get_by_test_id("overview-table")).to_be_visible()
    check_accessibility(page, "federal overview")
    screenshot(page, "figures-federal-overview")
    page.get_by_test_id(f"report-{network.code}").click()
    expect(page.get_by_test_id("key-figures")).to_be_visible()
    check_accessibility(page, "federal report")
    pdf_url = page.get_by_test_id("federal-pdf").get_attribute("href")
    response = page.request.get(f"{live_server.url}{pdf_url}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body()[:4] == b"%PDF"
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    check_accessibility(page, "no network page for the viewer")
