"""The annual report's URLs for tests/test_authorization_matrix.py: roles answered 200 on GET."""
import datetime as dt

from django.core.files.base import ContentFile

NC, LC, CM, AS = "network_coordinator", "local_coordinator", "committee_member", "admin_staff"
VIEWERS = {NC, LC, CM, AS}

EXPECTATIONS = {
    "annual_reports:report_list": (None, VIEWERS),
    "annual_reports:report_create": (None, "post-only"),
    "annual_reports:report_detail": ("report", VIEWERS),
    "annual_reports:identification": ("report", {NC, LC}),
    "annual_reports:chapter": ("report_chapter", VIEWERS),
    "annual_reports:answer": ("report_question", VIEWERS),
    "annual_reports:answer_history": ("report_question", VIEWERS),
    "annual_reports:section_not_applicable": ("report_section", "post-only"),
    "annual_reports:comment_add": ("report_question", "post-only"),
    "annual_reports:comment_resolve": ("report_comment", "post-only"),
    "annual_reports:submit": ("report", "post-only"),
    "annual_reports:request_changes": ("report", "post-only"),
    "annual_reports:validate": ("report", "post-only"),
    "annual_reports:reopen": ("report", "post-only"),
    "annual_reports:send": ("report", "post-only"),
    "annual_reports:sent_pdf": ("sent_report", {NC, AS}),
    "annual_reports:assign": ("report", "post-only"),
    "annual_reports:annex_upload": ("report", "post-only"),
    "annual_reports:annex_download": ("report_annex", VIEWERS),
    "annual_reports:annex_delete": ("report_annex", "post-only"),
    "annual_reports:export_request": ("report", "post-only"),
    "annual_reports:export_status": ("report_export", {NC, AS}),
    "annual_reports:export_download": ("report_export", {NC, AS}),
}


def build_objects(network_a, role_users):
    from annual_reports.models import Annex, Comment, ExportStatus, ReportExport, Status

    from .factories import AnnualReportFactory, ReportTemplateFactory

    report = AnnualReportFactory(network=network_a, template=ReportTemplateFactory())
    comment = Comment.objects.create(report=report, question_code="governance_a", author=role_users[CM], text="?")
    annex = Annex(report=report, original_name="a.pdf", content_type="application/pdf", size=8, sha256="0" * 64)
    annex.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=True)
    export = ReportExport(report=report, language="fr", status=ExportStatus.READY)
    export.file.save("e.pdf", ContentFile(b"%PDF-1.4"), save=True)
    sent = AnnualReportFactory(network=network_a, year=2023, template=ReportTemplateFactory(year=2023),
                               status=Status.ARCHIVED, sent_on=dt.date(2024, 3, 28))
    sent.sent_pdf.save("sent.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return {
        "report": report,
        "report_chapter": {"pk": report.pk, "code": "governance"},
        "report_question": {"pk": report.pk, "code": "governance_a"},
        "report_section": {"pk": report.pk, "code": "target_detainees"},
        "report_comment": {"pk": report.pk, "comment_pk": comment.pk},
        "report_annex": {"pk": report.pk, "annex_pk": annex.pk},
        "report_export": {"pk": report.pk, "export_pk": export.pk},
        "sent_report": sent,
    }
