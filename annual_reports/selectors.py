"""Every read the annual-report pages need, scoped to the active network, with a bounded number of queries."""
import functools

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from psynet.models import AuditEntry, Membership, Role

from .models import (
    Annex, AnnualReport, Answer, AnswerRevision, ChapterAssignment, Comment, ReportExport, ReportTemplate,
)


def reports_in(network):
    """The network's reports with their network, template and validator; the template's definition (tens of
    kilobytes of JSON) stays unread: pages use its structure, parsed once per process (structure.structure_of)."""
    return (AnnualReport.objects.filter(network=network).select_related("network", "template", "validated_by")
            .defer("template__definition"))


# What an answer request reads of its report and template: the template's structure comes from the per-process
# cache (structure.structure_of), keyed on the template's columns below, so its definition is not read.
_REPORT_COLUMNS = {"id", "network", "year", "status", "template"}
_TEMPLATE_COLUMNS = {"id", "year", "version", "created_at", "updated_at"}


def _loaded(model, names):
    """The model's fields among ``names``, in the order of its concrete fields (the order ``from_db`` expects)."""
    return [f for f in model._meta.concrete_fields if f.name in names]


@functools.cache
def _report_for_answer_query(vendor):
    """(SQL, converters of each column, the report's and the template's attribute names) built once per process;
    ``vendor`` keys it to the database in use."""
    qn = connection.ops.quote_name
    report, template = AnnualReport._meta, ReportTemplate._meta
    report_fields, template_fields = _loaded(AnnualReport, _REPORT_COLUMNS), _loaded(ReportTemplate, _TEMPLATE_COLUMNS)
    fields = report_fields + template_fields
    columns = [f"{'r' if field.model is AnnualReport else 't'}.{qn(field.column)}" for field in fields]
    sql = (f"SELECT {', '.join(columns)} FROM {qn(report.db_table)} r INNER JOIN {qn(template.db_table)} t "
           f"ON t.{qn(template.pk.column)} = r.{qn(report.get_field('template').column)} "
           f"WHERE r.{qn(report.get_field('network').column)} = %s AND r.{qn(report.pk.column)} = %s")
    converters = []
    for field in fields:
        column = field.get_col(field.model._meta.db_table)
        converters.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return sql, converters, [f.attname for f in report_fields], [f.attname for f in template_fields]


def report_for_answer(network, pk):
    """The report an answer is read from or saved to, in one query that the ORM would take longer to compile than
    to run (the autosave is the portal's most frequent request): the network is the active one (another network's
    report is None, so a 404), the template row without its definition (``structure_of`` reads it once per
    process); the report's other columns are deferred."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    sql, converters, report_names, template_names = _report_for_answer_query(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [network.pk, pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, (column, convert_all) in zip(row, converters, strict=True):
        for convert in convert_all:  # as the ORM does (SQLite hands datetimes back as text)
            value = convert(value, column, connection)
        values.append(value)
    split = len(report_names)
    report = AnnualReport.from_db(connection.alias, report_names, values[:split])
    report.template = ReportTemplate.from_db(connection.alias, template_names, values[split:])
    report.network = network
    return report


def answers_of(report, codes=None):
    qs = Answer.objects.filter(report=report).select_related("updated_by")
    if codes is not None:
        qs = qs.filter(question_code__in=list(codes))
    return {a.question_code: a for a in qs}


def answer_history(answer, limit=50):
    return AnswerRevision.objects.filter(answer=answer).select_related("by").order_by("-version")[:limit]


def assignments_of(report):
    return {a.chapter_code: a for a in ChapterAssignment.objects.filter(report=report).select_related("assignee")}


def comments_of(report, codes=None):
    qs = Comment.objects.filter(report=report).select_related("author")
    if codes is not None:
        qs = qs.filter(question_code__in=list(codes))
    by_code = {}
    for comment in qs:
        by_code.setdefault(comment.question_code, []).append(comment)
    return by_code


def annexes_of(report):
    return Annex.objects.filter(report=report).select_related("uploaded_by")


def exports_of(report, limit=5):
    return ReportExport.objects.filter(report=report).order_by("-created_at", "-pk")[:limit]


def timeline_of(report, limit=50):
    """The report's workflow, assignments and annexes from the audit trail (answer saves are in their history)."""
    report_ct = ContentType.objects.get_for_model(AnnualReport)
    return (AuditEntry.objects.filter(content_type=report_ct, object_id=str(report.pk))
            .select_related("actor").order_by("-at", "-pk")[:limit])


def assignable_members(network):
    return (Membership.objects.filter(network=network, is_active=True,
                                      role__in=[Role.NETWORK_COORDINATOR, Role.LOCAL_COORDINATOR])
            .select_related("user").order_by("user__last_name", "user__first_name"))


def assignments_for(user, network):
    return (ChapterAssignment.objects.filter(assignee=user, report__network=network)
            .exclude(report__status__in=["validated", "sent", "archived"])
            .select_related("report", "report__template").defer("report__template__definition")
            .order_by("due_on", "chapter_code"))


def reports_awaiting(network, statuses):
    return reports_in(network).filter(status__in=statuses).order_by("-year")
