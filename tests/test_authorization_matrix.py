"""Walks every URL pattern of the project as every role, as a member of another network and anonymously.
A new URL without an expectation fails the test. Each domain app lists its own URLs in
``tests/<app>/url_expectations.py``: ``EXPECTATIONS`` (same shape as below) and
``build_objects(network_a, role_users) -> {key: object or kwargs dict}`` for the URLs that take arguments."""
import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from psynet.models import Membership, Psychologist
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

NC, LC, CM, AS, PS = "network_coordinator", "local_coordinator", "committee_member", "admin_staff", "psychologist"
ALL = {NC, LC, CM, AS, PS}
PUBLIC = "public"
# The federal viewer (INAMI/SPF, follow-up committee) has no membership: every network page answers the
# "no network" 403; only the pages listing "federal_viewer" answer 200.
FV = "federal_viewer"

# url name -> (kwargs key or None, roles answered 200 on GET; PUBLIC for pages anyone may open)
EXPECTATIONS = {
    "home": (None, ALL),
    "health": (None, PUBLIC),
    "ping": (None, PUBLIC),
    "set_language": (None, "post-only"),
    "login": (None, PUBLIC),
    "logout": (None, "post-only"),
    "password_reset": (None, PUBLIC),
    "password_reset_done": (None, PUBLIC),
    "password_reset_confirm": ("token", PUBLIC),
    "password_reset_complete": (None, PUBLIC),
    "password_change": (None, "any-user"),
    "password_change_done": (None, "any-user"),
    "psynet:network_choose": (None, ALL),
    "psynet:notification_list": (None, "any-user"),
    "psynet:zone_list": (None, {NC, LC, AS}),
    "psynet:zone_create": (None, {NC}),
    "psynet:zone_update": ("zone", {NC}),
    "psynet:member_list": (None, {NC}),
    "psynet:member_invite": (None, {NC}),
    "psynet:member_update": ("membership", {NC}),
    "psynet:psychologist_list": (None, {NC, LC, AS}),
    "psynet:psychologist_create": (None, {NC}),
    "psynet:psychologist_detail": ("psychologist", {NC, LC, AS}),
    "psynet:psychologist_update": ("psychologist", {NC}),
    "psynet:convention_update": ("convention", {NC}),
    "psynet:organisation_list": (None, {NC, LC, AS}),
    "psynet:organisation_create": (None, {NC}),
    "psynet:organisation_update": ("organisation", {NC}),
    "psynet:audit_list": (None, {NC}),
    "annual_reports:report_list": (None, {NC, LC, CM, AS}),
    "partnerships:index": (None, {NC, LC}),
    "article8:index": (None, {NC, LC, PS}),
    "billing:index": (None, {NC, AS, PS}),
}

DOMAIN_MODULES = [importlib.import_module(f"tests.{p.parent.name}.url_expectations")
                  for p in sorted(Path(__file__).parent.glob("*/url_expectations.py"))]
for _module in DOMAIN_MODULES:
    EXPECTATIONS.update(_module.EXPECTATIONS)


def _names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            yield from _names(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name


def test_every_url_has_an_expectation():
    names = set(_names(get_resolver().url_patterns))
    missing = names - set(EXPECTATIONS)
    assert not missing, f"add these URL names to EXPECTATIONS: {sorted(missing)}"


@pytest.fixture
def objects_a(network_a, role_users, zone_a):
    psychologist = Psychologist.objects.get(user=role_users[PS])
    objects = {
        "zone": zone_a,
        "membership": Membership.objects.get(user=role_users[CM]),
        "psychologist": psychologist,
        "convention": psychologist.conventions.get(),
        "organisation": OrganisationFactory(network=network_a),
        "token": None,
    }
    for module in DOMAIN_MODULES:
        objects.update(module.build_objects(network_a, role_users))
    return objects


def _url(name, key, objects):
    if key is None:
        return reverse(name)
    if key == "token":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    obj = objects[key]
    return reverse(name, kwargs=obj) if isinstance(obj, dict) else reverse(name, args=[obj.pk])


# Roles sent elsewhere by a page rather than answered: the federal viewer's home is the federal overview.
REDIRECTS = {"home": {FV}}


def test_authorization_matrix(client, role_users, objects_a):
    problems = []
    for name, (key, allowed) in sorted(EXPECTATIONS.items()):
        url = _url(name, key, objects_a)
        client.logout()
        anonymous = client.get(url).status_code
        if allowed in ("post-only",):
            if anonymous not in (302, 405):
                problems.append(f"{name}: anonymous GET gave {anonymous}")
            continue
        if allowed == PUBLIC:
            if anonymous not in (200, 302):
                problems.append(f"{name}: anonymous gave {anonymous}")
            continue
        if anonymous != 302:
            problems.append(f"{name}: anonymous gave {anonymous}, expected a redirect to login")
        for role, user in role_users.items():
            client.force_login(user)
            status = client.get(url).status_code
            if role in REDIRECTS.get(name, ()):
                expected = {302}
            elif role == "outsider":
                # a member of another network: 404 on objects, except the deployment-wide federal pages (403)
                expected = {403} if key and isinstance(allowed, set) and allowed <= {FV} else {404} if key else {200, 403}
            elif allowed == "any-user" or role in allowed:
                expected = {200}
            else:
                expected = {403}
            if status not in expected:
                problems.append(f"{name} as {role}: {status}, expected {sorted(expected)}")
    assert not problems, "\n".join(problems)


def test_admin_requires_staff(client, coordinator_a):
    assert client.get("/admin/").status_code == 302
    client.force_login(coordinator_a)
    assert client.get("/admin/").status_code == 302
