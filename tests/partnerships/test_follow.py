"""The partner's private link: status, timeline, messages and files; forged or expired → 404."""
import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerships import services
from partnerships.choices import EventKind, Status
from partnerships.models import CollaborationRequest, RequestEvent
from psynet.models import Notification

from .conftest import FORM

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def submitted(psynam):
    data = {**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": psynam["gembloux"],
            "age_groups": ["24_64"]}
    submission = services.partnership_request_submit(data=data, language="fr")
    req = submission.requests[0]
    token = submission.links[req.pk].rsplit("/follow/", 1)[1].strip("/")
    return req, token


def test_follow_page_shows_status_and_steps(client, submitted):
    req, token = submitted
    response = client.get(reverse("collaboration:follow", args=[token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert req.reference in html and "Athénée royal du Confluent" in html
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("token", ["x", "A" * 43, "forged-token-" + "z" * 30, "%00", "a" * 200])
def test_forged_token_is_a_404(client, submitted, token):
    assert client.get(f"/collaboration/follow/{token}/").status_code == 404
    assert client.post(f"/collaboration/follow/{token}/message/", {"body": "hi"}).status_code == 404


def test_expired_token_is_a_404(client, submitted):
    req, token = submitted
    with time_machine.travel(req.access_token_expires_at + dt.timedelta(seconds=1)):
        assert client.get(reverse("collaboration:follow", args=[token])).status_code == 404


def test_anonymised_request_link_is_a_404(client, submitted, psynam):
    _req, token = submitted
    services.gdpr_erase(network=psynam["rsn"], email=FORM["contact_email"], by=psynam["rsn_nc"])
    assert client.get(reverse("collaboration:follow", args=[token])).status_code == 404


def test_renewed_link_replaces_the_old_one(client, submitted, psynam, mailoutbox, django_capture_on_commit_callbacks):
    req, token = submitted
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_request_new_link(partnership_request=req, by=psynam["rsn_nc"])
    new = re.search(r"/collaboration/follow/([^/\s]+)/", mailoutbox[-1].body).group(1)
    assert client.get(reverse("collaboration:follow", args=[token])).status_code == 404
    assert client.get(reverse("collaboration:follow", args=[new])).status_code == 200


def test_partner_sends_a_message_and_a_file(client, submitted, psynam):
    req, token = submitted
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("collaboration:follow_message", args=[token]),
                           {"body": "Nous avons une salle libre le mardi.", "file": upload})
    assert response.status_code == 302
    event = RequestEvent.objects.get(request=req)
    assert event.kind == EventKind.PARTNER_MESSAGE and event.file_type == "application/pdf"
    told = Notification.objects.filter(key=f"partnerships:request:{req.pk}:message:{event.pk}")
    assert [n.recipient.email for n in told] == ["local@rsn.example"]  # Gembloux: zone Ouest
    html = client.get(reverse("collaboration:follow", args=[token])).content.decode()
    assert "Nous avons une salle libre le mardi." in html
    download = client.get(reverse("collaboration:follow_file", args=[token, event.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_a_file_whose_bytes_are_not_accepted_is_refused_even_with_a_pdf_name(client, submitted):
    req, token = submitted
    upload = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(reverse("collaboration:follow_message", args=[token]), {"body": "x", "file": upload})
    assert response.status_code == 400
    assert RequestEvent.objects.filter(request=req).count() == 0


def test_partner_cannot_read_internal_notes_or_their_files(client, submitted, psynam):
    req, token = submitted
    note = services.partnership_request_add_event(
        partnership_request=req, kind=EventKind.NOTE, body="Note interne: appeler la directrice.",
        by=psynam["rsn_nc"], upload=SimpleUploadedFile("n.pdf", PDF))
    html = client.get(reverse("collaboration:follow", args=[token])).content.decode()
    assert "Note interne" not in html
    assert client.get(reverse("collaboration:follow_file", args=[token, note.pk])).status_code == 404


def test_message_to_the_partner_is_shown_and_emailed(client, submitted, psynam, mailoutbox,
                                                     django_capture_on_commit_callbacks):
    req, token = submitted
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_request_add_event(partnership_request=req, kind=EventKind.COORDINATOR_MESSAGE,
                                               body="Pouvons-nous vous appeler jeudi ?", by=psynam["rsn_nc"])
    assert "Pouvons-nous vous appeler jeudi ?" in mailoutbox[-1].body
    assert "Pouvons-nous vous appeler jeudi ?" in client.get(
        reverse("collaboration:follow", args=[token])).content.decode()


def test_partner_withdraws_the_request(client, submitted):
    req, token = submitted
    response = client.post(reverse("collaboration:follow_withdraw", args=[token]),
                           {"reason": "Projet reporté", "confirm": "on"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.outcome == "withdrawn"
    assert client.get(reverse("collaboration:follow", args=[token])).status_code == 200


def test_other_request_file_cannot_be_reached_with_this_link(client, submitted, psynam):
    _req, token = submitted
    other = services.partnership_request_submit(
        data={**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": psynam["gembloux"]},
        language="fr").requests[0]
    event = services.partnership_request_message_from_partner(partnership_request=other, body="secret",
                                                              upload=SimpleUploadedFile("a.pdf", PDF))
    assert client.get(reverse("collaboration:follow_file", args=[token, event.pk])).status_code == 404
    assert CollaborationRequest.objects.count() == 2
