"""Shared fixtures: network A and network B, a user for each role in A, and an outsider member of B."""
import os
import shutil

import pytest

from psynet.models import Role

from .factories import ConventionFactory, MembershipFactory, NetworkFactory, UserFactory, ZoneFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    no_browser = pytest.mark.skip(reason=f"browser journey skipped: {CHROMIUM} is not installed")
    no_services = pytest.mark.skip(reason="integration test skipped: set DATABASE_URL (PostgreSQL) and REDIS_URL")
    has_services = os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")
    for item in items:
        if "e2e" in item.keywords and not shutil.which(CHROMIUM):
            item.add_marker(no_browser)
        if "integration" in item.keywords and not has_services:
            item.add_marker(no_services)


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Tasks run in the test's own process, even when REDIS_URL is set for the PostgreSQL + Redis run; the
    integration tests start a real worker and switch this off (tests/integration/conftest.py)."""
    from psynet.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches: with REDIS_URL set the cache is shared and would carry cached pages and
    rules from one test to the next."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


@pytest.fixture
def network_a(db):
    return NetworkFactory(code="NETA", name="Réseau A")


@pytest.fixture
def network_b(db):
    return NetworkFactory(code="NETB", name="Réseau B")


@pytest.fixture
def zone_a(network_a):
    return ZoneFactory(network=network_a, name="Zone A1")


@pytest.fixture
def zone_a2(network_a):
    return ZoneFactory(network=network_a, name="Zone A2")


def _member(network, role, zones=(), email=None):
    user = UserFactory(**({"email": email} if email else {}))
    MembershipFactory(user=user, network=network, role=role, zones=list(zones))
    return user


@pytest.fixture
def coordinator_a(network_a):
    return _member(network_a, Role.NETWORK_COORDINATOR)


@pytest.fixture
def local_coordinator_a(network_a, zone_a):
    return _member(network_a, Role.LOCAL_COORDINATOR, [zone_a])


@pytest.fixture
def committee_a(network_a):
    return _member(network_a, Role.COMMITTEE_MEMBER)


@pytest.fixture
def admin_a(network_a):
    return _member(network_a, Role.ADMIN_STAFF)


@pytest.fixture
def psychologist_user_a(network_a):
    user = _member(network_a, Role.PSYCHOLOGIST)
    ConventionFactory(network=network_a, psychologist__user=user)
    return user


@pytest.fixture
def coordinator_b(network_b):
    return _member(network_b, Role.NETWORK_COORDINATOR)


@pytest.fixture
def role_users(coordinator_a, local_coordinator_a, committee_a, admin_a, psychologist_user_a, coordinator_b):
    return {
        "network_coordinator": coordinator_a,
        "local_coordinator": local_coordinator_a,
        "committee_member": committee_a,
        "admin_staff": admin_a,
        "psychologist": psychologist_user_a,
        "outsider": coordinator_b,
        # INAMI/SPF or the follow-up committee: no membership, deployment-wide read-only pages only (issue 9)
        "federal_viewer": UserFactory(email="federal@viewer.example", is_federal_viewer=True),
    }
