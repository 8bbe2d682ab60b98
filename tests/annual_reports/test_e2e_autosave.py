"""Browser journey of the chapter page: autosave, a concurrent edit in two contexts, offline typing kept and
resent. Chromium (Debian) + axe, like tests/e2e."""
import pytest
from playwright.sync_api import expect

from annual_reports.models import Answer
from psynet.models import Role
from tests.e2e.conftest import check_accessibility, login
from tests.factories import MembershipFactory, NetworkFactory, UserFactory, ZoneFactory

from .factories import AnnualReportFactory, ReportTemplateFactory

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": "/usr/bin/chromium", "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True, "locale": "fr-BE"}


@pytest.fixture
def report_setup(transactional_db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    network = NetworkFactory(code="RSN", name="Réseau Santé Namur")
    zone = ZoneFactory(network=network, name="Namur Ouest")
    users = {}
    for role in (Role.NETWORK_COORDINATOR, Role.LOCAL_COORDINATOR, Role.COMMITTEE_MEMBER):
        users[role] = UserFactory(email=f"{role}@rsn.example")
        MembershipFactory(user=users[role], network=network, role=role,
                          zones=[zone] if role == Role.LOCAL_COORDINATOR else [])
    report = AnnualReportFactory(network=network, template=ReportTemplateFactory())
    return report, users


def _answer(report, code="governance_a"):
    a = Answer.objects.filter(report=report, question_code=code).first()
    return a.value if a else None


def test_typing_is_autosaved_and_pages_are_accessible(report_setup, live_server, page):
    report, users = report_setup
    login(page, live_server, users[Role.NETWORK_COORDINATOR].email)
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    check_accessibility(page, "report overview")
    page.goto(f"{live_server.url}{report.get_absolute_url()}chapters/governance/")
    check_accessibility(page, "chapter")
    box = page.locator("#f-governance_a")
    box.fill("Le comité de réseau pilote la convention.\n- point 1\n- point 2")
    status = page.locator("#f-governance_a-status .answer-status-text")
    expect(status).to_have_attribute("data-saved-version", "1", timeout=5000)
    assert _answer(report) == "Le comité de réseau pilote la convention.\n- point 1\n- point 2"
    box.type(" Suite.")
    expect(status).to_have_attribute("data-saved-version", "2", timeout=5000)
    assert page.evaluate("localStorage.length") == 0


def test_concurrent_edit_shows_both_versions_and_keeps_mine(report_setup, live_server, browser):
    report, users = report_setup
    url = f"{live_server.url}{report.get_absolute_url()}chapters/governance/"
    pages = []
    for role in (Role.NETWORK_COORDINATOR, Role.LOCAL_COORDINATOR):
        context = browser.new_context(bypass_csp=True, locale="fr-BE")
        p = context.new_page()
        login(p, live_server, users[role].email)
        p.goto(url)
        pages.append(p)
    first, second = pages
    first.locator("#f-governance_a").fill("Texte d'Aline")
    expect(first.locator("#f-governance_a-status .answer-status-text")).to_have_attribute(
        "data-saved-version", "1", timeout=5000)
    second.locator("#f-governance_a").fill("Texte de Margaux")
    conflict = second.locator("#q-governance_a [role=alert]")
    expect(conflict).to_be_visible(timeout=5000)
    expect(second.locator("#q-governance_a")).to_contain_text("Texte d'Aline")
    assert _answer(report) == "Texte d'Aline"
    check_accessibility(second, "conflict")
    second.locator("#q-governance_a form button[type=submit]").click()
    expect(second.locator("#q-governance_a [role=alert]")).to_have_count(0, timeout=5000)
    assert _answer(report) == "Texte de Margaux"
    for p in pages:
        p.context.close()


def test_text_typed_offline_is_kept_and_resent_when_back_online(report_setup, live_server, page):
    report, users = report_setup
    login(page, live_server, users[Role.NETWORK_COORDINATOR].email)
    page.goto(f"{live_server.url}{report.get_absolute_url()}chapters/governance/")
    page.context.set_offline(True)
    page.locator("#f-governance_a").fill("Écrit hors ligne")
    status = page.locator("#f-governance_a-status .answer-status-text")
    expect(status).to_have_class("answer-status-text text-danger", timeout=5000)
    assert "Écrit hors ligne" in page.evaluate("JSON.stringify(localStorage)")
    assert _answer(report) is None
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_attribute("data-saved-version", "1", timeout=5000)
    assert _answer(report) == "Écrit hors ligne"


def test_text_left_in_browser_is_resent_on_next_visit(report_setup, live_server, page):
    report, users = report_setup
    login(page, live_server, users[Role.NETWORK_COORDINATOR].email)
    url = f"{live_server.url}{report.get_absolute_url()}chapters/governance/"
    page.goto(url)
    key = f"psynet:report:{report.pk}:governance_a"
    page.evaluate("([k]) => localStorage.setItem(k, JSON.stringify({fields: [['value', 'Tapé avant fermeture']],"
                  " version: 0, at: Date.now()}))", [key])
    page.goto(url)
    expect(page.locator("#f-governance_a-status .answer-status-text")).to_have_attribute(
        "data-saved-version", "1", timeout=5000)
    assert _answer(report) == "Tapé avant fermeture"
