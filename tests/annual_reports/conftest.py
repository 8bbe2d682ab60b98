import pytest

from annual_reports.models import Status

from .factories import AnnualReportFactory, ReportTemplateFactory, fill_required


@pytest.fixture
def template_2024(db):
    return ReportTemplateFactory()


@pytest.fixture
def report_a(network_a, template_2024, coordinator_a):
    return AnnualReportFactory(network=network_a, template=template_2024)


@pytest.fixture
def complete_report_a(report_a, coordinator_a):
    fill_required(report_a, coordinator_a)
    return report_a


@pytest.fixture
def submitted_report_a(complete_report_a):
    complete_report_a.status = Status.SUBMITTED
    from django.utils import timezone

    complete_report_a.submitted_at = timezone.now()
    complete_report_a.save()
    return complete_report_a


@pytest.fixture
def validated_report_a(submitted_report_a):
    import datetime as dt

    submitted_report_a.status = Status.VALIDATED
    submitted_report_a.committee_date = dt.date(2025, 3, 12)
    submitted_report_a.save()
    return submitted_report_a


@pytest.fixture
def report_b(network_b, template_2024):
    return AnnualReportFactory(network=network_b, template=template_2024)
