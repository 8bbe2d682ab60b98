"""The applicant's e-mails and private follow-up link (issue 10): one e-mail per step in the applicant's language,
a link that works, a wrong or expired link answering 404, nothing of another applicant on the page, messages and
documents added with the application form's checks."""
import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from care_offer import services
from care_offer.models import ApplicantMessage, ApplicantNotice, ApplicationLink, ApplicationStatus
from psynet.models import AuditEntry, Notification, Role
from tests.factories import MembershipFactory, UserFactory

from .factories import PDF, ProviderApplicationFactory
from .test_views import _files, _form, _started

pytestmark = pytest.mark.django_db
S = ApplicationStatus
LINK = re.compile(r"https?://[^\s]+/apply/follow/[A-Za-z0-9_\-]+/")


def _link_path(mail):
    match = LINK.search(mail.body)
    assert match, mail.body
    return urlsplit(match.group(0)).path


def _submit(client, network, zone, language="fr", **over):
    client.cookies["psynet_language"] = language
    started = _started(client, network)
    return client.post(reverse("apply:form", args=[network.code]), {**_form(zone, started=started, **over),
                                                                      **_files()})


def test_submitting_sends_one_acknowledgement_with_a_working_private_link(
        client, network_a, zone_a, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, network_a, zone_a)
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["claire@test.example"]
    application = services.ProviderApplication.objects.get()
    assert application.reference in mail.subject and application.language == "fr"
    path = _link_path(mail)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert application.reference in html and 'data-testid="step-received"' in html
    assert page["Cache-Control"] == "private, no-store" and "noindex" in page["X-Robots-Tag"]
    # the raw token is nowhere in the database, only its hash
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert not ApplicationLink.objects.filter(token_hash=token).exists()
    assert AuditEntry.objects.filter(action="care_offer.application.applicant_emailed",
                                     object_id=str(application.pk)).exists()


def test_the_acknowledgement_is_in_the_language_of_the_form(client, network_a, zone_a, mailoutbox,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client, network_a, zone_a, language="nl")
    application = services.ProviderApplication.objects.get()
    assert application.language == "nl"
    from django.utils import translation

    with translation.override("nl"):
        expected = translation.gettext("Follow your application, write to the network or add a document with this "
                                       "private link (keep it to yourself):")
    assert expected in mailoutbox[0].body


def test_wrong_or_expired_token_is_404(client, network_a):
    application = ProviderApplicationFactory(network=network_a)
    raw = services.application_link_create(application=application)
    assert client.get(reverse("apply:follow", args=[raw])).status_code == 200
    assert client.get(reverse("apply:follow", args=[raw[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("apply:follow", args=["x" * 120])).status_code == 404
    ApplicationLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("apply:follow", args=[raw])).status_code == 404
    assert client.post(reverse("apply:follow_message", args=[raw]), {"body": "Bonjour"}).status_code == 404
    assert not ApplicantMessage.objects.exists()


def test_the_applicant_downloads_their_own_documents_by_their_link_only(client, network_a):
    from django.core.files.base import ContentFile

    from care_offer.models import ApplicationDocument

    from .factories import PDF

    mine = ProviderApplicationFactory(network=network_a)
    other = ProviderApplicationFactory(network=network_a, email="zoe@other.example")
    documents = {}
    for application in (mine, other):
        d = ApplicationDocument(application=application, kind="diploma", file_name=f"{application.pk}.pdf",
                                file_type="application/pdf", file_size=len(PDF))
        d.file.save("d.pdf", ContentFile(PDF), save=True)
        documents[application.pk] = d
    raw = services.application_link_create(application=mine)
    page = client.get(reverse("apply:follow", args=[raw])).content.decode()
    url = reverse("apply:follow_document", args=[raw, documents[mine.pk].pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    # another applicant's document through my link, or mine through a wrong or expired link: 404
    assert client.get(reverse("apply:follow_document", args=[raw, documents[other.pk].pk])).status_code == 404
    assert client.get(reverse("apply:follow_document", args=[raw[:-2] + "xx", documents[mine.pk].pk])
                      ).status_code == 404
    ApplicationLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(url).status_code == 404


def test_the_page_shows_no_other_applicants_data(client, network_a):
    mine = ProviderApplicationFactory(network=network_a, first_name="Claire", last_name="Mienne")
    other = ProviderApplicationFactory(network=network_a, first_name="Zoé", last_name="Autrui",
                                       email="zoe@other.example", status=S.REFUSED, refusal_reason="Raison secrète")
    services.applicant_message_add(application=other, body="Message de Zoé")
    raw = services.application_link_create(application=mine)
    services.application_link_create(application=other)
    html = client.get(reverse("apply:follow", args=[raw])).content.decode()
    assert "Mienne" in html and mine.reference in html
    for secret in ("Autrui", "zoe@other.example", "Raison secrète", "Message de Zoé", other.reference):
        assert secret not in html


def test_each_step_emails_the_applicant_once(network_a, zone_a, coordinator_a, mailoutbox,
                                             django_capture_on_commit_callbacks):
    application = ProviderApplicationFactory(network=network_a, language="fr")
    application.zones.set([zone_a])
    when = timezone.make_aware(dt.datetime(2026, 3, 4, 10, 30))
    with django_capture_on_commit_callbacks(execute=True):
        services.application_review(application=application, by=coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_plan_interview(application=application, by=coordinator_a, interview_at=when,
                                            interview_place="Rue de Fer 1, Namur")
    assert len(mailoutbox) == 2
    assert "Rue de Fer 1, Namur" in mailoutbox[1].body and "04/03/2026" in mailoutbox[1].body
    # the same step again (a retried request, a double submit) sends nothing
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert services._tell_applicant(application, step=S.INTERVIEW) is None
        assert services._tell_applicant(application, step=S.REVIEWED) is None
    assert len(mailoutbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(application=application, by=coordinator_a, start_on=dt.date(2026, 4, 1),
                                    end_on=dt.date(2027, 3, 31), functions=["F2"], age_groups=["adults"],
                                    article8_hours_per_year=0, zones=[zone_a])
    assert len(mailoutbox) == 3
    assert "01/04/2026" in mailoutbox[2].body and "31/03/2027" in mailoutbox[2].body
    assert sorted(ApplicantNotice.objects.values_list("step", flat=True))[0] == "accepted"
    assert ApplicantNotice.objects.filter(sent_at__isnull=True).count() == 0
    # the follow-up page of the last e-mail shows the dated steps and the convention dates
    path = _link_path(mailoutbox[2])
    from django.test import Client

    html = Client().get(path).content.decode()
    for step in ("received", "reviewed", "interview", "accepted"):
        assert f'data-testid="step-{step}"' in html
    assert "Rue de Fer 1, Namur" in html and "01/04/2026" in html


def test_a_moved_interview_is_emailed_again_the_same_date_is_not(network_a, coordinator_a, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    application = ProviderApplicationFactory(network=network_a, status=S.REVIEWED)
    first = timezone.make_aware(dt.datetime(2026, 3, 4, 10, 30))
    with django_capture_on_commit_callbacks(execute=True):
        services.application_plan_interview(application=application, by=coordinator_a, interview_at=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_plan_interview(application=application, by=coordinator_a, interview_at=first)
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.application_plan_interview(application=application, by=coordinator_a,
                                            interview_at=first + dt.timedelta(days=1))
    assert len(mailoutbox) == 2


def test_refusal_email_gives_the_reason_and_the_task_run_twice_sends_once(
        network_a, coordinator_a, mailoutbox, django_capture_on_commit_callbacks):
    application = ProviderApplicationFactory(network=network_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_refuse(application=application, by=coordinator_a, reason="Visa manquant")
    assert len(mailoutbox) == 1 and "Visa manquant" in mailoutbox[0].body
    notice = ApplicantNotice.objects.get(step="refused")
    assert services.applicant_notice_send(notice_id=notice.pk, to=["x@test.example"], subject="s",
                                          body="b") is False
    assert len(mailoutbox) == 1


def test_applicant_adds_a_message_and_a_document_and_the_coordinators_are_told(
        client, network_a, zone_a, coordinator_a, mailoutbox, django_capture_on_commit_callbacks):
    local = UserFactory()
    MembershipFactory(user=local, network=network_a, role=Role.LOCAL_COORDINATOR, zones=[zone_a])
    application = ProviderApplicationFactory(network=network_a)
    application.zones.set([zone_a])
    raw = services.application_link_create(application=application)
    url = reverse("apply:follow_message", args=[raw])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "Voici mon nouveau visa", "kind": "visa",
                                     "file": SimpleUploadedFile("visa2.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302
    message = ApplicantMessage.objects.get()
    assert message.body == "Voici mon nouveau visa" and message.document.kind == "visa"
    assert message.document.file_type == "application/pdf"
    assert AuditEntry.objects.filter(action="care_offer.application.applicant_wrote").exists()
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {coordinator_a.pk, local.pk}
    assert {m.to[0] for m in mailoutbox} == {coordinator_a.email, local.email}
    page = client.get(reverse("apply:follow", args=[raw])).content.decode()
    assert "Voici mon nouveau visa" in page and "visa2.pdf" in page
    # the coordinator reads it on the application and downloads the document
    client.force_login(coordinator_a)
    detail = client.get(reverse("care_offer:application_detail", args=[application.pk])).content.decode()
    assert "Voici mon nouveau visa" in detail
    assert client.get(reverse("care_offer:document_file", args=[application.pk, message.document.pk])
                      ).status_code == 200


def test_disguised_or_oversized_document_is_refused_with_the_message_kept(client, network_a, settings):
    application = ProviderApplicationFactory(network=network_a)
    raw = services.application_link_create(application=application)
    url = reverse("apply:follow_message", args=[raw])
    fake = SimpleUploadedFile("visa.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    response = client.post(url, {"body": "Mon texte tapé", "kind": "visa", "file": fake})
    assert response.status_code == 400
    assert "visa.pdf" in response.context["form"].errors["file"][0]
    assert "Mon texte tapé" in response.content.decode()
    settings.MAX_UPLOAD_MB = 0
    response = client.post(url, {"body": "Encore", "kind": "visa",
                                 "file": SimpleUploadedFile("big.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 400 and "big.pdf" in response.context["form"].errors["file"][0]
    response = client.post(url, {"body": "  ", "kind": "other"})
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert not ApplicantMessage.objects.exists() and not application.documents.exists()


def test_the_network_emails_a_new_link_and_the_old_ones_stop_working(
        client, network_a, zone_a, coordinator_a, committee_a, coordinator_b, mailoutbox,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client, network_a, zone_a, language="nl")
    application = services.ProviderApplication.objects.get()
    old = _link_path(mailoutbox[0])
    url = reverse("care_offer:application_new_link", args=[application.pk])
    client.force_login(committee_a)  # the wrong role: refused, nothing sent
    assert client.post(url).status_code == 403
    client.force_login(coordinator_b)  # another network: the application does not exist for them
    assert client.post(url).status_code == 404
    assert len(mailoutbox) == 1
    client.force_login(coordinator_a)
    assert 'data-testid="new-link"' in client.get(reverse("care_offer:application_detail",
                                                          args=[application.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and len(mailoutbox) == 2
    mail = mailoutbox[1]
    assert mail.to == [application.email] and application.reference in mail.subject
    assert "persoonlijke link" in mail.subject  # in the language of the application form (Dutch)
    new = _link_path(mail)
    assert new != old
    client.logout()
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    assert AuditEntry.objects.filter(action="care_offer.application.link_renewed",
                                     actor=coordinator_a).count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # a second request: a second e-mail, not swallowed
        client.force_login(coordinator_a)
        client.post(url)
    assert len(mailoutbox) == 3
