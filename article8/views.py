"""Thin views: permission → form → service → redirect/render."""
import csv
import io

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from psynet import permissions
from psynet.audit import log_action
from psynet.models import Network, Role
from psynet.selectors import audit_for
from psynet.views import _page, network_view

from . import selectors, services
from .filters import MissionFilter
from .forms import (
    ActivityForm, AllocationDecisionForm, AllocationPaidForm, AllocationRequestForm, ApproveForm, BudgetForm,
    ContactHourForm, MissionPrioritiesForm, MissionRequestForm, ObjectiveForm, OfferForm, PlacePlanForm,
    PlanActionForm, PlanForm, RefuseForm, SettingsForm,
)
from .models import MissionStatus, MissionType, OrganisationKind, PlanObjective

PUBLIC_CACHE_SECONDS = 600


def _year(request):
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2020 <= year <= 2100 else timezone.localdate().year


def _apply_error(form, error):
    """A service refusal shown on its field (or the form), everything typed kept."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _form_page(request, form, title, back_url, status=200, intro=""):
    return render(request, "article8/form_page.html",
                  {"form": form, "title": title, "back_url": back_url, "intro": intro}, status=status)


def _status_for(error):
    return 409 if isinstance(error, services.EditConflict) else 400


# ---- missions ----------------------------------------------------------------------------------


@network_view("article8.view")
def index(request):
    network = request.network
    filterset = MissionFilter(request.GET or None, queryset=selectors.missions_for(request.user, network),
                              network=network)
    year = timezone.localdate().year
    psychologist = selectors.psychologist_of(request.user)
    summary = None
    if psychologist and request.membership.role == Role.PSYCHOLOGIST:
        summary = selectors.hours_summary(psychologist, network, year)
    return render(request, "article8/index.html", {
        "filter": filterset, "page": _page(request, filterset.qs), "summary": summary, "year": year,
        **permissions.flags(request.user, network, "article8.mission.create", "article8.mission.propose",
                            "article8.dashboard", "article8.contact_hour.view", "article8.plan.view",
                            "article8.place_plan.view",
                            "article8.allocation.view", "article8.budget.manage", "article8.settings.manage",
                            "article8.offer.manage"),
    })


def _mission(request, pk):
    mission = get_object_or_404(selectors.missions_in(request.network), pk=pk)
    if not permissions.can(request.user, "article8.view", mission):
        raise PermissionDenied
    if request.membership.role == Role.PSYCHOLOGIST and not services.is_own_mission(request.user, mission):
        raise PermissionDenied
    return mission


@network_view("article8.mission.create")
def mission_create(request):
    form = MissionRequestForm(request.POST or None, network=request.network)
    if request.method == "POST" and form.is_valid():
        try:
            mission = services.mission_request_create(network=request.network, by=request.user, **form.cleaned_data)
        except services.Article8Error as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The request was recorded."))
            return redirect(mission)
    return _form_page(request, form, _("Record an article 8 request"), reverse("article8:index"))


@network_view("article8.mission.propose")
def mission_propose(request):
    psychologist = selectors.psychologist_of(request.user)
    if psychologist is None:
        raise PermissionDenied
    form = MissionRequestForm(request.POST or None, network=request.network, propose=True)
    if request.method == "POST" and form.is_valid():
        try:
            mission = services.mission_propose(network=request.network, psychologist=psychologist, by=request.user,
                                               **form.cleaned_data)
        except services.Article8Error as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Your proposal was sent to the coordinators."))
            return redirect(mission)
    return _form_page(request, form, _("Propose an article 8 mission"), reverse("article8:index"))


@network_view("article8.view")
def mission_detail(request, pk):
    mission = _mission(request, pk)
    user = request.user
    steps = {
        "review": mission.status == MissionStatus.RECEIVED and services.can_act(user, "article8.mission.review",
                                                                                  mission),
        "decide": mission.status == MissionStatus.UNDER_REVIEW and services.can_decide(user, mission),
        "plan": mission.status == MissionStatus.APPROVED and services.can_act(user, "article8.mission.plan", mission),
        "log": mission.status in (MissionStatus.APPROVED, MissionStatus.PLANNED, MissionStatus.DELIVERED)
        and services.can_act(user, "article8.activity.log", mission),
        "deliver": mission.status == MissionStatus.PLANNED and services.can_act(user, "article8.mission.deliver",
                                                                                 mission),
        "close": mission.status == MissionStatus.DELIVERED and services.can_act(user, "article8.mission.close",
                                                                                 mission),
    }
    hours = place_plan = None
    if mission.psychologist_id:
        hours = selectors.hours_summary(mission.psychologist, request.network, mission.year)
        place_plan = selectors.place_plan_for(mission.psychologist, request.network, mission.year)
    from care_offer.selectors import priorities_of

    return render(request, "article8/mission_detail.html", {
        "mission": mission, "steps": steps, "activities": selectors.mission_activities(mission),
        "history": audit_for(mission)[:50], "hours": hours, "place_plan": place_plan,
        "priorities": priorities_of(mission),
        "can_edit_priorities": services.can_act(user, "article8.mission.create", mission),
    })


@network_view("article8.view")
def mission_priorities(request, pk):
    """Change the network priorities a mission carries (set at creation until now)."""
    from care_offer.selectors import priorities_of

    mission = _mission(request, pk)
    if not services.can_act(request.user, "article8.mission.create", mission):
        raise PermissionDenied
    current = list(priorities_of(mission))
    form = MissionPrioritiesForm(request.POST or None, network=request.network, current=current,
                                 initial={"version": mission.version, "priorities": current})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.mission_priorities_update(mission=mission, priorities=list(form.cleaned_data["priorities"]),
                                                   by=request.user, expected_version=form.cleaned_data["version"])
            except services.Article8Error as error:
                _apply_error(form, error)
                status = _status_for(error)
            else:
                messages.success(request, _("The mission's priorities were saved."))
                return redirect(mission)
    return _form_page(request, form, _("Priorities: %(mission)s") % {"mission": mission}, mission.get_absolute_url(),
                      status=status)


def _versioned_post(request):
    return request.POST.get("version") or None


@network_view("article8.view")
def mission_approve(request, pk):
    mission = _mission(request, pk)
    if not services.can_decide(request.user, mission):
        raise PermissionDenied
    form = ApproveForm(request.POST or None, psychologists=selectors.psychologists_for_year(
        request.network, mission.year), can_override=permissions.can(request.user, "article8.hours.override",
                                                                      request.network),
        initial={"version": mission.version, "psychologist": mission.psychologist_id})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mission_approve(mission=mission, hours=data["hours"], psychologist=data["psychologist"],
                                     start_on=data["start_on"], end_on=data["end_on"], by=request.user,
                                     expected_version=data["version"],
                                     override_reason=data.get("override_reason", ""))
        except services.Article8Error as error:
            _apply_error(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The mission was approved."))
            return redirect(mission)
    return _form_page(request, form, _("Approve: %(mission)s") % {"mission": mission}, mission.get_absolute_url(),
                      status=status)


@network_view("article8.view")
def mission_refuse(request, pk):
    mission = _mission(request, pk)
    if not services.can_decide(request.user, mission):
        raise PermissionDenied
    form = RefuseForm(request.POST or None, initial={"version": mission.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.mission_refuse(mission=mission, reason=form.cleaned_data["reason"], by=request.user,
                                    expected_version=form.cleaned_data["version"])
        except services.Article8Error as error:
            _apply_error(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The request was refused."))
            return redirect(mission)
    return _form_page(request, form, _("Refuse: %(mission)s") % {"mission": mission}, mission.get_absolute_url(),
                      status=status)


@network_view("article8.view")
def mission_plan(request, pk):
    mission = _mission(request, pk)
    if not services.can_act(request.user, "article8.mission.plan", mission):
        raise PermissionDenied
    form = PlanForm(request.POST or None, initial={"version": mission.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.mission_plan(mission=mission, planning_note=form.cleaned_data["planning_note"], by=request.user,
                                  expected_version=form.cleaned_data["version"])
        except services.Article8Error as error:
            _apply_error(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The mission is planned."))
            return redirect(mission)
    return _form_page(request, form, _("Plan: %(mission)s") % {"mission": mission}, mission.get_absolute_url(),
                      status=status)


def _simple_step(service, done_message):
    @network_view("article8.view")
    @require_POST
    def view(request, pk):
        mission = _mission(request, pk)
        try:
            service(mission=mission, by=request.user, expected_version=_versioned_post(request))
        except services.Article8Error as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done_message())
        return redirect(mission)

    return view


mission_review = _simple_step(services.mission_review, lambda: _("The request is under review."))
mission_deliver = _simple_step(services.mission_deliver, lambda: _("The mission is marked delivered."))
mission_close = _simple_step(services.mission_close, lambda: _("The mission is closed."))


@network_view("article8.activity.log")
def activity_create(request, pk):
    mission = _mission(request, pk)
    if not services.can_act(request.user, "article8.activity.log", mission):
        raise PermissionDenied
    gp_group = mission.mission_type == MissionType.KNOWLEDGE_SHARING and mission.place_kind == \
        OrganisationKind.GP_PRACTICE
    form = ActivityForm(request.POST or None, gp_group=gp_group,
                        can_override=permissions.can(request.user, "article8.hours.override", request.network),
                        initial={"version": mission.version, "mission_type": mission.mission_type,
                                 "date": min(timezone.localdate(), mission.end_on or timezone.localdate())})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.activity_log(mission=mission, by=request.user, expected_version=version, **data)
        except services.Article8Error as error:
            _apply_error(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The activity was logged."))
            return redirect(mission)
    intro = _("Place: %(place)s (%(kind)s). Mission period: %(start)s – %(end)s.") % {
        "place": mission.place_name, "kind": mission.get_place_kind_display(),
        "start": mission.start_on.strftime("%d/%m/%Y") if mission.start_on else "–",
        "end": mission.end_on.strftime("%d/%m/%Y") if mission.end_on else "–"}
    return _form_page(request, form, _("Log an activity: %(mission)s") % {"mission": mission},
                      mission.get_absolute_url(), status=status, intro=intro)


# ---- contact hours and offers --------------------------------------------------------------------


@network_view("article8.contact_hour.view")
def contact_hour_list(request):
    qs = selectors.contact_hours_in(request.network)
    if request.membership.role == Role.PSYCHOLOGIST:
        qs = qs.filter(psychologist__user=request.user)
    return render(request, "article8/contact_hour_list.html", {
        "contact_hours": qs, "network": request.network,
        **permissions.flags(request.user, request.network, "article8.contact_hour.manage"),
    })


def _contact_psychologists(request):
    qs = selectors.psychologists_for_year(request.network, timezone.localdate().year)
    if request.membership.role == Role.PSYCHOLOGIST:
        qs = qs.filter(user=request.user)
    return qs


def _contact_hour_form(request, contact_hour=None):
    initial = {"version": contact_hour.version} if contact_hour else {}
    if contact_hour:
        initial.update({f: getattr(contact_hour, f) for f in (
            "psychologist", "weekday", "starts_at", "ends_at", "mode", "phone", "organisation", "languages", "note",
            "is_active")})
    form = ContactHourForm(request.POST or None, network=request.network,
                           psychologists=_contact_psychologists(request), initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.contact_hour_save(network=request.network, by=request.user, contact_hour=contact_hour,
                                       expected_version=version, **data)
        except services.Article8Error as error:
            _apply_error(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The contact hour was saved."))
            return redirect("article8:contact_hour_list")
    return _form_page(request, form, _("Contact hour"), reverse("article8:contact_hour_list"), status=status)


@network_view("article8.contact_hour.manage")
def contact_hour_create(request):
    return _contact_hour_form(request)


@network_view("article8.contact_hour.manage")
def contact_hour_update(request, pk):
    contact_hour = get_object_or_404(selectors.contact_hours_in(request.network), pk=pk)
    if request.membership.role == Role.PSYCHOLOGIST and contact_hour.psychologist.user_id != request.user.pk:
        raise PermissionDenied
    return _contact_hour_form(request, contact_hour)


@network_view("article8.offer.manage")
def offer_list(request):
    return render(request, "article8/offer_list.html", {"offers": selectors.offers_in(request.network),
                                                        "network": request.network})


def _offer_form(request, offer=None):
    initial = {}
    if offer:
        initial = {f: getattr(offer, f) for f in ("mission_type", "place_kinds", "description_fr", "description_nl",
                                                  "is_published")}
        initial["version"] = offer.version
    form = OfferForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.offer_save(network=request.network, by=request.user, offer=offer, expected_version=version,
                                **data)
        except services.Article8Error as error:
            _apply_error(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The offer was saved."))
            return redirect("article8:offer_list")
    return _form_page(request, form, _("Article 8 offer"), reverse("article8:offer_list"), status=status)


@network_view("article8.offer.manage")
def offer_create(request):
    return _offer_form(request)


@network_view("article8.offer.manage")
def offer_update(request, pk):
    return _offer_form(request, get_object_or_404(selectors.offers_in(request.network), pk=pk))


# ---- action plan -------------------------------------------------------------------------------


@network_view("article8.plan.view")
def plan(request):
    year = _year(request)
    can_manage = permissions.can(request.user, "article8.plan.manage", request.network)
    form = ObjectiveForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            services.objective_create(network=request.network, year=year, by=request.user, **form.cleaned_data)
            messages.success(request, _("The objective was added."))
            return redirect(f"{reverse('article8:plan')}?year={year}")
    return render(request, "article8/plan.html", {
        "objectives": selectors.plan_in(request.network, year), "year": year, "form": form,
        "can_article8_plan_manage": can_manage, "years": [year - 1, year, year + 1],
    })


def _action_form(request, objective, action=None):
    initial = {}
    if action:
        initial = {f: getattr(action, f) for f in ("title", "owner", "deadline", "status", "review_note")}
        initial["version"] = action.version
    form = PlanActionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.plan_action_save(objective=objective, action=action, by=request.user, expected_version=version,
                                      **data)
        except services.Article8Error as error:
            _apply_error(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The action was saved."))
            return redirect(f"{reverse('article8:plan')}?year={objective.year}")
    return _form_page(request, form, objective.title, f"{reverse('article8:plan')}?year={objective.year}",
                      status=status)


@network_view("article8.plan.manage")
def plan_action_create(request, pk):
    objective = get_object_or_404(PlanObjective.objects.filter(network=request.network), pk=pk)
    return _action_form(request, objective)


@network_view("article8.plan.manage")
def plan_action_update(request, pk):
    action = get_object_or_404(selectors.plan_actions_in(request.network), pk=pk)
    return _action_form(request, action.objective, action)


# ---- start-up allocations ----------------------------------------------------------------------


@network_view("article8.allocation.view")
def allocation_list(request):
    return render(request, "article8/allocation_list.html", {
        "page": _page(request, selectors.allocations_in(request.network)),
        **permissions.flags(request.user, request.network, "article8.allocation.request",
                            "article8.allocation.decide", "article8.allocation.pay"),
    })


@network_view("article8.allocation.request")
def allocation_create(request):
    form = AllocationRequestForm(request.POST or None, network=request.network)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_request(network=request.network, by=request.user, **form.cleaned_data)
        except services.Article8Error as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The allocation request was recorded."))
            return redirect("article8:allocation_list")
    return _form_page(request, form, _("Start-up allocation request"), reverse("article8:allocation_list"),
                      intro=_("Article 13 §2 15°: a temporary allocation for a place that cannot start its activity "
                              "for financial reasons."))


def _allocation(request, pk, action):
    allocation = get_object_or_404(selectors.allocations_in(request.network), pk=pk)
    permissions.require(request.user, action, allocation)
    return allocation


@network_view("article8.allocation.decide")
def allocation_decide(request, pk):
    allocation = _allocation(request, pk, "article8.allocation.decide")
    form = AllocationDecisionForm(request.POST or None, initial={"version": allocation.version,
                                                                 "amount_granted": allocation.amount_requested})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.allocation_decide(allocation=allocation, granted=data["decision"] == "grant",
                                       amount_granted=data["amount_granted"], note=data["note"], by=request.user,
                                       expected_version=data["version"])
        except services.Article8Error as error:
            _apply_error(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("article8:allocation_list")
    return _form_page(request, form, str(allocation), reverse("article8:allocation_list"), status=status)


@network_view("article8.allocation.pay")
def allocation_paid(request, pk):
    allocation = _allocation(request, pk, "article8.allocation.pay")
    form = AllocationPaidForm(request.POST or None, initial={"version": allocation.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_mark_paid(allocation=allocation, paid_on=form.cleaned_data["paid_on"],
                                          by=request.user, expected_version=form.cleaned_data["version"])
        except services.Article8Error as error:
            _apply_error(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("The payment was recorded."))
            return redirect("article8:allocation_list")
    return _form_page(request, form, str(allocation), reverse("article8:allocation_list"), status=status)


# ---- budget and settings -----------------------------------------------------------------------


@network_view("article8.budget.manage")
def budget_list(request):
    form = BudgetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_create(network=request.network, by=request.user, **form.cleaned_data)
        except services.Article8Error as error:
            _apply_error(form, error)
            status = 400
        else:
            messages.success(request, _("The budget was added."))
            return redirect("article8:budget_list")
    return render(request, "article8/budget_list.html", {
        "budgets": selectors.budgets_in(request.network), "form": form}, status=status)


@network_view("article8.settings.manage")
def settings_update(request):
    row = services.settings_for(request.network)
    form = SettingsForm(request.POST or None, initial={"decision_roles": row.effective_decision_roles,
                                                       "behind_pace_margin": row.behind_pace_margin})
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(network=request.network, by=request.user, **form.cleaned_data)
        except services.Article8Error as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("article8:index")
    return _form_page(request, form, _("Article 8 settings"), reverse("article8:index"))


# ---- article 8 hours planned by place (issue 10) ------------------------------------------------


@network_view("article8.place_plan.view")
def place_plan(request):
    """The contract's article 8 hours planned by place, per psychologist, for a year; coordinators edit it."""
    year = _year(request)
    can_manage = permissions.can(request.user, "article8.place_plan.manage", request.network)
    form = None
    status = 200
    if can_manage:
        form = PlacePlanForm(request.POST or None, network=request.network,
                             psychologists=selectors.psychologists_for_year(request.network, year))
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.place_plan_save(network=request.network, year=year, by=request.user, **form.cleaned_data)
            except services.Article8Error as error:
                _apply_error(form, error)
                status = 400
            else:
                messages.success(request, _("The plan by place was saved."))
                return redirect(f"{reverse('article8:place_plan')}?year={year}")
        else:
            status = 400
    return render(request, "article8/place_plan.html", {
        "plans": selectors.place_plan_by_psychologist(request.network, year), "year": year, "form": form,
        "years": [year - 1, year, year + 1]}, status=status)


# ---- dashboard and exports ---------------------------------------------------------------------


@network_view("article8.dashboard")
def dashboard(request):
    """The figures and their rendered charts and tables are cached per network, year, data generation and
    language (services start a new generation on every write that changes them)."""
    year = _year(request)
    generation = cache.get(services.figures_generation_key(request.network.pk), 0)
    key = f"article8:dashboard-body:{request.network.pk}:{year}:{generation}:{translation.get_language()}"
    body = cache.get(key)
    figures = None
    if body is None:
        figures = selectors.dashboard_figures_cached(request.network, year)
        from .charts import bar_chart, month_chart, use_gauge

        charts = {
            "use": use_gauge(figures),
            "place_kind": bar_chart(figures["by_place_kind"], _("Hours by place type")),
            "zone": bar_chart(figures["by_zone"], _("Hours by zone"), empty_label=_("no zone")),
            "mission_type": bar_chart(figures["by_mission_type"], _("Hours by mission type")),
            "month": month_chart(figures["by_month"]),
        }
        body = mark_safe(render_to_string("article8/_dashboard_body.html", {"f": figures, "charts": charts}))
        cache.set(key, body, selectors.FIGURES_CACHE_SECONDS)
    return render(request, "article8/dashboard.html", {
        "body": body, "f": figures, "year": year, "years": range(year - 2, year + 2),
    })


def _export_rows(figures):
    rows = [[_("Dimension"), _("Value"), _("Hours reserved"), _("Hours delivered"), _("EUR reserved"),
             _("EUR delivered")]]
    for dim, label in (("by_place_kind", _("Place type")), ("by_zone", _("Zone")),
                       ("by_mission_type", _("Mission type")), ("by_month", _("Month")),
                       ("by_priority", _("Network priority"))):
        for r in figures.get(dim, []):
            rows.append([label, str(r["label"] or _("no zone")), r["reserved"], r["delivered"], r["reserved_eur"],
                         r["delivered_eur"]])
    rows.append([_("Total"), _("contract hours %(hours)s") % {"hours": figures["capacity_hours"]},
                 figures["reserved_hours"], figures["delivered_hours"], figures["reserved_eur"],
                 figures["delivered_eur"]])
    return rows


@network_view("article8.dashboard")
def dashboard_export(request):
    year = _year(request)
    figures = selectors.dashboard_figures(request.network, year)
    rows = _export_rows(figures)
    name = f"article8-{request.network.code}-{year}"
    log_action(request.network, "article8.dashboard.exported", by=request.user,
                 after={"year": year, "format": request.GET.get("format", "csv")})
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(year)
        for row in rows:
            sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        writer.writerow([str(v).replace(".", ",") if hasattr(v, "as_tuple") else v for v in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


# ---- public page -------------------------------------------------------------------------------


def public_offer(request, code):
    """No login: what the network offers to first-line actors, its contact hours and how to ask (the circular
    asks networks to publish this). Cached per language; services clear the cache when something shown changes."""
    language = request.GET.get("lang") if request.GET.get("lang") in services.LANGUAGES else None
    language = language or translation.get_language() or "fr"
    if language not in services.LANGUAGES:
        language = "fr"
    key = services.public_cache_key(code.upper(), language)
    html = cache.get(key)
    if html is None:
        network = Network.objects.filter(code=code.upper()).first()
        if network is None:
            raise Http404
        with translation.override(language):
            context = {"network": network, "data": selectors.public_offer(network), "language": language,
                       "request_url": f"/collaboration/?network={network.code}&offer=article8"}
            html = render_to_string("article8/public_offer.html", context)
        cache.set(key, html, PUBLIC_CACHE_SECONDS)
    return HttpResponse(html)
