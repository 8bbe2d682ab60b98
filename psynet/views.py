from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from . import home, permissions, selectors, services
from .filters import MemberFilter, PsychologistFilter
from .forms import (
    ConventionForm, MemberInviteForm, MembershipForm, OrganisationForm, PsychologistForm, ZoneForm,
)
from .middleware import SESSION_KEY
from .models import Language, Role

PAGE_SIZE = 50


def network_view(action=None):
    """Login required, an active network required (else the chooser), and ``action`` allowed on it."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.network is None:
                if permissions.memberships_of(request.user):
                    return redirect("psynet:network_choose")
                return render(request, "psynet/no_network.html", status=403)
            if action:
                permissions.require(request.user, action, request.network)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# ---- home, network choice, language ------------------------------------------------------------


@login_required
def home_view(request):
    """Each role's to-do page; a deployment-wide viewer without a network lands on the federal overview."""
    if request.network is None and not permissions.memberships_of(request.user) \
            and permissions.is_federal_viewer(request.user):
        return redirect("figures:federal_overview")
    return _network_home(request)


@network_view()
def _network_home(request):
    core_panels = []
    if permissions.can(request.user, "member.view", request.network):
        core_panels.append(home.Panel(
            title=_("Network administration"), order=90,
            items=[{"label": _("Members and roles"), "url": "psynet:member_list"},
                   {"label": _("Zones and municipalities"), "url": "psynet:zone_list"},
                   {"label": _("Psychologists and conventions"), "url": "psynet:psychologist_list"},
                   {"label": _("Audit trail"), "url": "psynet:audit_list"}],
        ))
    notifications = selectors.unread_notifications(request.user)
    return render(request, "psynet/home.html", {
        "panels": home.panels_for(request) + core_panels,
        "notifications": notifications,
        "role": request.membership.role,
        "Role": Role,
    })


@login_required
def network_choose(request):
    memberships = sorted(permissions.memberships_of(request.user).values(), key=lambda m: m.network.code)
    if request.method == "POST":
        try:
            network_id = int(request.POST.get("network", ""))
        except ValueError:
            network_id = None
        if network_id not in permissions.memberships_of(request.user):
            raise Http404
        request.session[SESSION_KEY] = network_id
        return redirect("home")
    if not memberships:
        return render(request, "psynet/no_network.html", status=403)
    return render(request, "psynet/network_choose.html", {"memberships": memberships})


@require_POST
def language_switch(request):
    """Django's set_language (cookie), and the user's own language for e-mails when logged in."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in Language.values and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


@login_required
def notification_list(request):
    qs = request.user.notifications.order_by("-created_at")
    page = _page(request, qs)
    request.user.notifications.filter(read_at__isnull=True, pk__in=[n.pk for n in page]).update(
        read_at=timezone.now())
    return render(request, "psynet/notification_list.html", {"page": page})


# ---- zones -----------------------------------------------------------------------------------


@network_view("zone.view")
def zone_list(request):
    return render(request, "psynet/zone_list.html", {
        "zones": selectors.zones_in(request.network),
        **permissions.flags(request.user, request.network, "zone.manage"),
    })


@network_view("zone.manage")
def zone_create(request):
    form = ZoneForm(request.POST or None, network=request.network,
                    municipalities=selectors.municipalities_for(request.network))
    if request.method == "POST" and form.is_valid():
        services.zone_create(network=request.network, name=form.cleaned_data["name"],
                             municipalities=form.cleaned_data["municipalities"], by=request.user)
        messages.success(request, _("The zone was created."))
        return redirect("psynet:zone_list")
    return render(request, "psynet/form_page.html", {"form": form, "title": _("New zone"),
                                                     "back": "psynet:zone_list"})


@network_view("zone.manage")
def zone_update(request, pk):
    zone = get_object_or_404(selectors.zones_in(request.network), pk=pk)
    form = ZoneForm(request.POST or None, instance=zone, network=request.network,
                    municipalities=selectors.municipalities_for(request.network))
    if request.method == "POST" and form.is_valid():
        services.zone_update(zone=zone, name=form.cleaned_data["name"],
                             municipalities=form.cleaned_data["municipalities"], by=request.user)
        messages.success(request, _("The zone was saved."))
        return redirect("psynet:zone_list")
    return render(request, "psynet/form_page.html", {"form": form, "title": zone.name,
                                                     "back": "psynet:zone_list"})


# ---- members ---------------------------------------------------------------------------------


@network_view("member.view")
def member_list(request):
    filterset = MemberFilter(request.GET or None, queryset=selectors.memberships_in(request.network))
    return render(request, "psynet/member_list.html", {
        "filter": filterset, "page": _page(request, filterset.qs),
        **permissions.flags(request.user, request.network, "member.manage"),
    })


@network_view("member.manage")
def member_invite(request):
    form = MemberInviteForm(request.POST or None, network=request.network,
                            initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        services.member_invite(network=request.network, by=request.user, **form.cleaned_data)
        messages.success(request, _("The invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("psynet:member_list")
    return render(request, "psynet/form_page.html", {"form": form, "title": _("Invite a member"),
                                                     "back": "psynet:member_list"})


@network_view("member.manage")
def member_update(request, pk):
    membership = get_object_or_404(selectors.memberships_in(request.network), pk=pk)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        if membership.user_id == request.user.id and (
            form.cleaned_data["role"] != Role.NETWORK_COORDINATOR or not form.cleaned_data["is_active"]
        ):
            form.add_error(None, _("You cannot remove your own coordinator role."))
        else:
            services.membership_update(membership=membership, by=request.user, role=form.cleaned_data["role"],
                                       zones=form.cleaned_data["zones"], is_active=form.cleaned_data["is_active"])
            messages.success(request, _("The membership was saved."))
            return redirect("psynet:member_list")
    return render(request, "psynet/member_form.html", {
        "form": form, "membership": membership, "title": str(membership.user),
        "history": selectors.audit_for(membership)[:20],
    })


# ---- psychologists ---------------------------------------------------------------------------


@network_view("psychologist.view")
def psychologist_list(request):
    filterset = PsychologistFilter(request.GET or None, queryset=selectors.psychologists_in(request.network),
                                   network=request.network)
    return render(request, "psynet/psychologist_list.html", {
        "filter": filterset, "page": _page(request, filterset.qs),
        **permissions.flags(request.user, request.network, "psychologist.manage"),
    })


@network_view("psychologist.manage")
def psychologist_create(request):
    form = PsychologistForm(request.POST or None, network=request.network)
    convention_form = ConventionForm(request.POST or None, network=request.network, prefix="convention")
    if request.method == "POST" and form.is_valid() and convention_form.is_valid():
        from django.db import transaction

        with transaction.atomic():
            psychologist = services.psychologist_create(network=request.network, by=request.user,
                                                        **form.cleaned_data)
            data = dict(convention_form.cleaned_data)
            zones = data.pop("zones")
            services.convention_save(network=request.network, psychologist=psychologist, by=request.user,
                                     zones=zones, **data)
        messages.success(request, _("The psychologist was added."))
        return redirect("psynet:psychologist_detail", pk=psychologist.pk)
    return render(request, "psynet/psychologist_form.html", {
        "form": form, "convention_form": convention_form, "title": _("New psychologist"),
    })


@network_view("psychologist.view")
def psychologist_detail(request, pk):
    psychologist = get_object_or_404(selectors.psychologists_in(request.network), pk=pk)
    return render(request, "psynet/psychologist_detail.html", {
        "psychologist": psychologist,
        "history": selectors.audit_for(psychologist)[:20],
        **permissions.flags(request.user, request.network, "psychologist.manage"),
    })


@network_view("psychologist.manage")
def psychologist_update(request, pk):
    psychologist = get_object_or_404(selectors.psychologists_in(request.network), pk=pk)
    form = PsychologistForm(request.POST or None, instance=psychologist, network=request.network)
    if request.method == "POST" and form.is_valid():
        services.psychologist_update(psychologist=psychologist, network=request.network, by=request.user,
                                     **form.cleaned_data)
        messages.success(request, _("The psychologist was saved."))
        return redirect("psynet:psychologist_detail", pk=psychologist.pk)
    return render(request, "psynet/form_page.html", {"form": form, "title": str(psychologist),
                                                     "back": "psynet:psychologist_list"})


@network_view("psychologist.manage")
def convention_update(request, pk):
    convention = get_object_or_404(
        selectors.conventions_in(request.network), pk=pk)
    form = ConventionForm(request.POST or None, instance=convention, network=request.network)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        zones = data.pop("zones")
        services.convention_save(network=request.network, psychologist=convention.psychologist,
                                 convention=convention, by=request.user, zones=zones, **data)
        messages.success(request, _("The convention was saved."))
        return redirect("psynet:psychologist_detail", pk=convention.psychologist_id)
    return render(request, "psynet/form_page.html", {"form": form, "title": str(convention),
                                                     "back": "psynet:psychologist_list"})


# ---- organisations ---------------------------------------------------------------------------


@network_view("psychologist.view")
def organisation_list(request):
    return render(request, "psynet/organisation_list.html", {
        "page": _page(request, selectors.organisations_in(request.network)),
        **permissions.flags(request.user, request.network, "psychologist.manage"),
    })


@network_view("psychologist.manage")
def organisation_create(request):
    form = OrganisationForm(request.POST or None, municipalities=selectors.municipalities_for(request.network))
    if request.method == "POST" and form.is_valid():
        services.organisation_save(network=request.network, by=request.user, **form.cleaned_data)
        messages.success(request, _("The organisation was saved."))
        return redirect("psynet:organisation_list")
    return render(request, "psynet/form_page.html", {"form": form, "title": _("New organisation"),
                                                     "back": "psynet:organisation_list"})


@network_view("psychologist.manage")
def organisation_update(request, pk):
    organisation = get_object_or_404(selectors.organisations_in(request.network), pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation,
                            municipalities=selectors.municipalities_for(request.network))
    if request.method == "POST" and form.is_valid():
        services.organisation_save(network=request.network, organisation=organisation, by=request.user,
                                   **form.cleaned_data)
        messages.success(request, _("The organisation was saved."))
        return redirect("psynet:organisation_list")
    return render(request, "psynet/form_page.html", {"form": form, "title": str(organisation),
                                                     "back": "psynet:organisation_list"})


# ---- audit -----------------------------------------------------------------------------------


@network_view("audit.view")
def audit_list(request):
    return render(request, "psynet/audit_list.html", {"page": _page(request, selectors.audit_in(request.network))})
