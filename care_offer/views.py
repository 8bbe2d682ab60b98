"""Thin views: permission → form → service → redirect/render."""
import hashlib
import time

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from psynet import permissions
from psynet.downloads import private_file
from psynet.models import Organisation, Psychologist, Role
from psynet.selectors import audit_for, psychologists_in
from psynet.views import _page, network_view

from . import selectors, services
from .forms import (
    AcceptForm, CareOfferSettingsForm, ClairvisionForm, CoFacilitatorForm, ConditionForm, InterviewForm,
    OnboardingItemForm, OverrideForm, PriorityForm, RefuseForm, ReviewForm,
)
from .models import ApplicationStatus, OfferKind
from .permissions import can_on_application, require_on_application

NAV_ACTIONS = ("care_offer.view", "care_offer.application.view", "care_offer.cofacilitator.view",
               "care_offer.clairvision.view", "care_offer.settings.manage", "care_offer.onboarding.manage")


def _nav(request):
    return permissions.flags(request.user, request.network, *NAV_ACTIONS)


def _form_page(request, form, title, back_url, *, status=200, intro="", notice=False, multipart=False):
    return render(request, "care_offer/form_page.html", {
        "form": form, "title": title, "back_url": back_url, "intro": intro, "notice": notice,
        "multipart": multipart, **_nav(request)}, status=status)


def _apply_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _status_for(error):
    return 409 if isinstance(error, (services.EditConflict, services.InvalidTransition)) else 400


def _year(request):
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2020 <= year <= 2100 else timezone.localdate().year


@network_view()
def index(request):
    network = request.network
    context = {**_nav(request), "network": network}
    if permissions.can(request.user, "care_offer.application.view", network):
        context["counts"] = selectors.application_counts(request.user, network)
    if permissions.can(request.user, "care_offer.clairvision.view", network):
        context["clairvisions"] = selectors.clairvisions_count(network, timezone.localdate().year)
    return render(request, "care_offer/index.html", context)


# ---- applications ----------------------------------------------------------------------------------------


@network_view("care_offer.application.view")
def application_list(request):
    qs = selectors.applications_in(request.user, request.network)
    status = request.GET.get("status") or ""
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    return render(request, "care_offer/application_list.html", {
        "page": _page(request, qs), "status": status, "statuses": ApplicationStatus.choices,
        "public_url": request.build_absolute_uri(reverse("apply:form", args=[request.network.code])),
        **_nav(request)})


def _application(request, pk):
    """404 for an application of another network, or outside a local coordinator's zones."""
    return get_object_or_404(selectors.applications_in(request.user, request.network), pk=pk)


@network_view("care_offer.application.view")
def application_detail(request, pk):
    application = _application(request, pk)
    items = services.onboarding_items(request.network) if application.status == ApplicationStatus.ACCEPTED else []
    ticks = selectors.ticks_of(application) if items else {}
    moves = services.allowed_moves(application, request.user)
    return render(request, "care_offer/application_detail.html", {
        "a": application, "documents": application.documents.all(),
        "applicant_messages": selectors.applicant_messages(application),
        "checklist": [{"item": i, "tick": ticks.get(i.pk)} for i in items],
        "history": audit_for(application)[:50], "moves": moves, "S": ApplicationStatus,
        "can_care_offer_onboarding_tick": can_on_application(request.user, "care_offer.onboarding.tick",
                                                             application),
        "can_care_offer_application_review": can_on_application(request.user, "care_offer.application.review",
                                                                application), **_nav(request)})


@network_view("care_offer.application.view")
def document_file(request, pk, doc_pk):
    application = _application(request, pk)
    document = get_object_or_404(application.documents.all(), pk=doc_pk)
    return private_file(document.file, filename=document.file_name, content_type=document.file_type)


def _step(request, pk, *, action, form_class, title, run, form_kwargs=None):
    """GET: the step's form; POST: the transition through the service; refusals back on the form, typed values
    kept (409 when someone else moved the application first)."""
    application = _application(request, pk)
    require_on_application(request.user, action, application)
    kwargs = form_kwargs(application) if form_kwargs else {}
    form = form_class(request.POST or None, initial={"version": application.version}, **kwargs)
    back = reverse("care_offer:application_detail", args=[application.pk])
    if request.method == "POST" and form.is_valid():
        try:
            run(application, form.cleaned_data)
        except services.CareOfferError as exc:
            _apply_error(form, exc)
            return _form_page(request, form, title, back, status=_status_for(exc))
        messages.success(request, _("The application was updated."))
        return redirect(back)
    return _form_page(request, form, title, back, status=400 if request.method == "POST" else 200,
                      intro=str(application))


@network_view("care_offer.application.view")
def application_review(request, pk):
    return _step(request, pk, action="care_offer.application.review", form_class=ReviewForm,
                 title=_("Review the application"),
                 run=lambda a, d: services.application_review(application=a, by=request.user, note=d["note"],
                                                              expected_version=d["version"]))


@network_view("care_offer.application.view")
def application_interview(request, pk):
    return _step(request, pk, action="care_offer.application.review", form_class=InterviewForm,
                 title=_("Plan the interview"),
                 run=lambda a, d: services.application_plan_interview(
                     application=a, by=request.user, interview_at=d["interview_at"],
                     interview_place=d["interview_place"], expected_version=d["version"]))


@network_view("care_offer.application.view")
def application_refuse(request, pk):
    return _step(request, pk, action="care_offer.application.decide", form_class=RefuseForm,
                 title=_("Refuse the application"),
                 run=lambda a, d: services.application_refuse(application=a, by=request.user, reason=d["reason"],
                                                              expected_version=d["version"]))


@network_view("care_offer.application.view")
def application_accept(request, pk):
    def run(a, d):
        services.application_accept(
            application=a, by=request.user, start_on=d["start_on"], end_on=d["end_on"], functions=d["functions"],
            age_groups=d["age_groups"], article8_hours_per_year=d["article8_hours_per_year"], zones=d["zones"],
            article8_places=d["article8_places"], expected_version=d["version"])

    return _step(request, pk, action="care_offer.application.decide", form_class=AcceptForm,
                 title=_("Accept the application"), run=run,
                 form_kwargs=lambda a: {"network": request.network, "application": a})


@require_POST
@network_view("care_offer.application.view")
def application_new_link(request, pk):
    application = _application(request, pk)
    services.application_new_link(application=application, by=request.user)
    messages.success(request, _("A new private link was e-mailed to the applicant; the previous ones no longer "
                                "work."))
    return redirect("care_offer:application_detail", pk=application.pk)


@require_POST
@network_view("care_offer.onboarding.tick")
def onboarding_toggle(request, pk, item_pk):
    application = _application(request, pk)
    item = get_object_or_404(application.network.onboarding_items.all(), pk=item_pk)
    try:
        services.onboarding_toggle(application=application, item=item, done=request.POST.get("done") == "1",
                                   by=request.user)
    except services.CareOfferError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("care_offer:application_detail", args=[application.pk]) + "#onboarding")


@network_view("care_offer.settings.manage")
def settings_update(request):
    current = services.settings_for(request.network)
    form = CareOfferSettingsForm(request.POST or None, initial={
        "min_years_practice": current.min_years_practice, "accepts_applications": current.accepts_applications,
        "link_validity_days": current.link_validity_days})
    if request.method == "POST" and form.is_valid():
        services.care_offer_settings_update(network=request.network, by=request.user, **form.cleaned_data)
        messages.success(request, _("The settings were saved."))
        return redirect("care_offer:settings")
    return _form_page(request, form, _("Settings of the provider network"), reverse("care_offer:index"),
                      status=400 if request.method == "POST" else 200)


# ---- the onboarding checklist of the network -------------------------------------------------------------


@network_view("care_offer.onboarding.manage")
def onboarding_item_list(request):
    services.onboarding_items(request.network)  # the defaults the first time
    return render(request, "care_offer/onboarding_item_list.html", {
        "items": list(selectors.onboarding_items_all(request.network)), **_nav(request)})


@network_view("care_offer.onboarding.manage")
def onboarding_item_create(request):
    return _onboarding_item_form(request, None)


@network_view("care_offer.onboarding.manage")
def onboarding_item_update(request, pk):
    return _onboarding_item_form(request, get_object_or_404(selectors.onboarding_items_all(request.network), pk=pk))


def _onboarding_item_form(request, obj):
    return _saved_form(request, OnboardingItemForm(request.POST or None, instance=obj),
                       save=lambda data: services.onboarding_item_save(network=request.network, by=request.user,
                                                                       item=obj, **data),
                       done=_("The checklist item was saved."), back="care_offer:onboarding_item_list",
                       title=str(obj) if obj else _("New checklist item"),
                       intro=_("The items every accepted provider goes through, in both languages."))


def _saved_form(request, form, *, save, done, back, title, intro=""):
    """A network's reference list item (priority, checklist item): the form, the service, back to the list; a
    refusal of the service shown on the form with what was typed."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except services.CareOfferError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return _form_page(request, form, title, reverse(back), status=400 if request.method == "POST" else 200,
                      intro=intro)


@require_POST
@network_view("care_offer.onboarding.manage")
def onboarding_item_move(request, pk):
    item = get_object_or_404(selectors.onboarding_items_all(request.network), pk=pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404
    services.onboarding_item_move(item=item, by=request.user, direction=direction)
    return redirect(reverse("care_offer:onboarding_item_list") + f"#item-{item.pk}")


# ---- employers and co-facilitators -----------------------------------------------------------------------


@network_view("care_offer.view")
def employer_list(request):
    return render(request, "care_offer/employer_list.html", {
        "page": _page(request, selectors.employers_in(request.network)), **_nav(request),
        **permissions.flags(request.user, request.network, "psychologist.manage")})


@network_view("care_offer.cofacilitator.view")
def co_facilitator_list(request):
    kind = request.GET.get("kind") or None
    from .models import CoFacilitatorKind

    kind = kind if kind in CoFacilitatorKind.values else None
    return render(request, "care_offer/co_facilitator_list.html", {
        "page": _page(request, selectors.co_facilitators_in(request.network, kind=kind, include_inactive=True)),
        "kind": kind or "", "kinds": CoFacilitatorKind.choices, **_nav(request),
        **permissions.flags(request.user, request.network, "care_offer.cofacilitator.manage")})


@network_view("care_offer.cofacilitator.manage")
def co_facilitator_create(request):
    return _co_facilitator_form(request, None)


@network_view("care_offer.cofacilitator.manage")
def co_facilitator_update(request, pk):
    obj = get_object_or_404(selectors.co_facilitators_in(request.network, include_inactive=True), pk=pk)
    return _co_facilitator_form(request, obj)


def _co_facilitator_form(request, obj):
    form = CoFacilitatorForm(request.POST or None, instance=obj, network=request.network)
    if request.method == "POST" and form.is_valid():
        try:
            services.co_facilitator_save(network=request.network, by=request.user, co_facilitator=obj,
                                         **form.cleaned_data)
        except services.CareOfferError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The co-facilitator was saved."))
            return redirect("care_offer:co_facilitator_list")
    return _form_page(request, form, str(obj) if obj else _("New co-facilitator"),
                      reverse("care_offer:co_facilitator_list"), status=400 if request.method == "POST" else 200)


# ---- supply and demand ---------------------------------------------------------------------------------------


SUPPLY_CACHE_SECONDS = 600
SUPPLY_FRESH_SECONDS = 60


@network_view("care_offer.view")
def supply_demand(request):
    """The figures' body is rendered once per data state and language and kept in the cache. Within a minute of
    its last check it is served as is (no query); after that, the fingerprint (any request, convention, profile or
    zone of the network changed, or a new day) decides whether it is recomputed."""
    network = request.network
    key = f"care_offer:supply:{network.pk}:{get_language()}"
    cached = cache.get(key)
    now = time.time()
    if cached is None or now - cached["checked"] > SUPPLY_FRESH_SECONDS:
        fingerprint = hashlib.sha256(selectors.supply_demand_fingerprint(network).encode()).hexdigest()[:24]
        if cached is None or cached["fingerprint"] != fingerprint:
            body = render_to_string("care_offer/_supply_body.html", {"data": selectors.supply_demand(network)})
            cached = {"fingerprint": fingerprint, "body": body, "computed": timezone.now()}
        cached["checked"] = now
        cache.set(key, cached, SUPPLY_CACHE_SECONDS)
    return render(request, "care_offer/supply_demand.html", {
        "body": mark_safe(cached["body"]), "computed": cached["computed"], **_nav(request)})


# ---- priorities ----------------------------------------------------------------------------------------------


@network_view("care_offer.view")
def priority_list(request):
    year = _year(request)
    return render(request, "care_offer/priority_list.html", {
        "rows": selectors.activity_per_priority(request.network, year), "year": year,
        "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1), **_nav(request),
        **permissions.flags(request.user, request.network, "care_offer.priority.manage")})


@network_view("care_offer.priority.manage")
def priority_create(request):
    return _priority_form(request, None)


@network_view("care_offer.priority.manage")
def priority_update(request, pk):
    return _priority_form(request, get_object_or_404(selectors.priorities_in(request.network,
                                                                              include_inactive=True), pk=pk))


def _priority_form(request, obj):
    return _saved_form(request, PriorityForm(request.POST or None, instance=obj),
                       save=lambda data: services.priority_save(network=request.network, by=request.user,
                                                                priority=obj, **data),
                       done=_("The priority was saved."), back="care_offer:priority_list",
                       title=str(obj) if obj else _("New priority"))


# ---- clairvisions --------------------------------------------------------------------------------------------


@network_view("care_offer.clairvision.view")
def clairvision_list(request):
    year = _year(request)
    qs = selectors.clairvisions_visible(request.user, request.network).filter(held_on__year=year)
    return render(request, "care_offer/clairvision_list.html", {
        "page": _page(request, qs), "year": year, "count": selectors.clairvisions_count(request.network, year),
        "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1), **_nav(request),
        **permissions.flags(request.user, request.network, "care_offer.clairvision.record")})


@network_view("care_offer.clairvision.record")
def clairvision_create(request):
    network = request.network
    own = None
    if request.membership.role == Role.PSYCHOLOGIST:
        own = Psychologist.objects.filter(user=request.user).first()
        if own is None:
            raise PermissionDenied
    psychologists = psychologists_in(network).prefetch_related(None).select_related(None)
    form = ClairvisionForm(request.POST or None, network=network, psychologists=psychologists,
                           fixed_psychologist=own)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.clairvision_record(
                network=network, by=request.user, held_on=d["held_on"], format=d["format"],
                participants=d["participants"], themes=d["themes"], themes_other=d["themes_other"],
                place=d["place"], place_text=d["place_text"], psychologist=own or d["psychologist"],
                priorities=d["priorities"])
        except services.CareOfferError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The clairvision was recorded."))
            return redirect("care_offer:clairvision_list")
    return _form_page(request, form, _("Record a clairvision"), reverse("care_offer:clairvision_list"),
                      status=400 if request.method == "POST" else 200)


# ---- outreaching eligibility ---------------------------------------------------------------------------


@network_view("care_offer.view")
def eligibility(request):
    network = request.network
    return render(request, "care_offer/eligibility.html", {
        "rules": selectors.place_type_rules(), "overrides": selectors.overrides_in(network),
        "ineligible": _page(request, selectors.ineligible_outreach_places(network)), **_nav(request),
        **permissions.flags(request.user, network, "care_offer.eligibility.manage")})


@network_view("care_offer.eligibility.manage")
def override_create(request):
    form = OverrideForm(request.POST or None, network=request.network,
                        initial={"organisation": request.GET.get("organisation")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.place_override_save(organisation=d["organisation"], eligible=d["eligible"],
                                         reason=d["reason"], by=request.user)
        except services.CareOfferError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The decision for this place was saved."))
            return redirect("care_offer:eligibility")
    return _form_page(request, form, _("Outreaching: a decision for one place"), reverse("care_offer:eligibility"),
                      status=400 if request.method == "POST" else 200)


@require_POST
@network_view("care_offer.eligibility.manage")
def override_remove(request, pk):
    organisation = get_object_or_404(Organisation.objects.filter(network=request.network), pk=pk)
    services.place_override_remove(organisation=organisation, by=request.user)
    messages.success(request, _("The place follows the rule of its type again."))
    return redirect("care_offer:eligibility")


# ---- budget rules and conditions ----------------------------------------------------------------------


@network_view("care_offer.view")
def budget_rules(request):
    return render(request, "care_offer/budget_rules.html", {
        "rows": selectors.budget_overview(request.network), "today": timezone.localdate(), **_nav(request),
        **permissions.flags(request.user, request.network, "care_offer.condition.manage")})


@network_view("care_offer.condition.manage")
def condition_update(request):
    offer = request.GET.get("offer") or request.POST.get("offer") or OfferKind.CLAIRVISION
    if offer not in OfferKind.values:
        raise Http404
    current = selectors.offer_conditions(request.network).get(offer)
    form = ConditionForm(request.POST or None, initial={"conditions": current.conditions if current else ""})
    if request.method == "POST" and form.is_valid():
        services.offer_condition_save(network=request.network, offer=offer, by=request.user,
                                      conditions=form.cleaned_data["conditions"])
        messages.success(request, _("The conditions were saved."))
        return redirect("care_offer:budget_rules")
    return _form_page(request, form, _("Conditions: %(offer)s") % {"offer": OfferKind(offer).label},
                      reverse("care_offer:budget_rules"), status=400 if request.method == "POST" else 200,
                      notice=offer == OfferKind.CLAIRVISION)
