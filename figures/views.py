"""Thin views. Network pages use psynet's network_view (membership + role); the federal viewer's pages use
``federal_view`` (deployment-wide, read-only, no membership) and show only reports submitted or beyond."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from psynet import permissions
from psynet.downloads import private_file
from psynet.models import Network
from psynet.views import _page, network_view

from . import selectors, services, tables
from .forms import CostForm, MomentForm, YearForm, zones_of_local


def _year(request, default=None):
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return default or timezone.localdate().year - 1


# ---- information moments --------------------------------------------------------------------------------


@network_view("figures.moment.view")
def moment_list(request):
    network = request.network
    qs = selectors.moments_in(network)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(date__year=int(year))
    return render(request, "figures/moment_list.html", {
        "page": _page(request, qs), "year": year,
        "can_manage": permissions.can(request.user, "figures.moment.manage", network)})


def _moment_form_page(request, form, moment=None):
    title = _("Edit the information moment") if moment else _("Record an information moment")
    return render(request, "figures/form_page.html", {"form": form, "title": title, "back": "figures:moment_list"},
                  status=422 if form.is_bound else 200)


@network_view("figures.moment.manage")
def moment_create(request):
    network = request.network
    zones = zones_of_local(request.user, network)
    form = MomentForm(request.POST or None, network=network, zones=zones)
    if request.method == "POST" and form.is_valid():
        try:
            services.moment_save(network=network, data=form.cleaned_data, by=request.user)
        except services.FiguresError as exc:
            form.add_error(None, exc.message)
        except PermissionDenied:
            form.add_error("zone", _("Choose one of your zones."))
        else:
            messages.success(request, _("The information moment is recorded."))
            return redirect("figures:moment_list")
    return _moment_form_page(request, form)


@network_view("figures.moment.manage")
def moment_update(request, pk):
    network = request.network
    moment = get_object_or_404(selectors.moments_in(network), pk=pk)
    permissions.require(request.user, "figures.moment.manage", moment)
    zones = zones_of_local(request.user, network)
    initial = {"date": moment.date, "place": moment.place, "organisation": moment.organisation, "zone": moment.zone,
               "audience_type": moment.audience_type, "participants": moment.participants, "topic": moment.topic,
               "coordinators": list(moment.coordinators.all()), "psychologists": list(moment.psychologists.all()),
               "other_speakers": moment.other_speakers, "cost": moment.cost, "version": moment.version}
    form = MomentForm(request.POST or None, network=network, zones=zones, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.moment_save(network=network, data=form.cleaned_data, by=request.user, moment=moment,
                                 expected_version=form.cleaned_data.get("version"))
        except services.FiguresError as exc:
            form.add_error(None, exc.message)
        except PermissionDenied:
            form.add_error("zone", _("Choose one of your zones."))
        else:
            messages.success(request, _("The information moment is saved."))
            return redirect("figures:moment_list")
    return _moment_form_page(request, form, moment)


# ---- operating costs ----------------------------------------------------------------------------------------


@network_view("figures.cost.view")
def cost_list(request):
    network = request.network
    qs = selectors.costs_in(network)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    return render(request, "figures/cost_list.html", {
        "page": _page(request, qs), "year": year,
        "can_manage": permissions.can(request.user, "figures.cost.manage", network)})


@network_view("figures.cost.manage")
def cost_create(request):
    network = request.network
    form = CostForm(request.POST or None, network=network, initial={"year": timezone.localdate().year - 1})
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_save(network=network, data=form.cleaned_data, by=request.user)
        except services.FiguresError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The operating cost claim is recorded."))
            return redirect("figures:cost_list")
    return render(request, "figures/form_page.html", {"form": form, "title": _("Record an operating cost claim"),
                                                      "back": "figures:cost_list"}, status=422 if form.is_bound else 200)


@network_view("figures.cost.view")
def cost_update(request, pk):
    network = request.network
    cost = get_object_or_404(selectors.costs_in(network), pk=pk)
    permissions.require(request.user, "figures.cost.manage", cost)
    initial = {"year": cost.year, "date": cost.date, "amount": cost.amount, "purpose": cost.purpose,
               "information_moments": list(cost.information_moments.all()), "version": cost.version}
    form = CostForm(request.POST or None, network=network, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_save(network=network, data=form.cleaned_data, by=request.user, cost=cost,
                               expected_version=form.cleaned_data.get("version"))
        except services.FiguresError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The operating cost claim is saved."))
            return redirect("figures:cost_list")
    return render(request, "figures/form_page.html", {"form": form, "title": _("Edit the operating cost claim"),
                                                      "back": "figures:cost_list"}, status=422 if form.is_bound else 200)


# ---- the network's figures, and the report hooks -----------------------------------------------------------


def _figures_context(figures):
    built = tables.build_tables(figures)
    labels = tables.key_figure_labels()
    key = [{"key": k, "label": labels[k], "value": tables.format_key(k, v)}
           for k, v in selectors.key_totals(figures).items()]
    return {"figures": figures, "tables": list(built.values()), "charts": tables.charts(figures), "key": key}


@network_view("figures.view")
def network_figures(request):
    network = request.network
    today = timezone.localdate()
    year = _year(request, default=selectors.default_year(today))
    years = list(range(today.year, 2020, -1))
    figures = selectors.network_year_figures(network, year)
    return render(request, "figures/network_figures.html", {
        "year": year, "year_form": YearForm(initial={"year": year}, years=years), "today": today,
        "year_under_way": year == today.year, **_figures_context(figures)})


def _report(request, pk):
    from annual_reports.selectors import reports_in

    return get_object_or_404(reports_in(request.network), pk=pk)


@require_POST
@network_view("report.view")
def insert(request, pk, code):
    """htmx: append the question's figure tables to its answer; returns the refreshed answer block."""
    from annual_reports import services as report_services
    from annual_reports.selectors import answers_of

    report = _report(request, pk)
    question = report.template.structure.questions.get(code)
    if question is None:
        raise Http404
    try:
        expected = int(request.POST.get("version", "0"))
    except ValueError:
        expected = 0
    error, status = None, 200
    try:
        services.figures_insert(report=report, question_code=code, expected_version=expected, by=request.user)
    except PermissionDenied:
        raise
    except report_services.EditConflict:
        error, status = _("Someone saved this answer meanwhile: reload the page, then insert the figures again."), 409
    except (services.FiguresError, report_services.ReportError) as exc:
        error, status = exc.message, 422
    answer = answers_of(report, [code]).get(code)
    is_editable = permissions.can(request.user, "report.edit", report) and not report.is_frozen
    response = render(request, "figures/_insert_result.html", {
        "report": report, "q": question, "answer": answer, "value": answer.value if answer else None,
        "version": answer.version if answer else 0, "is_editable": is_editable, "error": error,
        "status_text": _("Figures inserted.") if not error else ""}, status=status)
    if error:
        response["HX-Retarget"] = f"#figures-msg-{code}"
        response["HX-Reswap"] = "innerHTML"
    return response


@network_view("report.view")
def report_status(request, pk):
    """htmx fragment of the report page: the frozen figures and whether today's differ."""
    report = _report(request, pk)
    snapshot = selectors.snapshot_of(report)
    differences = {}
    if snapshot is not None:
        live = selectors.network_year_figures(report.network, report.year)
        labels = tables.key_figure_labels()
        differences = [{"label": labels[k], "then": tables.format_key(k, a), "now": tables.format_key(k, b)}
                       for k, (a, b) in selectors.figures_differ(snapshot.figures, live).items()]
    return render(request, "figures/_report_status.html", {
        "report": report, "snapshot": snapshot, "differences": differences,
        "can_view_figures": permissions.can(request.user, "figures.view", report.network)})


# ---- the follow-up committee's view (federal viewer) -------------------------------------------------------


def federal_view(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.is_federal_viewer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _federal_report(request, pk):
    from annual_reports.models import AnnualReport

    report = get_object_or_404(AnnualReport.objects.select_related("network", "template"), pk=pk)
    if report.status not in selectors.VISIBLE_TO_FEDERAL:
        return report, render(request, "figures/federal_refused.html", {"report": report}, status=403)
    return report, None


def _overview_stamp(year):
    """Changes whenever a report of the year changes (status, validation: the snapshot is taken then) or a
    network is added: two index-only aggregates instead of the overview's queries."""
    from django.db.models import Count, Max

    from annual_reports.models import AnnualReport

    reports = AnnualReport.objects.filter(year=year).aggregate(m=Max("updated_at"), n=Count("pk"))
    networks = Network.objects.aggregate(m=Max("pk"), n=Count("pk"))
    moment = reports["m"].timestamp() if reports["m"] else 0
    return f"{moment}-{reports['n']}-{networks['m']}-{networks['n']}"


@federal_view
def federal_overview(request):
    from django.core.cache import cache
    from django.template.loader import render_to_string

    years = selectors.federal_years() or [timezone.localdate().year - 1]
    year = _year(request, default=years[0])
    key = f"figures:federal:{year}:{get_language()}:{timezone.localdate()}:{_overview_stamp(year)}"
    body = cache.get(key)
    if body is None:
        overview = selectors.federal_overview(year)
        labels = tables.key_figure_labels()
        keys = [k for k, _path in selectors.KEY_FIGURES][:6]
        for row in overview["rows"]:
            row["cells"] = [tables.format_key(k, row["totals"].get(k, 0)) if row["totals"] else "–" for k in keys]
        national = [tables.format_key(k, overview["national"][k]) if overview["national"] else "–" for k in keys]
        body = render_to_string("figures/_federal_overview_body.html", {
            **overview, "headers": [labels[k] for k in keys], "national_cells": national}, request=request)
        cache.set(key, body, 600)
    return render(request, "figures/federal_overview.html", {
        "year": year, "year_form": YearForm(initial={"year": year}, years=years), "body": mark_safe(body)})


@federal_view
def federal_network(request, pk):
    network = get_object_or_404(Network, pk=pk)
    reports = selectors.federal_reports().filter(network=network).order_by("-year")
    return render(request, "figures/federal_network.html", {"network": network, "reports": reports})


@federal_view
def federal_report(request, pk):
    report, refused = _federal_report(request, pk)
    if refused:
        return refused
    from annual_reports.pdf import context_for

    figures, snapshot = selectors.figures_for_report(report)
    context = context_for(report, get_language()[:2])
    return render(request, "figures/federal_report.html", {
        **context, "snapshot": snapshot, **_figures_context(figures)})


@federal_view
def federal_report_pdf(request, pk):
    report, refused = _federal_report(request, pk)
    if refused:
        return refused
    if report.sent_pdf:
        return private_file(report.sent_pdf, content_type="application/pdf", inline=True,
                            filename=f"{report.network.code}-{report.year}.pdf")
    from annual_reports.pdf import render as render_pdf

    language = get_language()[:2]
    response = HttpResponse(render_pdf(report, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.network.code}-{report.year}-{language}.pdf"'
    return response
