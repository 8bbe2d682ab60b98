"""Browser journeys: Playwright drives Debian's Chromium against a live server; axe-core checks each page."""
import json
from pathlib import Path

import pytest

from psynet.models import Role
from tests.factories import PASSWORD, MembershipFactory, NetworkFactory, UserFactory, ZoneFactory

AXE = Path(__file__).resolve().parents[1] / "assets" / "axe-4.14.1.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": "/usr/bin/chromium", "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-quic"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The portal's CSP forbids inline scripts; axe is injected by the test, so the test context bypasses it.
    # Reduced motion turns Bootstrap's colour transitions off, so axe never measures a button halfway through one.
    return {**browser_context_args, "bypass_csp": True, "locale": "fr-BE", "reduced_motion": "reduce"}


@pytest.fixture(autouse=True)
def _live_settings(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.AXES_ENABLED = True


def check_accessibility(page, name=""):
    """Run axe on the current page: zero WCAG 2.1 A/AA violations."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations", WCAG_AA)
    summary = [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in violations]
    assert not violations, f"axe violations on {name or page.url}:\n{json.dumps(summary, indent=1)}"


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page, live_server, email, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()


@pytest.fixture
def demo_network(transactional_db):
    network = NetworkFactory(code="RSN", name="Réseau Santé Namur")
    zone = ZoneFactory(network=network, name="Namur Ouest")
    users = {}
    for role in Role.values:
        user = UserFactory(email=f"{role}@rsn.example")
        MembershipFactory(user=user, network=network, role=role,
                          zones=[zone] if role == Role.LOCAL_COORDINATOR else [])
        users[role] = user
    return network, zone, users
