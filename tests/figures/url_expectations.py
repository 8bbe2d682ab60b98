"""The figures app's URLs for tests/test_authorization_matrix.py."""
import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile

NC, LC, CM, AS, PS = "network_coordinator", "local_coordinator", "committee_member", "admin_staff", "psychologist"
FV = "federal_viewer"

EXPECTATIONS = {
    "figures:network_figures": (None, {NC, LC, CM, AS}),
    "figures:moment_list": (None, {NC, LC, CM, AS}),
    "figures:moment_create": (None, {NC, LC}),
    "figures:moment_update": ("moment", {NC, LC}),
    "figures:cost_list": (None, {NC, CM, AS}),
    "figures:cost_create": (None, {AS}),
    "figures:cost_update": ("cost", {AS}),
    "figures:insert": ("report_question_figures", "post-only"),
    "figures:report_status": ("figures_report", {NC, LC, CM, AS}),
    "figures:federal_overview": (None, {FV}),
    "figures:federal_network": ("federal_network", {FV}),
    "figures:federal_report": ("federal_report", {FV}),
    "figures:federal_report_pdf": ("federal_report", {FV}),
}


def build_objects(network_a, role_users):
    from annual_reports.models import Status
    from figures.models import InformationMoment, OperatingCost
    from tests.annual_reports.factories import AnnualReportFactory, ReportTemplateFactory

    zone = role_users[LC].memberships.get().zones.first()
    moment = InformationMoment.objects.create(network=network_a, zone=zone, date=dt.date(2024, 3, 1), place="Salle",
                                              audience_type="gp_circle", participants=10, topic="Offre")
    cost = OperatingCost.objects.create(network=network_a, year=2024, date=dt.date(2024, 4, 1),
                                        amount=Decimal("100"), purpose="Salle")
    report = AnnualReportFactory(network=network_a, year=2022, template=ReportTemplateFactory(year=2022),
                                 status=Status.ARCHIVED, sent_on=dt.date(2023, 3, 28))
    report.sent_pdf.save("sent-2022.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return {
        "moment": moment, "cost": cost, "figures_report": report, "federal_report": report,
        "federal_network": network_a,
        "report_question_figures": {"pk": report.pk, "code": "target_beneficiaries_b"},
    }
