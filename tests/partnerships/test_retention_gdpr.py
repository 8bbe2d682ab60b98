"""Requests that led to nothing are anonymised after the network's retention period; a network coordinator
exports or erases one requester's data on request. Everything is audited."""
import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partnerships import services
from partnerships.models import CollaborationRequest, PartnershipSettings
from psynet.models import AuditEntry

from .conftest import FORM
from .test_follow import PDF


def submit(psynam, email="anne.dupont@ecole.example", municipality="gembloux"):
    data = {**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": psynam[municipality],
            "age_groups": ["24_64"], "contact_email": email, "contact_phone": "081 12 34 56",
            "availability": "Le mardi"}
    return services.partnership_request_submit(data=data, language="fr").requests[0]


def declined(psynam, when, **kw):
    with time_machine.travel(when):
        req = submit(psynam, **kw)
        services.partnership_request_message_from_partner(partnership_request=req, body="Mon numéro perso",
                                                          upload=SimpleUploadedFile("cv.pdf", PDF))
        services.partnership_request_decline(partnership_request=req, reason="Pas de psychologue disponible",
                                             by=psynam["rsn_nc"])
    req.refresh_from_db()
    return req


def test_declined_request_is_anonymised_after_24_months_by_default(psynam):
    closed = dt.datetime(2023, 1, 10, 12, tzinfo=dt.UTC)
    req = declined(psynam, closed)
    with time_machine.travel(dt.datetime(2025, 1, 9, 12, tzinfo=dt.UTC)):
        assert services.requests_anonymise_expired() == []
    with time_machine.travel(dt.datetime(2025, 1, 11, 12, tzinfo=dt.UTC)):
        assert services.requests_anonymise_expired() == [req.pk]
        assert services.requests_anonymise_expired() == []
    req.refresh_from_db()
    assert req.anonymised_at and req.contact_email == "" and req.contact_name == "—" and req.needs == ""
    assert req.contact_phone == "" and req.availability == "" and req.access_token_hash is None
    event = req.events.get(kind="partner_message")
    assert event.body == "" and not event.file
    # What statistics need stays.
    assert req.network == psynam["rsn"] and req.place_type == "school" and req.offers and req.status == "closed"
    entry = AuditEntry.objects.get(object_id=str(req.pk), action="partnerships.request.anonymised")
    assert entry.after["reason"] == "retention" and "anne" not in json.dumps(entry.after)


def test_retention_is_set_per_network(psynam):
    PartnershipSettings.objects.create(network=psynam["rsn"], retention_months=6)
    req = declined(psynam, dt.datetime(2024, 1, 10, 12, tzinfo=dt.UTC))
    with time_machine.travel(dt.datetime(2024, 7, 11, 12, tzinfo=dt.UTC)):
        assert services.requests_anonymise_expired() == [req.pk]


def test_open_or_completed_requests_are_kept(psynam):
    with time_machine.travel(dt.datetime(2020, 1, 10, tzinfo=dt.UTC)):
        open_request = submit(psynam)
        completed = submit(psynam)
        services.partnership_request_assign(partnership_request=completed, coordinator=psynam["rsn_lc_west"],
                                            by=psynam["rsn_nc"])
        services.partnership_request_close(partnership_request=completed, outcome="completed", note="",
                                           by=psynam["rsn_nc"])
    assert services.requests_anonymise_expired() == []
    assert CollaborationRequest.objects.filter(anonymised_at__isnull=True).count() == 2
    assert open_request.pk


def test_gdpr_export_holds_the_requesters_data_and_is_audited(client, psynam):
    req = submit(psynam)
    submit(psynam, email="someone.else@example.org")
    services.partnership_request_message_from_partner(partnership_request=req, body="Bonjour")
    client.force_login(psynam["rsn_nc"])
    response = client.post(reverse("partnerships:gdpr_export"), {"email": "ANNE.DUPONT@ecole.example"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = json.loads(b"".join([response.content]))
    assert [r["reference"] for r in data["requests"]] == [req.reference]
    assert data["requests"][0]["contact_email"] == "anne.dupont@ecole.example"
    assert data["requests"][0]["messages"][0]["body"] == "Bonjour"
    entry = AuditEntry.objects.get(action="partnerships.gdpr.exported")
    assert entry.actor == psynam["rsn_nc"] and entry.after["requests"] == [req.pk]


def test_gdpr_erase_anonymises_now_and_is_audited(client, psynam):
    req = submit(psynam)
    other = submit(psynam, email="someone.else@example.org")
    client.force_login(psynam["rsn_nc"])
    assert client.post(reverse("partnerships:gdpr_erase"), {"email": req.contact_email}).status_code == 302
    req.refresh_from_db()
    assert req.anonymised_at is None  # the confirmation box was not ticked
    response = client.post(reverse("partnerships:gdpr_erase"), {"email": req.contact_email, "confirm": "on"})
    assert response.status_code == 302
    req.refresh_from_db()
    other.refresh_from_db()
    assert req.anonymised_at and req.contact_email == ""
    assert other.anonymised_at is None
    assert AuditEntry.objects.filter(action="partnerships.gdpr.erased", actor=psynam["rsn_nc"]).count() == 1


@pytest.mark.parametrize("role", ["rsn_lc_west", "rsn_committee", "rsn_psy_user", "rsk_nc"])
def test_only_the_network_coordinator_may_export_or_erase(client, psynam, role):
    req = submit(psynam)
    client.force_login(psynam[role])
    export = client.post(reverse("partnerships:gdpr_export"), {"email": req.contact_email})
    erase = client.post(reverse("partnerships:gdpr_erase"), {"email": req.contact_email, "confirm": "on"})
    if role == "rsk_nc":  # a coordinator of the other network finds nothing of RSN's
        assert json.loads(export.content)["requests"] == []
    else:
        assert export.status_code == 403 and erase.status_code == 403
    req.refresh_from_db()
    assert req.anonymised_at is None


def test_retention_command(psynam, capsys):
    from django.core.management import call_command

    declined(psynam, timezone.now() - dt.timedelta(days=800))
    call_command("partnership_retention", "--dry-run")
    assert "1 request(s) to anonymise" in capsys.readouterr().out
    call_command("partnership_retention")
    assert "1 request(s) anonymised" in capsys.readouterr().out
