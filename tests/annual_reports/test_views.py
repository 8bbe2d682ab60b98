import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annual_reports import services
from annual_reports.models import Annex, Answer, Status
from psynet.models import AuditEntry

from .factories import AnswerFactory


def fr(msgid):
    """The text as the (French) page shows it, translated or not yet."""
    from django.utils import translation
    from django.utils.html import escape

    with translation.override("fr"):
        text = translation.gettext(msgid).split("%(")[0]
    return _Either(text, escape(text))


class _Either(str):
    """Matches the text as written or HTML-escaped (translate output is not escaped, messages are)."""

    def __new__(cls, raw, escaped):
        obj = super().__new__(cls, raw)
        obj.escaped = escaped
        return obj


def shows(body, text):
    return text in body or text.escaped in body

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082")

# URL name → (kwargs builder, method, roles allowed in network A)
VIEW_ROLES = {
    "report_list": ("GET", {"network_coordinator", "local_coordinator", "committee_member", "admin_staff"}),
    "report_detail": ("GET", {"network_coordinator", "local_coordinator", "committee_member", "admin_staff"}),
    "chapter": ("GET", {"network_coordinator", "local_coordinator", "committee_member", "admin_staff"}),
    "answer": ("GET", {"network_coordinator", "local_coordinator", "committee_member", "admin_staff"}),
    "answer_history": ("GET", {"network_coordinator", "local_coordinator", "committee_member", "admin_staff"}),
    "identification": ("GET", {"network_coordinator", "local_coordinator"}),
    "submit": ("POST", {"network_coordinator"}),
    "assign": ("POST", {"network_coordinator"}),
    "validate": ("POST", {"committee_member"}),
    "request_changes": ("POST", {"committee_member"}),
    "comment_add": ("POST", {"committee_member"}),
    "reopen": ("POST", {"network_coordinator"}),
    "send": ("POST", {"admin_staff"}),
    "annex_upload": ("POST", {"network_coordinator", "local_coordinator"}),
    "section_not_applicable": ("POST", {"network_coordinator", "local_coordinator"}),
    "export_request": ("POST", {"network_coordinator", "admin_staff"}),
}
ALL_ROLES = ["network_coordinator", "local_coordinator", "committee_member", "admin_staff", "psychologist"]


def url_for(name, report):
    kwargs = {"pk": report.pk}
    if name == "report_list":
        kwargs = {}
    elif name == "chapter":
        kwargs["code"] = "governance"
    elif name in ("answer", "answer_history", "comment_add"):
        kwargs["code"] = "governance_a"
    elif name == "section_not_applicable":
        kwargs["code"] = "target_detainees"
    return reverse(f"annual_reports:{name}", kwargs=kwargs)


def call(client, name, report):
    method, _roles = VIEW_ROLES[name]
    url = url_for(name, report)
    return client.get(url) if method == "GET" else client.post(url, {})


@pytest.mark.parametrize("name", sorted(VIEW_ROLES))
def test_anonymous_is_sent_to_login(client, report_a, name):
    response = call(client, name, report_a)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("name", sorted(set(VIEW_ROLES) - {"report_list"}))
def test_member_of_other_network_gets_404(client, report_a, coordinator_b, name):
    client.force_login(coordinator_b)
    # coordinator_b is network coordinator of B: the role allows most actions, the network does not
    method, roles = VIEW_ROLES[name]
    response = call(client, name, report_a)
    assert response.status_code in ((404,) if "network_coordinator" in roles else (403, 404))


@pytest.mark.parametrize("name", sorted(VIEW_ROLES))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_roles_allowed_or_forbidden(client, role_users, report_a, name, role):
    client.force_login(role_users[role])
    response = call(client, name, report_a)
    allowed = role in VIEW_ROLES[name][1]
    if allowed:
        assert response.status_code in (200, 302), (name, role, response.status_code)
    else:
        assert response.status_code == 403, (name, role, response.status_code)


def test_report_list_shows_reports_and_create_form(client, coordinator_a, report_a):
    client.force_login(coordinator_a)
    response = client.get(reverse("annual_reports:report_list"))
    assert response.status_code == 200
    assert reverse("annual_reports:report_detail", args=[report_a.pk]) in response.content.decode()


def test_coordinator_creates_report(client, coordinator_a, template_2024, network_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("annual_reports:report_create"), {"year": "2024"})
    report = network_a.annual_reports.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert AuditEntry.objects.filter(action="annual_reports.report.created", actor=coordinator_a).exists()


def test_autosave_returns_new_version_and_saved_status(client, coordinator_a, report_a):
    client.force_login(coordinator_a)
    url = reverse("annual_reports:answer", args=[report_a.pk, "governance_a"])
    response = client.post(url, {"value": "Texte 1", "version": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["X-Psynet-Saved"] == "1"
    body = response.content.decode()
    assert 'name="version" value="1"' in body and shows(body, fr("Saved at %(time)s"))
    response = client.post(url, {"value": "Texte 2", "version": "1"}, HTTP_HX_REQUEST="true")
    assert response["X-Psynet-Saved"] == "2"
    assert Answer.objects.get(report=report_a, question_code="governance_a").value == "Texte 2"


def test_stale_autosave_gets_409_with_both_versions(client, coordinator_a, local_coordinator_a, report_a):
    services.answer_save(report=report_a, question_code="governance_a", value="Version d'Aline",
                         expected_version=0, by=coordinator_a)
    client.force_login(local_coordinator_a)
    url = reverse("annual_reports:answer", args=[report_a.pk, "governance_a"])
    response = client.post(url, {"value": "Version de Margaux", "version": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    body = response.content.decode()
    assert "<p>Version d'Aline</p>" in body and "Version de Margaux" in body  # theirs, as rendered Markdown
    assert shows(body, fr("Keep mine")) and shows(body, fr("Take theirs"))
    assert response["HX-Retarget"] == "#q-governance_a"
    assert Answer.objects.get(report=report_a, question_code="governance_a").value == "Version d'Aline"
    # keep mine: resend with the current version
    response = client.post(url, {"value": "Version de Margaux", "version": "1", "resolve": "1"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Answer.objects.get(report=report_a, question_code="governance_a").value == "Version de Margaux"


def test_invalid_number_is_not_saved_with_message(client, coordinator_a, report_a):
    client.force_login(coordinator_a)
    url = reverse("annual_reports:answer", args=[report_a.pk, "target_eating_disorders_d"])
    response = client.post(url, {"value": "beaucoup", "version": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and shows(response.content.decode(), fr("Not saved: %(reason)s"))


def test_frozen_report_answer_post_refused(client, coordinator_a, validated_report_a):
    client.force_login(coordinator_a)
    url = reverse("annual_reports:answer", args=[validated_report_a.pk, "governance_a"])
    response = client.post(url, {"value": "modif", "version": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert Answer.objects.get(report=validated_report_a, question_code="governance_a").value != "modif"


def test_table_answer_posted_as_columns(client, coordinator_a, report_a):
    client.force_login(coordinator_a)
    url = reverse("annual_reports:answer", args=[report_a.pk, "communication_a"])
    client.post(url, {"col_communication": ["Site", "Affiche"], "col_target_group": ["MG", "Public"],
                      "col_method": ["web", "papier"], "col_goal": ["informer", "recruter"], "version": "0"})
    assert Answer.objects.get(report=report_a, question_code="communication_a").value == [
        {"communication": "Site", "target_group": "MG", "method": "web", "goal": "informer"},
        {"communication": "Affiche", "target_group": "Public", "method": "papier", "goal": "recruter"}]


def test_html_in_answer_is_escaped_in_page(client, committee_a, report_a):
    AnswerFactory(report=report_a, question_code="governance_a", value='<script>alert("x")</script>\nligne 2')
    client.force_login(committee_a)
    body = client.get(reverse("annual_reports:chapter", args=[report_a.pk, "governance"])).content.decode()
    assert '<script>alert("x")</script>' not in body
    assert '<p>&lt;script&gt;alert("x")&lt;/script&gt;<br>ligne 2</p>' in body


def test_submit_incomplete_shows_missing_list(client, coordinator_a, report_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("annual_reports:submit", args=[report_a.pk]), follow=True)
    body = response.content.decode()
    assert shows(body, fr("The report cannot be submitted: %(count)s required answers are missing."))
    assert "1.a " in body
    report_a.refresh_from_db()
    assert report_a.status == Status.DRAFT


def test_committee_validates_with_date(client, committee_a, submitted_report_a):
    client.force_login(committee_a)
    client.post(reverse("annual_reports:validate", args=[submitted_report_a.pk]), {"committee_date": "2025-03-12"})
    submitted_report_a.refresh_from_db()
    assert submitted_report_a.status == Status.VALIDATED
    assert submitted_report_a.committee_date == dt.date(2025, 3, 12)
    assert AuditEntry.objects.filter(action="annual_reports.report.validated", actor=committee_a).exists()


def test_comment_shown_beside_question(client, committee_a, coordinator_a, submitted_report_a):
    client.force_login(committee_a)
    client.post(reverse("annual_reports:comment_add", args=[submitted_report_a.pk, "governance_a"]),
                {"text": "Précisez <b>la</b> structure."})
    client.force_login(coordinator_a)
    body = client.get(reverse("annual_reports:chapter", args=[submitted_report_a.pk, "governance"])).content.decode()
    assert "Précisez &lt;b&gt;la&lt;/b&gt; structure." in body


def test_upload_of_forbidden_type_is_refused(client, coordinator_a, report_a):
    client.force_login(coordinator_a)
    exe = SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,
                             content_type="application/pdf")
    response = client.post(reverse("annual_reports:annex_upload", args=[report_a.pk]), {"file": exe}, follow=True)
    assert shows(response.content.decode(), fr("This file type is not accepted. Accepted: %(types)s."))
    assert not Annex.objects.exists()


def test_upload_too_large_is_refused(client, coordinator_a, report_a, settings):
    settings.MAX_UPLOAD_MB = 0
    client.force_login(coordinator_a)
    response = client.post(reverse("annual_reports:annex_upload", args=[report_a.pk]),
                           {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)}, follow=True)
    assert shows(response.content.decode(), fr("The file is larger than %(mb)s MB."))
    assert not Annex.objects.exists()


def test_annex_upload_and_download_by_members_only(client, coordinator_a, committee_a, coordinator_b, report_a):
    client.force_login(coordinator_a)
    client.post(reverse("annual_reports:annex_upload", args=[report_a.pk]),
                {"file": SimpleUploadedFile("carte.png", PNG_BYTES, content_type="image/png")})
    annex = Annex.objects.get()
    assert annex.content_type == "image/png" and annex.original_name == "carte.png"
    assert "static" not in annex.file.path
    url = reverse("annual_reports:annex_download", args=[report_a.pk, annex.pk])
    client.force_login(committee_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PNG_BYTES
    client.force_login(coordinator_b)
    assert client.get(url).status_code == 404


def test_overview_shows_completion_assignments_and_timeline(client, coordinator_a, local_coordinator_a, report_a):
    services.answer_save(report=report_a, question_code="governance_a", value="x", expected_version=0,
                         by=local_coordinator_a)
    services.chapter_assign(report=report_a, chapter_code="governance", assignee=local_coordinator_a,
                            due_on=dt.date(2025, 2, 1), by=coordinator_a)
    client.force_login(coordinator_a)
    body = client.get(report_a.get_absolute_url()).content.decode()
    assert str(local_coordinator_a) in body
    assert 'data-action="annual_reports.chapter.assigned"' in body
    assert shows(body, fr("Submit to the network committee"))


def test_admin_records_sending(client, admin_a, validated_report_a):
    client.force_login(admin_a)
    response = client.post(reverse("annual_reports:send", args=[validated_report_a.pk]), {
        "recipients": "psysoc@health.fgov.be\npsy@riziv-inami.fgov.be", "sent_on": "2025-03-20", "language": "fr"})
    assert response.status_code == 302
    validated_report_a.refresh_from_db()
    assert validated_report_a.status == Status.ARCHIVED
    assert validated_report_a.sent_pdf.read().startswith(b"%PDF")
    assert len(validated_report_a.sent_pdf_sha256) == 64


def test_export_request_renders_then_downloads(client, admin_a, complete_report_a, django_capture_on_commit_callbacks):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("annual_reports:export_request", args=[complete_report_a.pk]),
                               {"language": "nl"}, HTTP_HX_REQUEST="true")
    export = complete_report_a.exports.get()
    status = client.get(reverse("annual_reports:export_status", args=[complete_report_a.pk, export.pk]))
    assert "export_download" in status.content.decode() or "/download/" in status.content.decode()
    response = client.get(reverse("annual_reports:export_download", args=[complete_report_a.pk, export.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def _many_answers(report, user):
    from .factories import fill_required

    fill_required(report, user)


@pytest.mark.parametrize("fill", [False, True])
def test_overview_query_count_is_bounded(client, coordinator_a, report_a, django_assert_max_num_queries, fill):
    if fill:
        _many_answers(report_a, coordinator_a)
    client.force_login(coordinator_a)
    client.get(report_a.get_absolute_url())  # warm the session and content types
    with django_assert_max_num_queries(20):
        assert client.get(report_a.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("fill", [False, True])
def test_chapter_query_count_is_bounded(client, coordinator_a, report_a, django_assert_max_num_queries, fill):
    if fill:
        _many_answers(report_a, coordinator_a)
    client.force_login(coordinator_a)
    url = reverse("annual_reports:chapter", args=[report_a.pk, "target_groups"])
    client.get(url)
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200
