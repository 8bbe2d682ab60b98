"""Thin views: permission → form → service → redirect/render. Reports come from selectors.reports_in(network),
so another network's report is a 404; the wrong role a 403 (network_view / services)."""
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from psynet import permissions
from psynet.downloads import private_file
from psynet.views import network_view

from . import selectors, services
from .forms import (
    AnnexForm, AssignForm, CommentForm, ExportForm, IdentificationForm, ReopenForm, ReportCreateForm,
    RequestChangesForm, SendingForm, ValidateForm,
)
from .models import ExportStatus, ReportTemplate, Status
from .services import is_answered

ACTIONS = ("report.create", "report.edit", "report.assign", "report.submit", "report.comment", "report.validate",
           "report.reopen", "report.export", "report.send")


def _report(request, pk):
    return get_object_or_404(selectors.reports_in(request.network), pk=pk)


def _flags(request, report):
    """Booleans for the template: the role allows the action and the status allows the move."""
    f = permissions.flags(request.user, report, *ACTIONS)
    moves = services.allowed_transitions(report)
    f["can_report_submit"] = f["can_report_submit"] and Status.SUBMITTED in moves
    f["can_report_validate"] = f["can_report_validate"] and Status.VALIDATED in moves
    f["can_report_request_changes"] = f["can_report_validate"]
    f["can_report_reopen"] = f["can_report_reopen"] and Status.DRAFT in moves
    f["can_report_send"] = f["can_report_send"] and Status.SENT in moves
    f["can_report_comment"] = f["can_report_comment"] and report.status not in (Status.SENT, Status.ARCHIVED)
    f["is_editable"] = f["can_report_edit"] and not report.is_frozen
    return f


def _back(report, fallback=None):
    return redirect(fallback or report.get_absolute_url())


# ---- list, create, overview ------------------------------------------------------------------


@network_view("report.view")
def report_list(request):
    reports = list(selectors.reports_in(request.network).order_by("-year"))
    existing = {r.year for r in reports}
    years = sorted({y for y in ReportTemplate.objects.values_list("year", flat=True)} - existing, reverse=True)
    can_create = permissions.can(request.user, "report.create", request.network)
    form = ReportCreateForm(years=years) if can_create and years else None
    return render(request, "annual_reports/report_list.html", {"reports": reports, "form": form})


@network_view("report.create")
@require_POST
def report_create(request):
    years = list(ReportTemplate.objects.values_list("year", flat=True).distinct())
    form = ReportCreateForm(request.POST, years=years)
    if not form.is_valid():
        messages.error(request, _("Choose a year."))
        return redirect("annual_reports:report_list")
    try:
        report = services.report_create(network=request.network, year=form.cleaned_data["year"], by=request.user,
                                        from_previous=form.cleaned_data["from_previous"])
    except services.ReportError as exc:
        messages.error(request, exc.message)
        return redirect("annual_reports:report_list")
    messages.success(request, _("The %(year)s report was created.") % {"year": report.year})
    return redirect(report)


def _chapter_rows(report, answers, assignments):
    rows = []
    for chapter in report.template.structure.chapters:
        questions = chapter.questions
        answered = [q for q in questions if is_answered(q, answers.get(q.code))]
        required = chapter.required_questions
        required_done = [q for q in required if is_answered(q, answers.get(q.code))]
        latest = max((answers[q.code] for q in questions if q.code in answers and answers[q.code].updated_at),
                     key=lambda a: a.updated_at, default=None)
        rows.append({
            "chapter": chapter,
            "total": len(questions), "answered": len(answered),
            "percent": round(100 * len(answered) / len(questions)) if questions else 100,
            "required_missing": len(required) - len(required_done),
            "last": latest,
            "assignment": assignments.get(chapter.code),
        })
    return rows


@network_view("report.view")
def report_detail(request, pk):
    report = _report(request, pk)
    answers = selectors.answers_of(report)
    flags = _flags(request, report)
    context = {
        "report": report,
        "structure": report.template.structure,
        "chapters": _chapter_rows(report, answers, selectors.assignments_of(report)),
        "missing": services.missing_required(report, answers),
        "timeline": selectors.timeline_of(report),
        "annexes": selectors.annexes_of(report),
        "exports": selectors.exports_of(report) if flags["can_report_export"] else [],
        **flags,
    }
    if flags["can_report_assign"]:
        context["assign_form"] = AssignForm(chapters=report.template.structure.chapters,
                                            members=selectors.assignable_members(report.network))
    if flags["can_report_validate"]:
        context["validate_form"] = ValidateForm(initial={"committee_date": timezone.localdate()})
        context["changes_form"] = RequestChangesForm()
    if flags["can_report_reopen"]:
        context["reopen_form"] = ReopenForm()
    if flags["can_report_send"]:
        context["sending_form"] = SendingForm(initial={
            "recipients": "\n".join(report.template.recipients), "sent_on": timezone.localdate(),
            "language": get_language()[:2]})
    if flags["can_report_export"]:
        # its own ids: the sending form on the same page also has a "language" field
        context["export_form"] = ExportForm(initial={"language": get_language()[:2]}, auto_id="id_export_%s")
    if flags["is_editable"]:
        context["annex_form"] = AnnexForm()
    return render(request, "annual_reports/report_detail.html", context)


@network_view("report.edit")
def report_identification(request, pk):
    report = _report(request, pk)
    fields = report.template.structure.identification
    form = IdentificationForm(request.POST or None, fields=fields, initial=report.identification)
    if request.method == "POST" and form.is_valid():
        try:
            services.identification_update(report=report, data=form.cleaned_data, by=request.user)
        except services.ReportError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The identification was saved."))
        return redirect(report)
    return render(request, "annual_reports/identification.html", {"report": report, "form": form})


# ---- chapter and answers ---------------------------------------------------------------------


@network_view("report.view")
def chapter(request, pk, code):
    report = _report(request, pk)
    structure = report.template.structure
    ch = structure.chapter(code)
    if ch is None:
        raise Http404
    codes = [q.code for q in ch.questions]
    answers = selectors.answers_of(report, codes)
    comments = selectors.comments_of(report, codes)
    flags = _flags(request, report)
    index = structure.chapters.index(ch)
    return render(request, "annual_reports/chapter.html", {
        "report": report, "chapter": ch, "answers": answers, "comments": comments,
        "assignment": selectors.assignments_of(report).get(code),
        "previous": structure.chapters[index - 1] if index else None,
        "next": structure.chapters[index + 1] if index + 1 < len(structure.chapters) else None,
        "comment_form": CommentForm() if flags["can_report_comment"] else None,
        **flags,
    })


def _status_text(answer):
    if answer is None or not answer.updated_at:
        return ""
    return _("Saved at %(time)s") % {"time": time_format(timezone.localtime(answer.updated_at), "H:i")}


def _answer_context(request, report, question, answer, **extra):
    flags = _flags(request, report)
    return {"report": report, "q": question, "answer": answer, "value": answer.value if answer else None,
            "version": answer.version if answer else 0, "status_text": _status_text(answer),
            "is_editable": flags["is_editable"], **extra}


def _posted_value(request, question):
    if question.kind == "table":
        columns = [c["code"] for c in question.columns]
        lists = [request.POST.getlist(f"col_{c}") for c in columns]
        count = max((len(v) for v in lists), default=0)
        return [{c: (lists[i][r] if r < len(lists[i]) else "") for i, c in enumerate(columns)} for r in range(count)]
    return request.POST.get("value", "")


def _status_response(context, status=200):
    """The saved / not saved status: a few bytes, rendered without the context processors (it shows no menu)."""
    return HttpResponse(render_to_string("annual_reports/_answer_status.html", context), status=status)


@network_view("report.view")
def answer(request, pk, code):
    """GET: the answer's form (partial). POST: save it (autosave) with the version the editor started from.

    The autosave is the most frequent request of the portal: one query for the report (its template's structure
    is cached per process), then the service's conditional update, revision and audit entry."""
    report = selectors.report_for_answer(request.network, pk)
    if report is None:
        raise Http404
    question = report.template.structure.questions.get(code)
    if question is None:
        raise Http404
    if request.method == "GET":
        current = selectors.answers_of(report, [code]).get(code)
        return render(request, "annual_reports/_answer_form.html", _answer_context(request, report, question, current))
    permissions.require(request.user, "report.edit", report)
    value = _posted_value(request, question)
    try:
        expected = int(request.POST.get("version", "0"))
    except ValueError:
        expected = 0
    try:
        saved = services.answer_save(report=report, question_code=code, value=value, expected_version=expected,
                                     by=request.user)
    except services.EditConflict as exc:
        theirs = exc.answer
        response = render(request, "annual_reports/_conflict.html", {
            **_answer_context(request, report, question, theirs), "mine": value,
            "theirs_by": theirs.updated_by if theirs.updated_by_id else None,
        }, status=409)
        response["HX-Retarget"] = f"#q-{code}"
        response["HX-Reswap"] = "outerHTML"
        return response
    except services.ReportError as exc:
        return _status_response({"version": expected, "is_error": True,
                                 "status_text": _("Not saved: %(reason)s") % {"reason": exc.message}}, status=422)
    if request.POST.get("resolve"):
        response = render(request, "annual_reports/_answer_form.html",
                          _answer_context(request, report, question, saved))
        response["HX-Retarget"] = f"#q-{code}"
        response["HX-Reswap"] = "outerHTML"
    else:
        response = _status_response({"version": saved.version, "status_text": _status_text(saved)})
    response["X-Psynet-Saved"] = str(saved.version)
    return response


@network_view("report.view")
def answer_history(request, pk, code):
    report = _report(request, pk)
    question = report.template.structure.questions.get(code)
    if question is None:
        raise Http404
    current = selectors.answers_of(report, [code]).get(code)
    revisions = selectors.answer_history(current) if current else []
    return render(request, "annual_reports/_answer_history.html", {"q": question, "revisions": revisions})


@network_view("report.edit")
@require_POST
def section_not_applicable(request, pk, code):
    report = _report(request, pk)
    section = report.template.structure.sections_by_code.get(code)
    if section is None:
        raise Http404
    try:
        services.section_mark_not_applicable(report=report, section_code=code, by=request.user,
                                             not_applicable=request.POST.get("not_applicable") == "1")
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect("annual_reports:chapter", pk=report.pk, code=section.questions[0].chapter_code)


@network_view("report.comment")
@require_POST
def comment_add(request, pk, code):
    report = _report(request, pk)
    question = report.template.structure.questions.get(code)
    if question is None:
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(report=report, question_code=code, text=form.cleaned_data["text"], by=request.user)
            messages.success(request, _("Your comment was added."))
        except services.ReportError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("The comment is empty."))
    return redirect(f"{report.get_absolute_url()}chapters/{question.chapter_code}/#q-{code}")


@network_view("report.edit")
@require_POST
def comment_resolve(request, pk, comment_pk):
    report = _report(request, pk)
    comment = get_object_or_404(report.comments.all(), pk=comment_pk)
    services.comment_resolve(comment=comment, by=request.user)
    question = report.template.structure.questions.get(comment.question_code)
    chapter_code = question.chapter_code if question else report.template.structure.chapters[0].code
    return redirect(f"{report.get_absolute_url()}chapters/{chapter_code}/#q-{comment.question_code}")


# ---- workflow --------------------------------------------------------------------------------


@network_view("report.submit")
@require_POST
def report_submit(request, pk):
    report = _report(request, pk)
    try:
        services.report_submit(report=report, by=request.user)
    except services.ReportIncomplete as exc:
        messages.error(request, exc.message)
        return redirect(report)
    except services.ReportError as exc:
        messages.error(request, exc.message)
        return redirect(report)
    messages.success(request, _("The report was submitted to the network committee."))
    return redirect(report)


@network_view("report.validate")
@require_POST
def report_request_changes(request, pk):
    report = _report(request, pk)
    form = RequestChangesForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.report_request_changes(report=report, by=request.user, note=note)
        messages.success(request, _("The report was sent back to the coordinators."))
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect(report)


@network_view("report.validate")
@require_POST
def report_validate(request, pk):
    report = _report(request, pk)
    form = ValidateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date of the committee meeting."))
        return redirect(report)
    try:
        services.report_validate(report=report, committee_date=form.cleaned_data["committee_date"], by=request.user)
        messages.success(request, _("The report is validated."))
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect(report)


@network_view("report.reopen")
@require_POST
def report_reopen(request, pk):
    report = _report(request, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for reopening the report."))
        return redirect(report)
    try:
        services.report_reopen(report=report, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The report is reopened as a draft."))
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect(report)


@network_view("report.send")
@require_POST
def report_send(request, pk):
    report = _report(request, pk)
    form = SendingForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(report)
    try:
        services.report_record_sending(report=report, recipients=form.cleaned_data["recipients"],
                                       sent_on=form.cleaned_data["sent_on"], by=request.user,
                                       language=form.cleaned_data["language"])
        messages.success(request, _("The sending was recorded and the report archived."))
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect(report)


@network_view("report.view")
def sent_pdf_download(request, pk):
    report = _report(request, pk)
    permissions.require(request.user, "report.export", report)
    return private_file(report.sent_pdf, filename=f"{report.network.code}-{report.year}-sent.pdf",
                        content_type="application/pdf")


@network_view("report.assign")
@require_POST
def chapter_assign(request, pk):
    report = _report(request, pk)
    members = selectors.assignable_members(report.network)
    form = AssignForm(request.POST, chapters=report.template.structure.chapters, members=members)
    if not form.is_valid():
        messages.error(request, _("The assignment could not be saved: check the chapter, person and date."))
        return redirect(report)
    try:
        services.chapter_assign(report=report, chapter_code=form.cleaned_data["chapter"],
                                assignee=form.cleaned_data["assignee"], due_on=form.cleaned_data["due_on"],
                                by=request.user)
        messages.success(request, _("The assignment was saved."))
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect(report)


# ---- annexes ---------------------------------------------------------------------------------


@network_view("report.edit")
@require_POST
def annex_upload(request, pk):
    report = _report(request, pk)
    form = AnnexForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect(report)
    try:
        annex = services.annex_add(report=report, uploaded_file=form.cleaned_data["file"], by=request.user)
        messages.success(request, _("The annex %(name)s was added.") % {"name": annex.original_name})
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect(report)


@network_view("report.view")
def annex_download(request, pk, annex_pk):
    report = _report(request, pk)
    annex = get_object_or_404(selectors.annexes_of(report), pk=annex_pk)
    return private_file(annex.file, filename=annex.original_name, content_type=annex.content_type)


@network_view("report.edit")
@require_POST
def annex_delete(request, pk, annex_pk):
    report = _report(request, pk)
    annex = get_object_or_404(selectors.annexes_of(report), pk=annex_pk)
    try:
        services.annex_delete(annex=annex, by=request.user)
        messages.success(request, _("The annex was removed."))
    except services.ReportError as exc:
        messages.error(request, exc.message)
    return redirect(report)


# ---- PDF exports -----------------------------------------------------------------------------


@network_view("report.export")
@require_POST
def export_request(request, pk):
    report = _report(request, pk)
    form = ExportForm(request.POST)
    language = form.cleaned_data["language"] if form.is_valid() else "fr"
    try:
        export = services.export_request(report=report, language=language, by=request.user)
    except Exception as exc:  # a failed render is shown on the export row, never as a server error
        messages.error(request, _("The PDF could not be produced: %(error)s") % {"error": exc})
        return redirect(report)
    if request.htmx:
        export.refresh_from_db()
        return render(request, "annual_reports/_export_status.html", {"report": report, "export": export})
    return redirect(report)


@network_view("report.export")
def export_status(request, pk, export_pk):
    report = _report(request, pk)
    export = get_object_or_404(report.exports.all(), pk=export_pk)
    return render(request, "annual_reports/_export_status.html", {"report": report, "export": export})


@network_view("report.export")
def export_download(request, pk, export_pk):
    report = _report(request, pk)
    export = get_object_or_404(report.exports.all(), pk=export_pk, status=ExportStatus.READY)
    return private_file(export.file, content_type="application/pdf",
                        filename=f"{report.network.code}-{report.year}-{export.language}.pdf")
