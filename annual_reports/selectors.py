"""Every read the annual-report pages need, scoped to the active network, with a bounded number of queries."""
from django.contrib.contenttypes.models import ContentType

from psynet.models import AuditEntry, Membership, Role

from .models import Annex, AnnualReport, Answer, AnswerRevision, ChapterAssignment, Comment, ReportExport


def reports_in(network):
    return AnnualReport.objects.filter(network=network).select_related("network", "template", "validated_by")


# the template's columns an answer request needs: its structure comes from the per-process cache, keyed on these
TEMPLATE_KEY_FIELDS = ("template__id", "template__year", "template__version", "template__created_at",
                       "template__updated_at")


def report_for_answer(network, pk):
    """The report an answer is read from or saved to, in one query: the network is the active one (the filter
    makes another network's report a 404), the template row without its definition (``structure_of`` reads it
    once per process), no validator."""
    try:
        report = (AnnualReport.objects.select_related("template")
                  .only("id", "network_id", "year", "status", "template_id", *TEMPLATE_KEY_FIELDS)
                  .get(network=network, pk=pk))  # get(), not first(): no ordering to compile on every autosave
    except AnnualReport.DoesNotExist:
        return None
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
            .select_related("report", "report__template").order_by("due_on", "chapter_code"))


def reports_awaiting(network, statuses):
    return reports_in(network).filter(status__in=statuses).order_by("-year")
