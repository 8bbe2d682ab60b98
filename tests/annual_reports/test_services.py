import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from annual_reports import services
from annual_reports.models import AnnualReport, Answer, AnswerRevision, Status
from psynet.models import AuditEntry, Notification


def actions(report):
    return list(AuditEntry.objects.filter(object_id=str(report.pk), action__startswith="annual_reports.report")
                .order_by("at", "pk").values_list("action", flat=True))


def test_report_create_prefills_identification(network_a, template_2024, coordinator_a, local_coordinator_a):
    report = services.report_create(network=network_a, year=2024, by=coordinator_a)
    assert report.identification["network_name"] == network_a.name
    assert coordinator_a.last_name in report.identification["network_coordinator"]
    assert local_coordinator_a.last_name in report.identification["local_coordinators"]
    assert report.identification["generic_email"] == network_a.generic_email
    assert coordinator_a.email in report.identification["contact_person"]
    assert actions(report) == ["annual_reports.report.created"]


def test_report_create_from_previous_copies_answers(network_a, coordinator_a, template_2024):
    from tests.annual_reports.factories import AnnualReportFactory, AnswerFactory, ReportTemplateFactory

    old = AnnualReportFactory(network=network_a, year=2023, template=ReportTemplateFactory(year=2023),
                              status=Status.ARCHIVED)
    AnswerFactory(report=old, question_code="governance_a", value="Texte 2023")
    AnswerFactory(report=old, question_code="no_longer_exists", value="x")
    report = services.report_create(network=network_a, year=2024, by=coordinator_a, from_previous=True)
    assert {a.question_code: a.value for a in report.answers.all()} == {"governance_a": "Texte 2023"}


def test_local_coordinator_cannot_create_report(network_a, template_2024, local_coordinator_a):
    with pytest.raises(PermissionDenied):
        services.report_create(network=network_a, year=2024, by=local_coordinator_a)


def test_answer_save_creates_versions_and_revisions(report_a, coordinator_a):
    a1 = services.answer_save(report=report_a, question_code="governance_a", value="Premier", expected_version=0,
                              by=coordinator_a)
    a2 = services.answer_save(report=report_a, question_code="governance_a", value="Second", expected_version=1,
                              by=coordinator_a)
    assert (a1.version, a2.version) == (1, 2)
    assert list(AnswerRevision.objects.filter(answer=a2).order_by("version").values_list("value", flat=True)) == [
        "Premier", "Second"]


def test_stale_version_raises_conflict_and_keeps_first_save(report_a, coordinator_a, local_coordinator_a):
    services.answer_save(report=report_a, question_code="governance_a", value="Alice", expected_version=0,
                         by=coordinator_a)
    with pytest.raises(services.EditConflict) as exc:
        services.answer_save(report=report_a, question_code="governance_a", value="Bob", expected_version=0,
                             by=local_coordinator_a)
    assert exc.value.answer.value == "Alice" and exc.value.answer.version == 1
    assert Answer.objects.get(report=report_a, question_code="governance_a").value == "Alice"


def test_number_answer_is_validated(report_a, coordinator_a):
    with pytest.raises(services.ReportError):
        services.answer_save(report=report_a, question_code="target_eating_disorders_d", value="douze",
                             expected_version=0, by=coordinator_a)
    a = services.answer_save(report=report_a, question_code="target_eating_disorders_d", value="12,5",
                             expected_version=0, by=coordinator_a)
    assert a.value == 12.5


def test_table_answer_drops_empty_rows(report_a, coordinator_a):
    rows = [{"communication": "Site", "target_group": "MG", "method": "web", "goal": "informer"},
            {"communication": "", "target_group": "", "method": "", "goal": ""}]
    a = services.answer_save(report=report_a, question_code="communication_a", value=rows, expected_version=0,
                             by=coordinator_a)
    assert a.value == rows[:1]


def test_submit_refused_with_missing_required_answers(report_a, coordinator_a):
    services.answer_save(report=report_a, question_code="governance_a", value="ok", expected_version=0,
                         by=coordinator_a)
    with pytest.raises(services.ReportIncomplete) as exc:
        services.report_submit(report=report_a, by=coordinator_a)
    missing = exc.value.missing
    assert any(label.startswith("1.b ") for label in missing)
    assert not any(label.startswith("1.a ") for label in missing)
    report_a.refresh_from_db()
    assert report_a.status == Status.DRAFT


def test_not_applicable_section_counts_as_answered(report_a, coordinator_a):
    services.section_mark_not_applicable(report=report_a, section_code="target_detainees", by=coordinator_a)
    assert Answer.objects.filter(report=report_a, question_code__startswith="target_detainees",
                                 not_applicable=True).count() == 5
    with pytest.raises(services.ReportError):
        services.section_mark_not_applicable(report=report_a, section_code="governance_convention", by=coordinator_a)


def test_full_workflow_with_audit_and_notifications(complete_report_a, coordinator_a, committee_a, admin_a,
                                                    local_coordinator_a, django_capture_on_commit_callbacks,
                                                    mailoutbox):
    report = complete_report_a
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(report=report, by=coordinator_a)
    assert Notification.objects.filter(recipient=committee_a, key__contains=":submitted:").exists()
    assert any(committee_a.email in m.to for m in mailoutbox)
    services.report_request_changes(report=report, by=committee_a, note="Précisez le chapitre 3.")
    assert Notification.objects.filter(recipient=local_coordinator_a, key__contains="changes_requested").exists()
    services.report_submit(report=report, by=coordinator_a)
    services.report_validate(report=report, committee_date=dt.date(2025, 3, 12), by=committee_a)
    report.refresh_from_db()
    assert report.status == Status.VALIDATED and report.committee_date == dt.date(2025, 3, 12)
    services.report_record_sending(report=report, recipients=["psy@riziv-inami.fgov.be"], sent_on=dt.date(2025, 3, 20),
                                   by=admin_a, pdf_bytes=b"%PDF-1.7 test")
    report.refresh_from_db()
    assert report.status == Status.ARCHIVED
    assert report.sent_pdf.read() == b"%PDF-1.7 test"
    import hashlib

    assert report.sent_pdf_sha256 == hashlib.sha256(b"%PDF-1.7 test").hexdigest()
    assert actions(report) == [
        "annual_reports.report.submitted", "annual_reports.report.changes_requested",
        "annual_reports.report.submitted", "annual_reports.report.validated", "annual_reports.report.sent",
        "annual_reports.report.archived"]


def test_wrong_role_cannot_validate(submitted_report_a, coordinator_a, local_coordinator_a):
    for user in (coordinator_a, local_coordinator_a):
        with pytest.raises(PermissionDenied):
            services.report_validate(report=submitted_report_a, committee_date=dt.date(2025, 3, 1), by=user)
    submitted_report_a.refresh_from_db()
    assert submitted_report_a.status == Status.SUBMITTED


def test_committee_member_of_other_network_cannot_validate(submitted_report_a, network_b):
    from tests.conftest import _member
    from psynet.models import Role

    outsider = _member(network_b, Role.COMMITTEE_MEMBER)
    with pytest.raises(PermissionDenied):
        services.report_validate(report=submitted_report_a, committee_date=dt.date(2025, 3, 1), by=outsider)


def test_validate_from_draft_is_an_invalid_transition(report_a, committee_a):
    with pytest.raises(services.InvalidTransition):
        services.report_validate(report=report_a, committee_date=dt.date(2025, 3, 1), by=committee_a)


def test_frozen_report_refuses_edits(validated_report_a, coordinator_a):
    with pytest.raises(services.ReportFrozen):
        services.answer_save(report=validated_report_a, question_code="governance_a", value="change",
                             expected_version=1, by=coordinator_a)
    with pytest.raises(services.ReportFrozen):
        services.identification_update(report=validated_report_a, data={"network_name": "x"}, by=coordinator_a)
    assert Answer.objects.get(report=validated_report_a, question_code="governance_a").value != "change"


def test_reopen_is_for_network_coordinator_and_audited(validated_report_a, coordinator_a, local_coordinator_a):
    with pytest.raises(PermissionDenied):
        services.report_reopen(report=validated_report_a, by=local_coordinator_a, reason="x")
    services.report_reopen(report=validated_report_a, by=coordinator_a, reason="Erreur chapitre 6")
    validated_report_a.refresh_from_db()
    assert validated_report_a.status == Status.DRAFT
    entry = AuditEntry.objects.get(action="annual_reports.report.reopened")
    assert entry.actor == coordinator_a and entry.after["reason"] == "Erreur chapitre 6"


def test_chapter_assign_only_to_coordinators(report_a, coordinator_a, local_coordinator_a, committee_a):
    a = services.chapter_assign(report=report_a, chapter_code="providers", assignee=local_coordinator_a,
                                due_on=dt.date(2025, 2, 15), by=coordinator_a)
    assert a.assignee == local_coordinator_a
    assert Notification.objects.filter(recipient=local_coordinator_a, key__contains="assigned").exists()
    with pytest.raises(services.ReportError):
        services.chapter_assign(report=report_a, chapter_code="providers", assignee=committee_a, due_on=None,
                                by=coordinator_a)


def test_report_unique_per_network_year(report_a, coordinator_a, network_a):
    with pytest.raises(services.ReportError):
        services.report_create(network=network_a, year=2024, by=coordinator_a)
    assert AnnualReport.objects.filter(network=network_a).count() == 1


def test_export_task_run_twice_renders_once(complete_report_a, admin_a, django_capture_on_commit_callbacks):
    from annual_reports.models import ExportStatus

    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request(report=complete_report_a, language="fr", by=admin_a)
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.file.read().startswith(b"%PDF")
    assert services.export_render(export_id=export.pk) is False


def test_annex_content_checked_not_name(report_a, coordinator_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(services.AnnexRefused):
        services.annex_add(report=report_a, uploaded_file=SimpleUploadedFile("notes.docx", b"just text, no zip"),
                           by=coordinator_a)
    annex = services.annex_add(report=report_a, by=coordinator_a, uploaded_file=SimpleUploadedFile(
        "scan.jpeg.exe", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64))
    assert annex.content_type == "image/jpeg" and annex.file.name.endswith(".jpg")
