"""Authorization matrix entries for billing (see tests/test_authorization_matrix.py)."""
import datetime as dt

from django.core.files.base import ContentFile

NC, LC, CM, AS, PS = "network_coordinator", "local_coordinator", "committee_member", "admin_staff", "psychologist"

EXPECTATIONS = {
    "billing:index": (None, {NC, AS, PS}),
    "billing:dashboard_export_csv": (None, {NC, AS, PS}),
    "billing:dashboard_export_xlsx": (None, {NC, AS, PS}),
    "billing:rule_list": (None, {NC, AS, PS}),
    "billing:session_list": (None, {NC, AS, PS}),
    "billing:session_create": (None, {NC, AS, PS}),
    "billing:group_create": (None, {NC, AS, PS}),
    "billing:extension_create": (None, {NC}),
    "billing:assessment_list": (None, {NC, AS, PS}),
    "billing:assessment_create": (None, {NC, AS, PS}),
    "billing:outreach_breaches": (None, {NC}),
    "billing:statement_list": (None, {NC, AS, PS}),
    "billing:statement_generate": (None, "post-only"),
    "billing:statement_detail": ("statement", {NC, AS, PS}),
    "billing:statement_download": ("statement_pdf", {NC, AS, PS}),
    "billing:import_create": (None, {NC, AS}),
    "billing:import_detail": ("import", {NC, AS}),
    "billing:import_progress": ("import", {NC, AS}),
    "billing:import_report": ("import", {NC, AS}),
}


def build_objects(network_a, role_users):
    from billing.loader import load_rules
    from billing.models import ImportBatch, Statement
    from psynet.models import Psychologist

    load_rules()
    psychologist = Psychologist.objects.get(user=role_users[PS])
    statement = Statement(network=network_a, psychologist=psychologist, month=dt.date(2025, 1, 1), inputs_hash="x",
                          totals={"due": "0"})
    statement.pdf.save("s.pdf", ContentFile(b"%PDF-1.4"), save=False)
    statement.csv.save("s.csv", ContentFile(b"date"), save=False)
    statement.save()
    batch = ImportBatch(network=network_a, original_name="a.csv", status=ImportBatch.Status.DONE)
    batch.file.save("a.csv", ContentFile(b"x"), save=False)
    batch.report.save("r.csv", ContentFile(b"row"), save=False)
    batch.save()
    return {"statement": statement, "import": batch,
            "statement_pdf": {"pk": statement.pk, "kind": "pdf"}}
