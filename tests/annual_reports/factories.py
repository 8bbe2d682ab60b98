import copy
import datetime as dt
from pathlib import Path

import factory
import yaml

from annual_reports.models import AnnualReport, Answer, ReportTemplate, Status
from annual_reports.services import _jsonable
from tests.factories import NetworkFactory

TEMPLATE_FILE = Path(__file__).resolve().parents[2] / "annual_reports" / "report_templates" / "2024.yaml"
_DEFINITION = None


def definition_2024():
    global _DEFINITION
    if _DEFINITION is None:
        _DEFINITION = _jsonable(yaml.safe_load(TEMPLATE_FILE.read_text(encoding="utf-8")))
    return copy.deepcopy(_DEFINITION)


class ReportTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportTemplate
        django_get_or_create = ["year", "version"]

    year = 2024
    version = 1
    deadline = dt.date(2025, 3, 31)
    recipients = ["psysoc@health.fgov.be", "psy@riziv-inami.fgov.be"]
    definition = factory.LazyFunction(definition_2024)


class AnnualReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualReport

    network = factory.SubFactory(NetworkFactory)
    year = 2024
    template = factory.SubFactory(ReportTemplateFactory)
    status = Status.DRAFT
    identification = factory.LazyAttribute(lambda o: {"network_name": o.network.name})


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    report = factory.SubFactory(AnnualReportFactory)
    question_code = "governance_a"
    value = "Une réponse."
    version = 1


def sample_value(question, text="Réponse de test."):
    if question.kind == "table":
        return [{c["code"]: f"{text} {c['code']}" for c in question.columns}]
    if question.kind == "number":
        return 3
    if question.kind == "attachments":
        return []
    return text


def fill_required(report, user=None):
    """Answer every required question (bulk, version 1)."""
    rows = [Answer(report=report, question_code=q.code, value=sample_value(q), version=1, updated_by=user)
            for q in report.template.structure.required_questions]
    Answer.objects.bulk_create(rows)
