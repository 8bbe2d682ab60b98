"""Every write of the annual report: keyword-only, one transaction, an audit entry, notifications on commit.

Workflow (DESIGN.md "Annual report"): draft → submitted → changes requested / validated → sent → archived;
a validated, sent or archived report is frozen. Allowed moves sit in ``REPORT_TRANSITIONS`` (STYLE.md §3)."""
import datetime as dt
import functools
import hashlib
import math
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from psynet import permissions
from psynet.audit import log_action
from psynet.models import Membership, Network, Role
from psynet.services import notify

from .models import (
    FROZEN_STATUSES, Annex, AnnualReport, Answer, AnswerRevision, ChapterAssignment, Comment, ExportStatus,
    ReportExport, ReportTemplate, SentReminder, Status,
)

# ---- errors ----------------------------------------------------------------------------------


class ReportError(Exception):
    """A refused action with a translated message for the user."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


class ReportFrozen(ReportError):
    def __init__(self, report=None):
        super().__init__(_("This report is validated and can no longer be edited. A network coordinator can "
                           "reopen it."))


class InvalidTransition(ReportError):
    pass


class ReportIncomplete(ReportError):
    """Submission refused: ``missing`` lists the labels of the required questions without an answer."""

    def __init__(self, missing):
        self.missing = missing
        super().__init__(_("The report cannot be submitted: %(count)s required answers are missing.")
                         % {"count": len(missing)})


class EditConflict(Exception):
    """Someone saved this answer since the version the editor started from; ``answer`` is the current one."""

    def __init__(self, answer):
        self.answer = answer
        super().__init__(f"answer {answer.pk} is at version {answer.version}")


class AnnexRefused(ReportError):
    pass


# ---- helpers ---------------------------------------------------------------------------------

REPORT_TRANSITIONS = {
    (Status.DRAFT, Status.SUBMITTED): ("report.submit", "submitted"),
    (Status.CHANGES_REQUESTED, Status.SUBMITTED): ("report.submit", "submitted"),
    (Status.SUBMITTED, Status.CHANGES_REQUESTED): ("report.validate", "changes_requested"),
    (Status.SUBMITTED, Status.VALIDATED): ("report.validate", "validated"),
    (Status.VALIDATED, Status.DRAFT): ("report.reopen", "reopened"),
    (Status.VALIDATED, Status.SENT): ("report.send", "sent"),
    (Status.SENT, Status.ARCHIVED): ("report.send", "archived"),
}


def allowed_transitions(report):
    return {to: action for (frm, to), (action, _name) in REPORT_TRANSITIONS.items() if frm == report.status}


def _locked(report):
    return (AnnualReport.objects.select_for_update().select_related("network", "template")
            .defer("template__definition").get(pk=report.pk))


def _transition(report, *, to, by, fields=(), extra=None):
    """Check the move against the table and the user's role, save, audit. ``report`` must be locked."""
    key = (report.status, to)
    if key not in REPORT_TRANSITIONS:
        raise InvalidTransition(_("This action is not possible while the report is “%(status)s”.")
                                % {"status": report.get_status_display()})
    action, name = REPORT_TRANSITIONS[key]
    permissions.require(by, action, report)
    old = report.status
    report.status = to
    report.save(update_fields=["status", "updated_at", *fields])
    log_action(report, f"annual_reports.report.{name}", by=by, before={"status": old},
               after={"status": to, **(extra or {})})
    return report


def _ensure_editable(report):
    status = AnnualReport.objects.filter(pk=report.pk).values_list("status", flat=True).first()
    if status in FROZEN_STATUSES:
        raise ReportFrozen(report)


def _members(network, roles):
    return [m.user for m in Membership.objects.filter(network=network, role__in=roles, is_active=True,
                                                      user__is_active=True).select_related("user")]


def coordinators_of(network):
    return _members(network, [Role.NETWORK_COORDINATOR, Role.LOCAL_COORDINATOR])


def committee_of(network):
    return _members(network, [Role.COMMITTEE_MEMBER])


def _notify_all(users, *, report, key, template, extra=None):
    url = reverse("annual_reports:report_detail", args=[report.pk])
    for user in users:
        notify(recipient=user, key=f"annual_reports:{report.pk}:{key}", network=report.network, url=url,
               template=f"annual_reports/email/{template}",
               context={"report": report, "network": report.network, "year": report.year, "user": user,
                        **(extra or {})})


def current_template(year):
    return ReportTemplate.objects.filter(year=year).order_by("-version").first()


def is_answered(question, answer):
    if answer is None:
        return False
    if answer.not_applicable:
        return True
    value = answer.value
    if question.kind == "table":
        return bool(value) and any(any(str(v).strip() for v in row.values()) for row in value)
    if question.kind == "attachments":
        return bool(value)
    return value not in (None, "") and str(value).strip() != ""


def missing_required(report, answers=None):
    """The required questions of the report without an answer (not-applicable counts as an answer)."""
    if answers is None:
        answers = {a.question_code: a for a in report.answers.all()}
    return [q for q in report.template.structure.required_questions if not is_answered(q, answers.get(q.code))]


# ---- report ----------------------------------------------------------------------------------


def identification_prefill(network):
    members = Membership.objects.filter(network=network, is_active=True).select_related("user")
    ncs = [m.user for m in members if m.role == Role.NETWORK_COORDINATOR]
    lcs = [m.user for m in members if m.role == Role.LOCAL_COORDINATOR]
    contact = ncs[0] if ncs else None
    return {
        "network_name": network.name,
        "network_coordinator": ", ".join(u.get_full_name() or u.email for u in ncs),
        "local_coordinators": ", ".join(u.get_full_name() or u.email for u in lcs),
        "contact_person": f"{contact.get_full_name()} <{contact.email}>".strip() if contact else "",
        "generic_email": network.generic_email,
    }


@transaction.atomic
def report_create(*, network, year, by, from_previous=False):
    permissions.require(by, "report.create", network)
    template = current_template(year)
    if template is None:
        raise ReportError(_("No template is loaded for %(year)s.") % {"year": year})
    if AnnualReport.objects.filter(network=network, year=year).exists():
        raise ReportError(_("The %(year)s report of this network already exists.") % {"year": year})
    report = AnnualReport.objects.create(network=network, year=year, template=template,
                                         identification=identification_prefill(network))
    copied = 0
    if from_previous:
        previous = AnnualReport.objects.filter(network=network, year__lt=year).order_by("-year").first()
        if previous is not None:
            codes = template.structure.questions
            now = timezone.now()
            for old in previous.answers.all():
                if old.question_code not in codes or (old.value in (None, "", []) and not old.not_applicable):
                    continue
                answer = Answer.objects.create(report=report, question_code=old.question_code, value=old.value,
                                               not_applicable=old.not_applicable, version=1, updated_by=by,
                                               updated_at=now)
                AnswerRevision.objects.create(answer=answer, version=1, value=old.value,
                                              not_applicable=old.not_applicable, by=by, at=now)
                copied += 1
    log_action(report, "annual_reports.report.created", by=by,
               after={"year": year, "template": str(template), "answers_copied": copied})
    return report


@transaction.atomic
def identification_update(*, report, data, by):
    permissions.require(by, "report.edit", report)
    report = _locked(report)
    if report.is_frozen:
        raise ReportFrozen(report)
    codes = [f["code"] for f in report.template.structure.identification]
    before = dict(report.identification)
    report.identification = {**before, **{c: str(data.get(c, "")).strip() for c in codes}}
    report.save(update_fields=["identification", "updated_at"])
    log_action(report, "annual_reports.report.identification_updated", by=by, before=before,
               after=report.identification)
    return report


# ---- answers ---------------------------------------------------------------------------------


def clean_value(question, value):
    """The stored form of a posted value, by question kind; raises ReportError with a message."""
    kind = question.kind
    if kind == "number":
        text = str(value if value is not None else "").strip().replace("\u202f", "").replace(" ", "")
        if text == "":
            return None
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ReportError(_("Enter a number, for example 12 or 3,5.")) from None
        if not number.is_finite() or number < 0 or number > Decimal("1e12"):
            raise ReportError(_("Enter a positive number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "table":
        columns = [c["code"] for c in question.columns]
        rows = []
        for row in value or []:
            cells = {c: str((row or {}).get(c, "") or "").strip()[:2000] for c in columns}
            if any(cells.values()):
                rows.append(cells)
        return rows
    if kind == "attachments":
        return [int(v) for v in (value or [])]
    text = "" if value is None else str(value).replace("\r\n", "\n")
    if kind == "short_text":
        text = text.replace("\n", " ")[:500]
    return text[:100_000]


def _question(report, code):
    question = report.template.structure.questions.get(code)
    if question is None:
        raise ReportError(_("Unknown question."))
    return question


@functools.cache
def _answer_bump_sql(frozen_count):
    """The statement of ``_answer_bump`` (PostgreSQL), built once per process from the models' tables and columns."""
    qn = connection.ops.quote_name
    answer, report, revision = Answer._meta, AnnualReport._meta, AnswerRevision._meta

    def col(meta, name):
        return qn(meta.get_field(name).column)

    a_id, value, na, version = qn(answer.pk.column), col(answer, "value"), col(answer, "not_applicable"), \
        col(answer, "version")
    frozen = f"r.{col(report, 'status')} IN ({', '.join(['%(frozen' + str(i) + ')s' for i in range(frozen_count)])})"
    revision_cols = ", ".join(col(revision, f) for f in ("answer", "version", "value", "not_applicable", "by", "at"))
    return (
        # the row as it stood, for the caller when nothing is written (conflict, frozen, nothing changed)
        f"WITH current AS (SELECT a.{a_id} AS id, a.{version} AS version, a.{na} AS not_applicable, "
        f"a.{col(answer, 'updated_by')} AS updated_by_id, a.{col(answer, 'updated_at')} AS updated_at, "
        f"a.{value} = %(value)s AS same_value, {frozen} AS frozen "
        f"FROM {qn(answer.db_table)} a INNER JOIN {qn(report.db_table)} r "
        f"ON r.{qn(report.pk.column)} = a.{col(answer, 'report')} "
        f"WHERE a.{col(answer, 'report')} = %(report)s AND a.{col(answer, 'question_code')} = %(code)s), "
        # every condition on the updated row itself, so that a concurrent save is seen (READ COMMITTED re-checks)
        f"saved AS (UPDATE {qn(answer.db_table)} a SET {value} = %(value)s, {na} = %(na)s, "
        f"{version} = a.{version} + 1, {col(answer, 'updated_by')} = %(by)s, {col(answer, 'updated_at')} = %(now)s "
        f"WHERE a.{col(answer, 'report')} = %(report)s AND a.{col(answer, 'question_code')} = %(code)s "
        f"AND a.{version} = %(expected)s AND (a.{version} = 0 OR a.{na} <> %(na)s OR a.{value} IS DISTINCT FROM "
        f"%(value)s) AND NOT EXISTS (SELECT 1 FROM {qn(report.db_table)} r WHERE r.{qn(report.pk.column)} = "
        f"%(report)s AND {frozen}) RETURNING a.{a_id} AS id, a.{version} AS version, a.{value} AS value, "
        f"a.{na} AS not_applicable), "
        f"revision AS (INSERT INTO {qn(revision.db_table)} ({revision_cols}) "
        f"SELECT id, version, value, not_applicable, %(by)s, %(now)s FROM saved RETURNING 1) "
        f"SELECT current.*, (SELECT count(*) FROM revision) AS written FROM current"
    )


def _answer_bump(*, report, question_code, value, not_applicable, expected_version, by, now):
    """The autosave in one round trip on PostgreSQL: ``UPDATE … WHERE version = expected`` with its revision, and
    the row as it stood. Returns ("saved", answer), ("unchanged", answer), ("conflict", None), ("frozen", None) or
    (None, None) when the general path of ``answer_save`` must decide (no row yet, a save that raced this one).

    The row changes only if it is at ``expected_version``, the report is not frozen and the value or the
    not-applicable flag differs from the stored one (a version-0 row is always saved): the conditions under which
    the general path writes. Plain SQL because the ORM's ``update()`` cannot return rows."""
    frozen = sorted(str(s) for s in FROZEN_STATUSES)
    params = {"value": Answer._meta.get_field("value").get_db_prep_save(value, connection), "na": not_applicable,
              "by": by.pk, "now": now, "report": report.pk, "code": question_code, "expected": expected_version,
              **{f"frozen{i}": status for i, status in enumerate(frozen)}}
    with connection.cursor() as cursor:
        cursor.execute(_answer_bump_sql(len(frozen)), params)
        row = cursor.fetchone()
    if row is None:
        return None, None  # no answer yet: a first save
    answer_id, version, was_not_applicable, updated_by_id, updated_at, same_value, is_frozen, written = row
    if written:
        answer = Answer(pk=answer_id, report=report, question_code=question_code, value=value,
                        not_applicable=not_applicable, version=expected_version + 1, updated_by=by, updated_at=now)
    elif is_frozen:
        return "frozen", None
    elif version != expected_version:
        return "conflict", None
    elif version and same_value and was_not_applicable == not_applicable:
        answer = Answer(pk=answer_id, report=report, question_code=question_code, value=value,
                        not_applicable=not_applicable, version=version, updated_by_id=updated_by_id,
                        updated_at=updated_at)
    else:
        return None, None  # a concurrent save since the snapshot: let the general path read the row again
    answer._state.adding = False
    return ("saved" if written else "unchanged"), answer


@transaction.atomic
def answer_save(*, report, question_code, value, expected_version, by, not_applicable=False):
    """Save a new version of one answer if nobody saved since ``expected_version``; else EditConflict.

    On PostgreSQL an answer saved again takes one statement (the conditional UPDATE, its revision and the row as it
    stood, see ``_answer_bump``) then the audit entry; a blur without typing takes that one statement only. A first
    save, a race, and other databases take the general path, which reads the row and decides."""
    permissions.require(by, "report.edit", report)
    question = _question(report, question_code)
    value = clean_value(question, value)
    expected_version = int(expected_version or 0)
    now = timezone.now()
    outcome = None
    if connection.vendor == "postgresql":
        outcome, answer = _answer_bump(report=report, question_code=question_code, value=value,
                                       not_applicable=not_applicable, expected_version=expected_version, by=by,
                                       now=now)
    if outcome == "frozen":
        raise ReportFrozen(report)
    if outcome == "conflict":
        raise EditConflict(Answer.objects.select_related("updated_by").get(report=report,
                                                                           question_code=question_code))
    if outcome == "unchanged":
        return answer  # nothing changed (a blur without typing): no new version
    if outcome is None:
        _ensure_editable(report)
        answer, _created = Answer.objects.get_or_create(report=report, question_code=question_code)
        if answer.version != expected_version:
            raise EditConflict(answer)
        if answer.value == value and answer.not_applicable == not_applicable and answer.version:
            return answer  # nothing changed (a blur without typing): no new version
        changed = Answer.objects.filter(pk=answer.pk, version=expected_version).update(
            value=value, not_applicable=not_applicable, version=F("version") + 1, updated_by=by, updated_at=now)
        if not changed:
            raise EditConflict(Answer.objects.get(pk=answer.pk))
        answer.report = report  # for the audit entry's repr, without loading the report and its network again
        answer.value, answer.not_applicable, answer.version = value, not_applicable, expected_version + 1
        answer.updated_by, answer.updated_at = by, now
        AnswerRevision.objects.create(answer=answer, version=answer.version, value=value,
                                      not_applicable=not_applicable, by=by, at=now)
    log_action(answer, "annual_reports.answer.saved", by=by, network=report.network,
               before={"version": expected_version}, after={"version": answer.version, "question": question_code,
                                                            "not_applicable": not_applicable})
    return answer


@transaction.atomic
def answer_mark_not_applicable(*, report, question_code, by, not_applicable=True):
    """Mark an "if relevant" (or optional) question not applicable, whatever its version."""
    permissions.require(by, "report.edit", report)
    question = _question(report, question_code)
    if not (question.if_relevant or not question.required):
        raise ReportError(_("This question is required and cannot be marked not applicable."))
    _ensure_editable(report)
    answer, _created = Answer.objects.select_for_update().get_or_create(report=report,
                                                                         question_code=question_code)
    if answer.not_applicable == not_applicable and answer.version:
        return answer
    return answer_save(report=report, question_code=question_code, value=answer.value,
                       expected_version=answer.version, by=by, not_applicable=not_applicable)


@transaction.atomic
def section_mark_not_applicable(*, report, section_code, by, not_applicable=True):
    section = report.template.structure.sections_by_code.get(section_code)
    if section is None or not section.if_relevant:
        raise ReportError(_("Only an “if relevant” section can be marked not applicable."))
    return [answer_mark_not_applicable(report=report, question_code=q.code, by=by, not_applicable=not_applicable)
            for q in section.questions]


# ---- workflow --------------------------------------------------------------------------------


@transaction.atomic
def report_submit(*, report, by):
    report = _locked(report)
    permissions.require(by, "report.submit", report)
    if (report.status, Status.SUBMITTED) in REPORT_TRANSITIONS:
        missing = missing_required(report)
        if missing:
            raise ReportIncomplete([q.full_label() for q in missing])
    report.submitted_at = timezone.now()
    _transition(report, to=Status.SUBMITTED, by=by, fields=["submitted_at"])
    _notify_all(committee_of(report.network), report=report, template="submitted",
                key=f"submitted:{report.submitted_at:%Y%m%d%H%M%S}")
    return report


@transaction.atomic
def report_request_changes(*, report, by, note=""):
    report = _locked(report)
    _transition(report, to=Status.CHANGES_REQUESTED, by=by, extra={"note": note[:2000]} if note else None)
    _notify_all(coordinators_of(report.network), report=report, template="changes_requested",
                key=f"changes_requested:{timezone.now():%Y%m%d%H%M%S}", extra={"note": note})
    return report


@transaction.atomic
def report_validate(*, report, committee_date, by):
    report = _locked(report)
    if committee_date is None:
        raise ReportError(_("Enter the date of the committee meeting."))
    if committee_date > timezone.localdate():
        raise ReportError(_("The committee meeting date cannot be in the future."))
    report.committee_date = committee_date
    report.validated_at = timezone.now()
    report.validated_by = by
    _transition(report, to=Status.VALIDATED, by=by, fields=["committee_date", "validated_at", "validated_by"],
                extra={"committee_date": committee_date.isoformat()})
    from figures.services import snapshot_for_validation  # the year's figures, frozen with the report

    snapshot_for_validation(report=report, by=by)
    _notify_all(coordinators_of(report.network), report=report, template="validated",
                key=f"validated:{report.validated_at:%Y%m%d%H%M%S}")
    return report


@transaction.atomic
def report_reopen(*, report, by, reason=""):
    report = _locked(report)
    _transition(report, to=Status.DRAFT, by=by, extra={"reason": reason[:2000]} if reason else None)
    return report


@transaction.atomic
def report_record_sending(*, report, recipients, sent_on, by, pdf_bytes=None, language=None):
    """Record the sending to INAMI/SPF with the exact PDF sent (kept with its SHA-256), then archive."""
    report = _locked(report)
    permissions.require(by, "report.send", report)
    if (report.status, Status.SENT) not in REPORT_TRANSITIONS:
        raise InvalidTransition(_("Only a validated report can be sent."))
    recipients = [r.strip() for r in recipients if r and r.strip()]
    if not recipients:
        raise ReportError(_("Enter at least one recipient."))
    if pdf_bytes is None:
        from . import pdf

        pdf_bytes = pdf.render(report, language or (report.network.languages.split(",")[0] or "fr"))
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    report.sent_pdf.save(f"{report.network.code}-{report.year}-{digest[:12]}.pdf", ContentFile(pdf_bytes),
                         save=False)
    report.sent_pdf_sha256 = digest
    report.sent_on = sent_on
    report.sent_at = timezone.now()
    report.sent_recipients = recipients
    _transition(report, to=Status.SENT, by=by,
                fields=["sent_pdf", "sent_pdf_sha256", "sent_on", "sent_at", "sent_recipients"],
                extra={"sent_on": sent_on.isoformat(), "recipients": recipients, "sha256": digest})
    _transition(report, to=Status.ARCHIVED, by=by)
    return report


# ---- assignments, comments, annexes ------------------------------------------------------------


@transaction.atomic
def chapter_assign(*, report, chapter_code, assignee, due_on, by):
    permissions.require(by, "report.assign", report)
    if report.template.structure.chapter(chapter_code) is None:
        raise ReportError(_("Unknown chapter."))
    if assignee is None:
        deleted, _rows = ChapterAssignment.objects.filter(report=report, chapter_code=chapter_code).delete()
        if deleted:
            log_action(report, "annual_reports.chapter.unassigned", by=by, after={"chapter": chapter_code})
        return None
    if not permissions.can(assignee, "report.edit", report):
        raise ReportError(_("Chapters can only be assigned to the network's coordinators."))
    assignment, _created = ChapterAssignment.objects.update_or_create(
        report=report, chapter_code=chapter_code,
        defaults={"assignee": assignee, "due_on": due_on, "assigned_by": by})
    log_action(report, "annual_reports.chapter.assigned", by=by,
               after={"chapter": chapter_code, "assignee": assignee.email,
                      "due_on": due_on.isoformat() if due_on else None})
    chapter = report.template.structure.chapter(chapter_code)
    notify(recipient=assignee, key=f"annual_reports:{report.pk}:assigned:{chapter_code}:{assignee.pk}:{due_on}",
           template="annual_reports/email/assigned", network=report.network,
           url=reverse("annual_reports:chapter", args=[report.pk, chapter_code]),
           context={"report": report, "chapter_number": chapter.number, "chapter_title": chapter.title,
                    "due_on": due_on, "user": assignee})
    return assignment


@transaction.atomic
def comment_add(*, report, question_code, text, by):
    permissions.require(by, "report.comment", report)
    _question(report, question_code)
    text = (text or "").strip()
    if not text:
        raise ReportError(_("The comment is empty."))
    if report.status in {Status.SENT, Status.ARCHIVED}:
        raise ReportFrozen(report)
    comment = Comment.objects.create(report=report, question_code=question_code, author=by, text=text[:5000])
    log_action(report, "annual_reports.comment.added", by=by, after={"question": question_code})
    return comment


@transaction.atomic
def comment_resolve(*, comment, by):
    permissions.require(by, "report.edit", comment.report)
    comment.resolved = True
    comment.save(update_fields=["resolved"])
    log_action(comment.report, "annual_reports.comment.resolved", by=by, after={"question": comment.question_code})
    return comment


ANNEX_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpg": "image/jpeg",
}
ANNEX_TYPE_NAMES = gettext_lazy("PDF, DOCX, XLSX, ODT, PNG or JPEG")


@transaction.atomic
def annex_add(*, report, uploaded_file, by):
    """Keep an annex if its bytes are one of ANNEX_TYPES (the name is not trusted) within MAX_UPLOAD_MB."""
    import filetype

    permissions.require(by, "report.edit", report)
    _ensure_editable(report)
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if uploaded_file.size > limit:
        raise AnnexRefused(_("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB})
    data = uploaded_file.read()
    if not data:
        raise AnnexRefused(_("The file is empty."))
    kind = filetype.guess(data)
    if kind is None or kind.extension not in ANNEX_TYPES:
        raise AnnexRefused(_("This file type is not accepted. Accepted: %(types)s.") % {"types": ANNEX_TYPE_NAMES})
    digest = hashlib.sha256(data).hexdigest()
    name = (uploaded_file.name or "annex").replace("/", "_").replace("\\", "_")[:200]
    annex = Annex(report=report, original_name=name, content_type=ANNEX_TYPES[kind.extension], size=len(data),
                  sha256=digest, uploaded_by=by)
    annex.file.save(f"{uuid.uuid4().hex}.{kind.extension}", ContentFile(data), save=False)
    annex.save()
    log_action(report, "annual_reports.annex.added", by=by,
               after={"name": name, "size": len(data), "sha256": digest})
    return annex


@transaction.atomic
def annex_delete(*, annex, by):
    permissions.require(by, "report.edit", annex.report)
    _ensure_editable(annex.report)
    log_action(annex.report, "annual_reports.annex.deleted", by=by, before={"name": annex.original_name})
    annex.file.delete(save=False)
    annex.delete()


# ---- exports ---------------------------------------------------------------------------------


@transaction.atomic
def export_request(*, report, language, by):
    permissions.require(by, "report.export", report)
    if language not in ("fr", "nl"):
        language = "fr"
    export = ReportExport.objects.create(report=report, language=language, requested_by=by)
    log_action(report, "annual_reports.report.export_requested", by=by, after={"language": language})
    from .tasks import export_render_task

    transaction.on_commit(lambda: export_render_task.delay(export_id=export.pk))
    return export


def export_render(*, export_id):
    """Render a requested export once; a second run of the task finds it done and does nothing."""
    from . import pdf

    claimed = ReportExport.objects.filter(pk=export_id, status=ExportStatus.PENDING, error="").update(
        error="rendering")  # claimed by this run: a second run of the task finds nothing to do
    if not claimed:
        return False
    export = ReportExport.objects.select_related("report__network", "report__template").get(pk=export_id)
    try:
        data = pdf.render(export.report, export.language)
    except Exception as exc:  # the page must show the failure instead of polling forever
        ReportExport.objects.filter(pk=export_id).update(status=ExportStatus.FAILED, error=str(exc)[:2000],
                                                         finished_at=timezone.now())
        raise
    export.file.save(f"{export.report.network.code}-{export.report.year}-{export.language}-{export.pk}.pdf",
                     ContentFile(data), save=False)
    export.sha256 = hashlib.sha256(data).hexdigest()
    export.status = ExportStatus.READY
    export.error = ""
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "sha256", "status", "error", "finished_at"])
    return True


# ---- reminders -------------------------------------------------------------------------------

COORDINATOR_DAYS_BEFORE = (60, 30, 14, 7, 1)
OVERDUE_WEEKS_MAX = 26
COMMITTEE_AGAIN_AFTER_DAYS = 7
NOT_SUBMITTED = {Status.DRAFT, Status.CHANGES_REQUESTED}


def coordinator_step(deadline, today):
    """The latest reminder step reached on ``today``: "before-60" … "before-1", then "overdue-<week>"."""
    days_left = (deadline - today).days
    if days_left > COORDINATOR_DAYS_BEFORE[0]:
        return None
    if days_left >= 1:
        return f"before-{min(d for d in COORDINATOR_DAYS_BEFORE if d >= days_left)}"
    if days_left == 0:
        return "before-1"
    week = math.ceil(-days_left / 7)
    return f"overdue-{week}" if week <= OVERDUE_WEEKS_MAX else None


def committee_step(submitted_at, today):
    waited = (today - timezone.localtime(submitted_at).date()).days
    stamp = f"{submitted_at:%Y%m%d%H%M%S}"
    if waited >= COMMITTEE_AGAIN_AFTER_DAYS:
        return f"committee-{stamp}-again"
    return f"committee-{stamp}"


def _planned_reminders(today):
    """(recipient, network, year, report, step, template, context) due on ``today``."""
    planned = []
    latest = {}
    for template in ReportTemplate.objects.order_by("year", "version"):
        latest[template.year] = template
    reports = {(r.network_id, r.year): r
               for r in AnnualReport.objects.filter(year__in=list(latest)).select_related("network")}
    networks = list(Network.objects.all())
    for year, template in latest.items():
        step = coordinator_step(template.deadline, today)
        for network in networks:
            report = reports.get((network.pk, year))
            if report is not None and report.status == Status.SUBMITTED and report.submitted_at:
                cstep = committee_step(report.submitted_at, today)
                for user in committee_of(network):
                    planned.append((user, network, year, report, cstep, "reminder_committee",
                                    {"days_waiting": (today - timezone.localtime(report.submitted_at).date()).days}))
            if step and (report is None or report.status in NOT_SUBMITTED):
                for user in coordinators_of(network):
                    planned.append((user, network, year, report, step, "reminder_coordinator",
                                    {"days_left": (template.deadline - today).days, "deadline": template.deadline}))
    return planned


def reminders_send(*, today=None, dry_run=False):
    """Send the reminders due today; each (recipient, network, year, step) at most once, ever.

    The SentReminder row and the notification commit together; a second run (or a run after a crash)
    hits the unique constraint and sends nothing for that step. Returns the list of (email, step) handled."""
    today = today or timezone.localdate()
    done = []
    for user, network, year, report, step, template, extra in _planned_reminders(today):
        if dry_run:
            if not SentReminder.objects.filter(recipient=user, network=network, year=year, step=step).exists():
                done.append((user.email, network.code, year, step))
            continue
        try:
            with transaction.atomic():
                SentReminder.objects.create(recipient=user, network=network, year=year, report=report, step=step)
                url = (reverse("annual_reports:report_detail", args=[report.pk]) if report
                       else reverse("annual_reports:report_list"))
                notify(recipient=user, key=f"annual_reports:reminder:{network.pk}:{year}:{step}",
                       template=f"annual_reports/email/{template}", network=network, url=url,
                       context={"network": network, "year": year, "report": report, "user": user, **extra})
        except IntegrityError:
            continue
        done.append((user.email, network.code, year, step))
    return done


# ---- templates -------------------------------------------------------------------------------


class TemplateRefused(Exception):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


def _jsonable(node):
    if isinstance(node, dict):
        return {str(k): _jsonable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_jsonable(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    return node


@transaction.atomic
def template_load(*, definition, source_sha256=""):
    """Load a year's template; returns (template, outcome) with outcome created/updated/unchanged/new_version.

    A version already used by a report beyond draft is never changed: the file becomes version + 1."""
    from .structure import validate_definition

    errors = validate_definition(definition)
    if errors:
        raise TemplateRefused(errors)
    deadline = definition["deadline"]
    if isinstance(deadline, str):
        deadline = dt.date.fromisoformat(deadline)
    definition = _jsonable(definition)
    year = int(definition["year"])
    fields = {"deadline": deadline, "recipients": list(definition.get("recipients") or []),
              "definition": definition, "source_sha256": source_sha256}
    current = ReportTemplate.objects.select_for_update().filter(year=year).order_by("-version").first()
    if current is None:
        template = ReportTemplate.objects.create(year=year, version=int(definition.get("version") or 1), **fields)
        outcome = "created"
    elif current.definition == definition and current.deadline == deadline:
        return current, "unchanged"
    elif current.reports.exclude(status=Status.DRAFT).exists():
        template = ReportTemplate.objects.create(year=year, version=current.version + 1, **fields)
        outcome = "new_version"
    else:
        for key, value in fields.items():
            setattr(current, key, value)
        current.save()
        template, outcome = current, "updated"
    log_action(template, f"annual_reports.template.{outcome}", by=None, actor_label="load_report_template",
               network=None, after={"year": year, "version": template.version, "sha256": source_sha256})
    return template, outcome
