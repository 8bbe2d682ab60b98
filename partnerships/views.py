"""Coordinators' pages: thin views (permission → form → service → redirect/render). Requests come from
selectors.requests_visible(user, network), so another network's request is a 404 and a request outside a local
coordinator's zones too; the wrong role within the network gets 403."""
import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from psynet import permissions as core
from psynet.downloads import private_file
from psynet.models import Role, Zone
from psynet.views import network_view

from . import agreements, selectors, services
from .choices import OPEN_STATUSES, PLACE_TYPES, AgreementStatus, Outcome, Party, Status
from .filters import DUE_CHOICES, RequestFilter
from .forms import (
    AgreementDeclineForm,
    AgreementForm,
    AssignForm,
    CandidateFilterForm,
    CloseForm,
    ContactForm,
    DeclineForm,
    EventForm,
    GdprEraseForm,
    GdprForm,
    NeedsForm,
    PartnershipSettingsForm,
    PrioritiesForm,
    ProjectionForm,
    ProposeForm,
    RouteForm,
    SignForm,
    TerminateForm,
    TransferForm,
)
from .models import FinancialProjection, RequestEvent
from .permissions import can_on_agreement, can_on_request, require_on_agreement, zone_ids_of

PAGE_SIZE = 30


def _request(request, pk):
    obj = selectors.request_detail(request.user, request.network, pk)
    if obj is None:
        raise Http404
    return obj


def _page(request, qs, size=PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _nav(request):
    return core.flags(request.user, request.network, "partnership.triage", "partnership.gdpr",
                      "partnership.settings")


# ---- lists ------------------------------------------------------------------------------------------


@network_view("partnership.view")
def index(request):
    """The request list: open requests first, the nearest deadline first."""
    network, user = request.network, request.user
    zones = None
    if core.role_in(user, network) == Role.LOCAL_COORDINATOR:
        zones = Zone.objects.filter(pk__in=zone_ids_of(user, network)).order_by("name")
    qs = selectors.requests_visible(user, network).annotate(
        is_closed=Case(When(status=Status.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()))
    data = request.GET.copy()
    if "status" not in data and not data.get("q") and not data.get("due"):
        data.setlist("status", OPEN_STATUSES)
    # Open requests only (the default, or any deadline filter) or closed ones only: is_closed is the same on every
    # row, so the order leaves it out and is read from an index (open requests: their own partial index).
    statuses = set(data.getlist("status"))
    uniform = (statuses and (statuses <= set(OPEN_STATUSES) or statuses == {Status.CLOSED})) or data.get("due") in {
        value for value, _label in DUE_CHOICES}
    order = ("due_on", "-received_at", "-pk") if uniform else ("is_closed", "due_on", "-received_at", "-pk")
    filterset = RequestFilter(data, queryset=qs.order_by(*order), network=network, user=user, zones=zones)
    page = _page(request, filterset.qs.values_list("pk", flat=True))
    page.object_list = _row_values(selectors.request_rows(list(page.object_list)))
    return render(request, "partnerships/index.html", {
        "filter_html": _filter_form_html(request, filterset, zones), "page": page, "today": timezone.localdate(),
        **core.flags(user, network, "partnership.triage", "partnership.gdpr", "partnership.settings",
                     "agreement.draft", "agreement.view"),
    })


def _row_values(rows):
    """What each row shows, formatted once in Python (a template lookup per cell costs more at 30 rows)."""
    from django.utils.formats import date_format

    from .choices import AWAITING_CONTACT

    today = timezone.localdate()
    dutch = translation.get_language() == "nl"
    statuses, outcomes, places = dict(Status.choices), dict(Outcome.choices), dict(PLACE_TYPES)
    detail = reverse("partnerships:request_detail", args=[0]).rsplit("0/", 1)[0]  # reversed once, not per row
    values = []
    for r in rows:
        waiting = r["status"] in AWAITING_CONTACT
        received = timezone.localtime(r["received_at"])
        name = " ".join(x for x in [r["assigned_to__first_name"], r["assigned_to__last_name"]] if x)
        values.append({
            "pk": r["pk"], "href": f"{detail}{r['pk']}/", "reference": f"DC-{received.year}-{r['pk']:05d}",
            "received": date_format(received, "SHORT_DATE_FORMAT"), "organisation": r["organisation_name"],
            "place": places.get(r["place_type"], r["place_type"]),
            "municipality": (r["municipality__name_nl"] if dutch else r["municipality__name_fr"])
            or r["municipality_text"],
            "zones": ", ".join(r["zone_names"]),
            "triage": (r["network_id"] is None or bool(r["triage_reason"])) and r["status"] != Status.CLOSED,
            "status": statuses.get(r["status"], r["status"])
            + (f" ({outcomes[r['outcome']]})" if r["outcome"] else ""),
            "due": date_format(r["due_on"], "SHORT_DATE_FORMAT") if waiting else "",
            "overdue": waiting and r["due_on"] < today,
            "assigned": name or r["assigned_to__email"] or "—",
        })
    return values


def _filter_form_html(request, filterset, zones):
    """The filter form's HTML, cached per language, zones and query: its select widgets are most of the list
    page's rendering time, and they only change with the query."""
    zone_list = list(filterset.filters["zone"].queryset)
    query = sorted((k, v) for k, values in request.GET.lists() if k != "page" for v in values)
    key = "partnerships:filters:" + hashlib.sha256(repr(
        (translation.get_language(), [(z.pk, z.name) for z in zone_list], query)).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        filterset.filters["zone"].queryset = Zone.objects.filter(pk__in=[z.pk for z in zone_list]).order_by("name")
        html = render_to_string("partnerships/_request_filters.html", {"filter": filterset}, request=request)
        cache.set(key, html, 300)
    return mark_safe(html)  # rendered by our template, values escaped there


@network_view("partnership.triage")
def triage(request):
    page = _page(request, selectors.triage_list(request.user, request.network).order_by("received_at", "pk"))
    return render(request, "partnerships/triage.html", {"page": page, "today": timezone.localdate(),
                                                        **_nav(request)})


# ---- request detail and actions -------------------------------------------------------------------------


def _request_flags(request, obj):
    user, network = request.user, request.network
    moves = services.allowed_moves(obj)
    handle = can_on_request(user, "partnership.handle", obj, network) and not obj.is_anonymised
    routed = obj.network_id is not None and not obj.triage_reason
    return {
        "can_triage": can_on_request(user, "partnership.triage", obj, network) and obj.in_triage and not obj.is_closed,
        "can_assign": can_on_request(user, "partnership.assign", obj, network) and routed and not obj.is_closed,
        "can_contact": handle and routed and not obj.is_closed,
        "can_needs": handle and obj.status in (Status.CONTACTED, Status.NEEDS_ANALYSED, Status.PSYCHOLOGIST_PROPOSED,
                                                Status.AGREEMENT),
        "can_propose": handle and obj.status in (Status.NEEDS_ANALYSED, Status.PSYCHOLOGIST_PROPOSED),
        "can_agreement": can_on_request(user, "agreement.draft", obj, network) and obj.status in (
            Status.PSYCHOLOGIST_PROPOSED, Status.AGREEMENT, Status.ACTIVE),
        "can_decline": handle and Status.CLOSED in moves,
        "can_close": handle and Status.CLOSED in moves and obj.status != Status.RECEIVED,
        "can_message": handle,
        "can_project": handle,
    }


@network_view("partnership.view")
def request_detail(request, pk):
    return _detail(request, _request(request, pk))


def _detail(request, obj, bound=None, status=200):
    """The request's page; ``bound`` is a form that failed ({context name: form}), shown with its errors and
    everything typed in it."""
    network = request.network
    flags = _request_flags(request, obj)
    context = {"req": obj, "timeline": selectors.timeline_of(obj), "siblings": selectors.siblings_of(obj),
               "proposals": obj.proposals.select_related("psychologist"),
               "agreements": obj.agreements.select_related("psychologist").order_by("-created_at"),
               "projection": FinancialProjection.objects.filter(request=obj).first(),
               "article8_missions": selectors.article8_missions_of(obj), **flags, **_nav(request)}
    tagged = selectors.priorities_of(obj)
    context["priorities"] = [str(p) for p in tagged]
    if flags["can_message"] and obj.network_id == network.pk:
        context["priorities_form"] = PrioritiesForm(prefix="priorities", network=network,
                                                    initial={"priorities": [p.pk for p in tagged]})
    if flags["can_triage"]:
        context["route_form"] = RouteForm(prefix="route", network=network, initial={"zones": list(obj.zones.all())})
        context["transfer_form"] = TransferForm(prefix="transfer", network=network)
    if flags["can_assign"]:
        context["assign_form"] = AssignForm(prefix="assign",
                                            coordinators=services.assignable_coordinators(obj, network),
                                            initial={"coordinator": obj.assigned_to_id})
    if flags["can_contact"]:
        context["contact_form"] = ContactForm(prefix="contact")
    if flags["can_needs"]:
        context["needs_form"] = NeedsForm(prefix="needs", initial={"analysis": obj.needs_analysis})
    if flags["can_decline"]:
        context["decline_form"] = DeclineForm(prefix="decline")
    if flags["can_close"]:
        context["close_form"] = CloseForm(prefix="close")
    if flags["can_message"]:
        context["event_form"] = EventForm(prefix="event")
    for name, form in (bound or {}).items():
        if name in context:
            context[name] = form
    return render(request, "partnerships/request_detail.html", context, status=status)


def _acting(request, pk, action):
    obj = _request(request, pk)
    if not can_on_request(request.user, action, obj, request.network):
        raise PermissionDenied
    return obj


def _act(request, obj, name, form, *, invalid, run, done, then=None, page=None):
    """Every action on a request or an agreement: a valid form, the service, a message, back to the object (or
    ``then``). A form with errors, or refused by the service, comes back on the object's page (``page``: the
    request's by default) with what was typed."""
    page = page or _detail
    if form is not None and not form.is_valid():
        messages.error(request, invalid)
        return page(request, obj, {name: form}, status=400)
    try:
        run(form.cleaned_data if form is not None else {})
    except services.PartnershipError as exc:
        messages.error(request, exc.message)
        return page(request, obj, {name: form} if form is not None else None, status=409)
    messages.success(request, done(form.cleaned_data) if callable(done) else done)
    return redirect(then or obj)


@network_view("partnership.triage")
@require_POST
def request_route(request, pk):
    obj = _acting(request, pk, "partnership.triage")
    return _act(request, obj, "route_form", RouteForm(request.POST, prefix="route", network=request.network),
                invalid=_("Choose at least one zone of your network."),
                run=lambda data: services.partnership_request_route(partnership_request=obj, zones=data["zones"],
                                                                    by=request.user),
                done=_("The request is now in your network; the zone's coordinators were told."))


@network_view("partnership.triage")
@require_POST
def request_transfer(request, pk):
    obj = _acting(request, pk, "partnership.triage")
    return _act(request, obj, "transfer_form", TransferForm(request.POST, prefix="transfer", network=request.network),
                invalid=_("Choose a network and say why."),
                run=lambda data: services.partnership_request_transfer(
                    partnership_request=obj, to_network=data["to_network"], reason=data["reason"], by=request.user),
                done=lambda data: _("The request was sent to %(network)s.") % {"network": data["to_network"]},
                then="partnerships:triage")


@network_view("partnership.assign")
@require_POST
def request_assign(request, pk):
    obj = _acting(request, pk, "partnership.assign")
    form = AssignForm(request.POST, prefix="assign",
                      coordinators=services.assignable_coordinators(obj, request.network))
    return _act(request, obj, "assign_form", form, invalid=_("Choose a coordinator of the request's zones."),
                run=lambda data: services.partnership_request_assign(partnership_request=obj,
                                                                     coordinator=data["coordinator"], by=request.user),
                done=lambda data: _("Assigned to %(name)s.") % {"name": data["coordinator"]})


@network_view("partnership.handle")
@require_POST
def request_contact(request, pk):
    obj = _acting(request, pk, "partnership.handle")
    return _act(request, obj, "contact_form", ContactForm(request.POST, prefix="contact"),
                invalid=_("Give the date, the channel and a summary of the contact."),
                run=lambda data: services.partnership_request_record_contact(partnership_request=obj, by=request.user,
                                                                             **data),
                done=_("The contact was recorded."))


@network_view("partnership.handle")
@require_POST
def request_needs(request, pk):
    obj = _acting(request, pk, "partnership.handle")
    return _act(request, obj, "needs_form", NeedsForm(request.POST, prefix="needs"),
                invalid=_("Write the needs analysis."),
                run=lambda data: services.partnership_request_analyse_needs(partnership_request=obj, by=request.user,
                                                                            analysis=data["analysis"]),
                done=_("The needs analysis was saved."))


@network_view("partnership.handle")
def request_propose(request, pk):
    """Candidates from the conventions: zone, language, age group, function and article 8 hours left."""
    obj = _acting(request, pk, "partnership.handle")
    network = request.network
    filter_form = CandidateFilterForm(request.GET or None, network=network,
                                      initial={"zones": list(obj.zones.all()), "language": obj.language})
    filters, min_left = filter_form.filters(obj)
    candidates = selectors.psychologist_candidates(obj, network, filters=filters)
    rows = selectors.candidate_rows(candidates, network, min_article8_left=min_left)
    form = ProposeForm(request.POST or None, candidates=[r["psychologist"] for r in rows])
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_request_propose(partnership_request=obj, by=request.user,
                                                 psychologists=form.cleaned_data["psychologists"],
                                                 note=form.cleaned_data["note"])
        except services.PartnershipError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The proposal was recorded and sent to the partner."))
            return redirect(obj)
    return render(request, "partnerships/request_propose.html", {
        "req": obj, "filter_form": filter_form, "rows": rows, "form": form,
        "can_propose": obj.status in (Status.NEEDS_ANALYSED, Status.PSYCHOLOGIST_PROPOSED)})


@network_view("partnership.handle")
@require_POST
def request_decline(request, pk):
    obj = _request(request, pk)
    if not (can_on_request(request.user, "partnership.handle", obj, request.network)
            or can_on_request(request.user, "partnership.triage", obj, request.network)):
        raise PermissionDenied
    return _act(request, obj, "decline_form", DeclineForm(request.POST, prefix="decline"),
                invalid=_("Give the reason: the partner receives it."),
                run=lambda data: services.partnership_request_decline(partnership_request=obj, reason=data["reason"],
                                                                      by=request.user),
                done=_("The request was declined and the partner told why."))


@network_view("partnership.handle")
@require_POST
def request_close(request, pk):
    obj = _acting(request, pk, "partnership.handle")
    return _act(request, obj, "close_form", CloseForm(request.POST, prefix="close"),
                invalid=_("Choose how the request ended."),
                run=lambda data: services.partnership_request_close(partnership_request=obj, by=request.user, **data),
                done=_("The request was closed."))


@network_view("partnership.handle")
@require_POST
def request_event(request, pk):
    obj = _acting(request, pk, "partnership.handle")
    return _act(request, obj, "event_form", EventForm(request.POST, request.FILES, prefix="event"),
                invalid=_("Write a message or choose a file."),
                run=lambda data: services.partnership_request_add_event(
                    partnership_request=obj, kind=data["kind"], body=data["body"], upload=data["file"],
                    by=request.user),
                done=_("Saved."))


@network_view("partnership.handle")
@require_POST
def request_priorities(request, pk):
    obj = _acting(request, pk, "partnership.handle")
    return _act(request, obj, "priorities_form",
                PrioritiesForm(request.POST, prefix="priorities", network=request.network),
                invalid=_("Choose priorities of your network."),
                run=lambda data: services.request_priorities_set(partnership_request=obj,
                                                                 priorities=data["priorities"], by=request.user),
                done=_("The network priorities were saved."))


@network_view("partnership.handle")
@require_POST
def request_new_link(request, pk):
    obj = _acting(request, pk, "partnership.handle")
    return _act(request, obj, "", None, invalid="",
                run=lambda data: services.partnership_request_new_link(partnership_request=obj, by=request.user),
                done=_("A new private link was e-mailed to the partner; the previous one no longer works."))


def file_response(event):
    return private_file(event.file, filename=event.file_name or "file", content_type=event.file_type)


@network_view("partnership.view")
def event_file(request, pk):
    event = get_object_or_404(RequestEvent.objects.select_related("request"), pk=pk)
    _request(request, event.request_id)
    return file_response(event)


@network_view("partnership.handle")
def request_projection(request, pk):
    obj = _acting(request, pk, "partnership.handle")
    projection = FinancialProjection.objects.filter(request=obj).first()
    initial = {} if projection else {"session_fee": services.settings_for(request.network).session_fee,
                                     "weeks_per_year": 46, "occupancy_percent": 85}
    form = ProjectionForm(request.POST or None, instance=projection, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in services.PROJECTION_FIELDS}
        projection = services.projection_save(partnership_request=obj, by=request.user, **fields)
        messages.success(request, _("The projection was saved."))
        return redirect("partnerships:request_projection", pk=obj.pk)
    return render(request, "partnerships/projection.html", {"req": obj, "form": form, "projection": projection})


# ---- settings and GDPR --------------------------------------------------------------------------------


@network_view("partnership.settings")
def settings_view(request):
    obj = services.settings_for(request.network)
    form = PartnershipSettingsForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        services.partnership_settings_update(network=request.network, by=request.user, **form.cleaned_data)
        messages.success(request, _("The settings were saved."))
        return redirect("partnerships:settings")
    return render(request, "partnerships/settings.html", {"form": form, **_nav(request)})


@network_view("partnership.gdpr")
def gdpr(request):
    form = GdprForm(request.GET or None)
    found = agreements_found = None
    if request.GET and form.is_valid():
        found = list(services.requester_requests(request.network, form.cleaned_data["email"]))
        agreements_found = list(services.requester_agreements(request.network, form.cleaned_data["email"]))
    return render(request, "partnerships/gdpr.html", {
        "form": form, "found": found, "agreements_found": agreements_found,
        "erase_form": GdprEraseForm(initial={"email": form.cleaned_data["email"]}) if found is not None else None,
        **_nav(request)})


@network_view("partnership.gdpr")
@require_POST
def gdpr_export(request):
    form = GdprForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the requester's e-mail address."))
        return redirect("partnerships:gdpr")
    data = services.gdpr_export(network=request.network, email=form.cleaned_data["email"], by=request.user)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="gdpr-{request.network.code.lower()}-'
                                       f'{timezone.localdate():%Y%m%d}.json"')
    response["Cache-Control"] = "private, no-store"
    return response


@network_view("partnership.gdpr")
@require_POST
def gdpr_erase(request):
    form = GdprEraseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the confirmation to erase the data."))
        return redirect("partnerships:gdpr")
    ids, kept = services.gdpr_erase(network=request.network, email=form.cleaned_data["email"], by=request.user)
    messages.success(request, _("%(count)s request(s) anonymised; %(kept)s agreement(s) kept as contracts.")
                     % {"count": len(ids), "kept": len(kept)})
    return redirect("partnerships:gdpr")


# ---- agreements ------------------------------------------------------------------------------------------


def _agreement(request, pk):
    obj = selectors.agreement_list(request.user, request.network).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _agreement_form_args(request, partnership_request=None):
    network = request.network
    psychologists = list(selectors.psychologist_candidates(partnership_request, network, filters={"zones": []})
                         if partnership_request else
                         selectors.current_conventions(network).values_list("psychologist", flat=True))
    if not partnership_request:
        from psynet.models import Psychologist

        psychologists = list(Psychologist.objects.filter(pk__in=psychologists))
    signatories = services._members([network], [Role.NETWORK_COORDINATOR])
    return {"network": network, "psychologists": psychologists, "signatories": signatories}


@network_view("agreement.view")
def agreement_list(request):
    qs = selectors.agreement_list(request.user, request.network)
    status = request.GET.get("status")
    if status in AgreementStatus.values:
        qs = qs.filter(status=status)
    return render(request, "partnerships/agreement_list.html", {
        "page": _page(request, qs), "statuses": AgreementStatus.choices, "status": status,
        "awaiting": selectors.agreements_awaiting(request.user, request.network),
        **core.flags(request.user, request.network, "agreement.draft"), **_nav(request)})


@network_view("agreement.draft")
def agreement_create(request, pk=None):
    network = request.network
    partnership_request = None
    if pk is not None:
        partnership_request = _acting(request, pk, "agreement.draft")
    args = _agreement_form_args(request, partnership_request)
    initial = AgreementForm.initial_from_request(partnership_request, network) if partnership_request else {}
    own_zones = zone_ids_of(request.user, network)
    if partnership_request and own_zones:
        initial["zone"] = next((z.pk for z in partnership_request.zones.all() if z.pk in own_zones), initial["zone"])
    if args["signatories"]:
        initial.setdefault("network_signatory", args["signatories"][0].pk)
    form = AgreementForm(request.POST or None, initial=initial, **args)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreements.agreement_create(network=network, by=request.user,
                                                    partnership_request=partnership_request,
                                                    priorities=form.chosen_priorities(), **form.terms())
        except services.PartnershipError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The agreement was drafted."))
            return redirect(agreement)
    return render(request, "partnerships/agreement_form.html", {"form": form, "req": partnership_request})


@network_view("agreement.draft")
def agreement_edit(request, pk):
    agreement = _agreement(request, pk)
    require_on_agreement(request.user, "agreement.draft", agreement)
    args = _agreement_form_args(request, agreement.request)
    if agreement.psychologist not in args["psychologists"]:
        args["psychologists"].append(agreement.psychologist)
    form = AgreementForm(request.POST or None, initial=AgreementForm.initial_from(agreement), **args)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.agreement_update(agreement=agreement, by=request.user, priorities=form.chosen_priorities(),
                                        **form.terms())
        except services.PartnershipError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect(agreement)
    return render(request, "partnerships/agreement_form.html", {"form": form, "agreement": agreement,
                                                                  "req": agreement.request})


def _party_of(user, agreement):
    """The party ``user`` may sign for, if any."""
    if agreement.psychologist.user_id == user.pk and can_on_agreement(user, "agreement.sign_psychologist", agreement):
        return Party.PSYCHOLOGIST
    if agreement.network_signatory_id == user.pk and can_on_agreement(user, "agreement.sign_network", agreement):
        return Party.NETWORK
    return None


@network_view("agreement.draft")
def agreement_outreach_breaches(request):
    """Agreements still to be carried out that list outreaching at a place where it cannot count as such."""
    rows = selectors.agreement_outreach_breaches(request.user, request.network)
    return render(request, "partnerships/agreement_outreach_breaches.html", {"rows": rows, **_nav(request)})


@network_view("agreement.view")
def agreement_detail(request, pk):
    return _agreement_page(request, _agreement(request, pk))


def _agreement_page(request, agreement, bound=None, status=200):
    """The agreement's page; ``bound``: a form that failed, shown with its errors and what was typed."""
    versions = list(selectors.versions_of(agreement))
    version = versions[0] if versions else None
    party = _party_of(request.user, agreement)
    next_party = agreements.next_party(agreement, version)
    can_sign = agreement.status == AgreementStatus.SENT and party is not None and party == next_party
    from psynet.selectors import audit_for

    context = {
        "a": agreement, "version": version, "versions": versions, "next_party": next_party,
        "next_party_label": Party(next_party).label if next_party else "",
        "order": [Party(p).label for p in agreement.order], "party": party,
        "can_edit": can_on_agreement(request.user, "agreement.draft", agreement)
        and agreement.status in agreements.EDITABLE,
        "can_send": can_on_agreement(request.user, "agreement.draft", agreement)
        and agreement.status in (AgreementStatus.DRAFT, AgreementStatus.DECLINED),
        "can_sign": can_sign, "can_decline": party is not None and agreement.status == AgreementStatus.SENT,
        "can_terminate": can_on_agreement(request.user, "agreement.terminate", agreement)
        and agreement.status not in (AgreementStatus.ENDED, AgreementStatus.TERMINATED),
        "history": audit_for(agreement)[:200], "priorities": [str(p) for p in selectors.priorities_of(agreement)],
        "outreach_refusal": agreements.outreach_refusal(agreement)
        if agreement.status in agreements.LIVE else None, **_nav(request),
    }
    if can_sign:
        user = request.user
        context["sign_form"] = SignForm(prefix="sign", initial={"name": user.get_full_name() or str(user),
                                                 "text_sha256": version.sha256})
    if context["can_decline"]:
        context["decline_form"] = AgreementDeclineForm(prefix="decline")
    if context["can_terminate"]:
        context["terminate_form"] = TerminateForm(prefix="terminate")
    for name, form in (bound or {}).items():
        if name in context:
            context[name] = form
    return render(request, "partnerships/agreement_detail.html", context, status=status)


@network_view("agreement.draft")
@require_POST
def agreement_send(request, pk):
    agreement = _agreement(request, pk)
    return _act(request, agreement, "", None, invalid="", page=_agreement_page,
                run=lambda data: agreements.agreement_send(agreement=agreement, by=request.user),
                done=_("The agreement was sent for signature."))


def client_address(request):
    from .ratelimit import client_ip

    value = client_ip(request)
    return value if value != "unknown" else None


@network_view("agreement.view")
@require_POST
def agreement_sign(request, pk):
    agreement = _agreement(request, pk)
    party = _party_of(request.user, agreement)
    if party is None:
        raise PermissionDenied
    return _act(request, agreement, "sign_form", SignForm(request.POST, prefix="sign"), page=_agreement_page,
                invalid=_("Type your name and tick the box to sign."),
                run=lambda data: agreements.agreement_sign(
                    agreement=agreement, party=party, name=data["name"], text_sha256=data["text_sha256"],
                    ip_address=client_address(request), user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    by=request.user),
                done=_("Your signature was recorded."))


@network_view("agreement.view")
@require_POST
def agreement_decline(request, pk):
    agreement = _agreement(request, pk)
    party = _party_of(request.user, agreement)
    if party is None:
        raise PermissionDenied
    return _act(request, agreement, "decline_form", AgreementDeclineForm(request.POST, prefix="decline"),
                page=_agreement_page, invalid=_("Give the reason for declining."),
                run=lambda data: agreements.agreement_decline(agreement=agreement, party=party,
                                                              reason=data["reason"], by=request.user),
                done=_("You declined the agreement; the coordinators were told."))


@network_view("agreement.terminate")
@require_POST
def agreement_terminate(request, pk):
    agreement = _agreement(request, pk)
    return _act(request, agreement, "terminate_form", TerminateForm(request.POST, prefix="terminate"),
                page=_agreement_page, invalid=_("Give the reason for the termination."),
                run=lambda data: agreements.agreement_terminate(agreement=agreement, by=request.user,
                                                                reason=data["reason"]),
                done=_("The agreement was terminated."))


def pdf_response(agreement):
    return private_file(agreement.pdf, filename=f"{agreement.reference}.pdf", content_type="application/pdf")


@network_view("agreement.view")
def agreement_pdf(request, pk):
    """The signed PDF, for the three parties only: the network's coordinators (network party), the local
    coordinators of its zone and the psychologist of the agreement."""
    agreement = _agreement(request, pk)
    require_on_agreement(request.user, "agreement.view", agreement)
    return pdf_response(agreement)

