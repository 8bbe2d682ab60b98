"""The home page of a psychologist with agreements waiting for signatures runs the same number of queries with 3
or 30 of them (no query per agreement)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships import agreements

from .factories import make_agreement

pytestmark = pytest.mark.django_db


def _home_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    return len(ctx.captured_queries)


def _sent_agreements(psynam, n):
    for _ in range(n):
        agreement = make_agreement(network=psynam["rsn"], psychologist=psynam["rsn_psy"], signatory=psynam["rsn_nc"],
                                   zone=psynam["rsn_west"], signing_order=["psychologist", "partner", "network"])
        agreements.agreement_send(agreement=agreement, by=psynam["rsn_nc"])


def test_home_queries_do_not_grow_with_agreements_to_sign(client, psynam):
    client.force_login(psynam["rsn_psy_user"])
    _sent_agreements(psynam, 3)
    _home_queries(client)
    small = _home_queries(client)
    _sent_agreements(psynam, 27)
    page = client.get(reverse("home")).content.decode()
    assert page.count("TP-") >= 10  # the agreements waiting for the psychologist are listed
    assert _home_queries(client) == small
