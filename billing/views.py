"""Thin views: permission → form → service → redirect/render. Objects come from selectors scoped to the active
network (another network's object is a 404, the wrong role a 403)."""
import csv
import io

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from psynet import permissions
from psynet.downloads import private_file
from psynet.views import _page, network_view

from . import dashboard, importer, selectors, services, statements
from .filters import SessionFilter
from .forms import AssessmentForm, ExtensionForm, GroupSessionForm, ImportForm, SessionForm, StatementForm
from .models import ImportBatch
from .rules import Refusal


def _own(request):
    return selectors.own_psychologist(request.user, request.network)


def _psychologist_only(request):
    return selectors.is_psychologist_only(request.user, request.network)


def _refuse(form, exc):
    text = _("Refused by rule %(rule)s: %(message)s") % {"rule": exc.rule, "message": exc.full_message}
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, text)
    return text


@network_view("billing.view")
def index(request):
    psychologist = _own(request) if _psychologist_only(request) else None
    if _psychologist_only(request) and psychologist is None:
        raise PermissionDenied
    return render(request, "billing/index.html", {
        "body": dashboard.body_html(request.network, psychologist), "own_psychologist": psychologist,
        **permissions.flags(request.user, request.network, "billing.session.register", "billing.import",
                            "billing.extension.grant", "billing.statement.generate", "billing.outreach.review"),
    })


@network_view("billing.view")
def dashboard_export(request, fmt):
    psychologist = _own(request) if _psychologist_only(request) else None
    tables = dashboard.export_tables(dashboard.figures(request.network, psychologist))
    name = f"billing-{request.network.code}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for title, header, rows in tables:
            writer.writerow([title])
            writer.writerow(header)
            writer.writerows(rows)
            writer.writerow([])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        book.remove(book.active)
        for index, (title, header, rows) in enumerate(tables, start=1):
            sheet = book.create_sheet(f"{index}")
            sheet.append([title])
            sheet.append([str(h) for h in header])
            for row in rows:
                sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raise Http404


@network_view("billing.view")
def rule_list(request):
    day = timezone.localdate()
    return render(request, "billing/rule_list.html", {"rules": selectors.rules_in_force(day), "day": day})


# ---- sessions ---------------------------------------------------------------------------------------------


@network_view("billing.view")
def session_list(request):
    qs = selectors.sessions_in(request.network, request.user)
    flt = SessionFilter(request.GET, queryset=qs, network=request.network)
    return render(request, "billing/session_list.html", {
        "filter": flt, "page": _page(request, flt.qs.order_by("-date", "-pk")),
        **permissions.flags(request.user, request.network, "billing.session.register"),
    })


@network_view("billing.session.register")
def session_create(request):
    own = _own(request) if _psychologist_only(request) else None
    if _psychologist_only(request) and own is None:
        raise PermissionDenied
    form = SessionForm(request.POST or None, network=request.network, own_psychologist=own)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_register(
                network=request.network, psychologist=data["psychologist"], niss=data["national_number"],
                date=data["date"], function=data["function"], setting=data["setting"], place=data.get("place"),
                is_bim=data["is_bim"], eating_disorder_path=data["eating_disorder_path"], by=request.user)
        except Refusal as exc:
            refusal = _refuse(form, exc)
        else:
            messages.success(request, _("Session registered: co-payment %(copay)s €, fee %(fee)s €.") % {
                "copay": session.copay_eur, "fee": session.fee_eur + session.lump_sum_eur})
            return redirect("billing:session_list")
    return render(request, "billing/form.html", {
        "form": form, "title": _("Register a session"), "refusal": refusal, "back": "billing:session_list"},
        status=422 if refusal else 200)


@network_view("billing.session.register")
def group_create(request):
    own = _own(request) if _psychologist_only(request) else None
    if _psychologist_only(request) and own is None:
        raise PermissionDenied
    form = GroupSessionForm(request.POST or None, network=request.network, own_psychologist=own)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.group_session_register(
                network=request.network, psychologist=data["psychologist"], date=data["date"],
                function=data["function"], setting=data["setting"], place=data.get("place"),
                fee_code=data["fee_code"], duration_minutes=data["duration_minutes"],
                participants=data["participants"], head_count=data.get("head_count"),
                co_psychologist=data.get("co_psychologist"), co_facilitator=data.get("co_facilitator") or "",
                eating_disorder_path=data["eating_disorder_path"], by=request.user)
        except Refusal as exc:
            refusal = _refuse(form, exc)
        else:
            messages.success(request, _("Group session registered (%(count)s participants).") % {
                "count": group.head_count or 0})
            return redirect("billing:session_list")
    return render(request, "billing/form.html", {
        "form": form, "title": _("Register a group session"), "refusal": refusal, "back": "billing:session_list"},
        status=422 if refusal else 200)


@network_view("billing.extension.grant")
def extension_create(request):
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.extension_grant(network=request.network, niss=data["national_number"],
                                     function=data["function"], format_=data["format"],
                                     valid_from=data["valid_from"], valid_to=data["valid_to"],
                                     extra_sessions=data["extra_sessions"], reason=data["reason"], by=request.user)
        except services.BillingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Extension granted."))
            return redirect("billing:index")
    return render(request, "billing/form.html", {"form": form, "title": _("Grant a quota extension"),
                                                 "back": "billing:index"})


# ---- functional assessments and outreaching places (issue 10) ---------------------------------------------


@network_view("billing.view")
def assessment_list(request):
    return render(request, "billing/assessment_list.html", {
        "page": _page(request, selectors.assessments_in(request.network, request.user)),
        **permissions.flags(request.user, request.network, "billing.assessment.record"),
    })


@network_view("billing.assessment.record")
def assessment_create(request):
    own = _own(request) if _psychologist_only(request) else None
    if _psychologist_only(request) and own is None:
        raise PermissionDenied
    form = AssessmentForm(request.POST or None, network=request.network, own_psychologist=own)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.functional_assessment_record(
                network=request.network, psychologist=data["psychologist"], niss=data["national_number"],
                date=data["date"], outcome=data["outcome"], by=request.user)
        except services.BillingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = 422
        else:
            messages.success(request, _("Functional assessment recorded."))
            return redirect("billing:assessment_list")
    return render(request, "billing/form.html", {
        "form": form, "title": _("Record a functional assessment"), "back": "billing:assessment_list"},
        status=status)


@network_view("billing.outreach.review")
def outreach_breaches(request):
    """Outreaching sessions registered at places where sessions cannot count as outreaching (data older than the
    check, or a place whose eligibility changed since)."""
    page = _page(request, selectors.outreach_breaches_in(request.network))
    return render(request, "billing/outreach_breaches.html", {
        "page": page, "rows": selectors.outreach_breach_rows(page.object_list)})


# ---- statements -------------------------------------------------------------------------------------------


def _statement(request, pk):
    return get_object_or_404(selectors.statements_in(request.network, request.user), pk=pk)


@network_view("billing.view")
def statement_list(request):
    own = _own(request) if _psychologist_only(request) else None
    can_generate = permissions.can(request.user, "billing.statement.generate", request.network)
    form = StatementForm(network=request.network, own_psychologist=own) if can_generate else None
    return render(request, "billing/statement_list.html", {
        "page": _page(request, selectors.statements_in(request.network, request.user)), "form": form})


@network_view("billing.statement.generate")
@require_POST
def statement_generate(request):
    own = _own(request) if _psychologist_only(request) else None
    if _psychologist_only(request) and own is None:
        raise PermissionDenied
    form = StatementForm(request.POST, network=request.network, own_psychologist=own)
    if not form.is_valid():
        return render(request, "billing/statement_list.html", {
            "page": _page(request, selectors.statements_in(request.network, request.user)), "form": form},
            status=422)
    statement, changed = statements.statement_generate(
        network=request.network, psychologist=form.cleaned_data["psychologist"], month=form.cleaned_data["month"],
        by=request.user)
    if changed:
        messages.success(request, _("Statement generated (version %(version)s).") % {"version": statement.version})
    else:
        messages.info(request, _("No session changed since the last generation: same figures, same files."))
    return redirect(statement)


@network_view("billing.view")
def statement_detail(request, pk):
    statement = _statement(request, pk)
    return render(request, "billing/statement_detail.html", {
        "statement": statement, "changed": statements.is_changed(statement),
        **permissions.flags(request.user, request.network, "billing.statement.generate")})


@network_view("billing.view")
def statement_download(request, pk, kind):
    statement = _statement(request, pk)
    field = {"pdf": statement.pdf, "csv": statement.csv}.get(kind)
    if not field:
        raise Http404
    name = f"statement-{statement.psychologist.inami_number}-{statement.month:%Y-%m}.{kind}"
    return private_file(field, filename=name, content_type="application/pdf" if kind == "pdf" else "text/csv")


# ---- import -----------------------------------------------------------------------------------------------


def _import(request, pk):
    return get_object_or_404(selectors.imports_in(request.network), pk=pk)


@network_view("billing.import")
def import_create(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > importer.max_bytes():
            form.add_error("file", _("The file is too large (at most %(max)s MB).") % {
                "max": importer.max_bytes() // 1024 // 1024})
        else:
            data = upload.read()
            try:
                importer.parse(data)
            except importer.ImportRefused as exc:
                form.add_error("file", exc.message)
            else:
                from .tasks import import_sessions_task

                batch = ImportBatch(network=request.network, original_name=upload.name[:200],
                                    dry_run=form.cleaned_data["dry_run"], uploaded_by=request.user)
                batch.file.save(f"import-{timezone.now():%Y%m%d%H%M%S}.csv", ContentFile(data), save=False)
                batch.save()
                transaction.on_commit(lambda: import_sessions_task.delay(batch_id=batch.pk))
                return redirect(batch)
    return render(request, "billing/import_form.html", {
        "form": form, "imports": selectors.imports_in(request.network)[:20]})


@network_view("billing.import")
def import_detail(request, pk):
    batch = _import(request, pk)
    return render(request, "billing/import_detail.html", {"batch": batch, **_progress(batch)})


def _progress(batch):
    done, total = cache.get(importer.progress_key(batch.pk)) or (batch.processed_rows, batch.total_rows)
    percent = int(100 * done / total) if total else 0
    return {"done": done, "total": total, "percent": percent,
            "finished": batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.REFUSED)}


@network_view("billing.import")
def import_progress(request, pk):
    batch = _import(request, pk)
    return render(request, "billing/_import_progress.html", {"batch": batch, **_progress(batch)})


@network_view("billing.import")
def import_report(request, pk):
    batch = _import(request, pk)
    if not batch.report:
        raise Http404
    return private_file(batch.report, filename=f"import-{batch.pk}-report.csv", content_type="text/csv")
