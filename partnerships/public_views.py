"""Public pages at /collaboration/ (no account): the request form, the privacy notice, the municipality
suggestions, and the private pages reached through an unguessable link (the request's follow-up, the agreement
to sign). A forged, expired or anonymised link answers 404, like a page that does not exist."""
import hashlib
import logging

from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from psynet.models import Network

from . import agreements, municipalities, ratelimit, selectors, services
from .choices import AgreementStatus, Party
from .forms import (
    AgreementDeclineForm,
    PartnerMessageForm,
    PartnerSignForm,
    PublicRequestForm,
    SpamSuspected,
    WithdrawForm,
    sign_started,
)
from .views import file_response, pdf_response

log = logging.getLogger(__name__)
THANKS_SALT = "partnerships.thanks"
PARTNER_VISIBLE = [AgreementStatus.SENT, AgreementStatus.DECLINED, AgreementStatus.SIGNED, AgreementStatus.ACTIVE,
                   AgreementStatus.ENDED, AgreementStatus.TERMINATED]


def _private(response):
    """Private pages: never cached, never indexed, never leaking their address to another site (the project's
    "same-origin" referrer policy: "no-referrer" would make browsers send "Origin: null" with the page's own
    forms, which the CSRF check refuses)."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def rate_limited(request, wait):
    response = render(request, "partnerships/public/rate_limited.html", {"minutes": max(1, round(wait / 60))},
                      status=429)
    response["Retry-After"] = str(wait)
    return response


def _preselected(request):
    code = (request.GET.get("network") or "").strip().upper()[:20]
    return Network.objects.filter(code=code).first() if code else None


def _language():
    language = (translation.get_language() or "fr")[:2]
    return language if language in ("fr", "nl") else "fr"


@never_cache
def collaboration_form(request):
    preselected = _preselected(request)
    if request.method == "POST":
        wait = ratelimit.hit(request, "form", "PARTNERSHIP_RATE_LIMIT")
        if wait:
            return rate_limited(request, wait)
        form = PublicRequestForm(request.POST, preselected=preselected)
        try:
            valid = form.is_valid()
        except SpamSuspected:
            log.info("collaboration form: honeypot filled from %s, nothing stored", ratelimit.client_ip(request))
            return redirect("collaboration:thanks")
        if valid:
            submission = services.partnership_request_submit(
                data=form.request_data(), language=_language(),
                preferred_network=form.cleaned_data.get("network") or preselected)
            token = signing.dumps([r.pk for r in submission.requests], salt=THANKS_SALT)
            return redirect(f"{reverse('collaboration:thanks')}?s={token}")
    else:
        offer = _offer(request)
        form = PublicRequestForm(preselected=preselected, offer=offer)
        return render(request, "partnerships/public/form.html", {
            "form_html": _blank_form_html(request, form, preselected, offer), "preselected": preselected})
    return render(request, "partnerships/public/form.html", {
        "form_html": render_to_string("partnerships/public/_form_fields.html",
                                      {"form": form, "preselected": preselected}, request=request),
        "preselected": preselected})


STARTED_PLACEHOLDER = "__PARTNERSHIP_FORM_STARTED__"


def _offer(request):
    """``?offer=article8`` (the article 8 public page's link) preselects the article 8 offers."""
    return "article8" if request.GET.get("offer") == "article8" else ""


def _blank_form_html(request, form, preselected, offer=""):
    """The empty form's fields, rendered once per language, link and list of networks and kept in the cache (they
    are most of the page's cost); only the signed start time differs from one visitor to the next."""
    networks = list(Network.objects.order_by("code").values_list("pk", "code", "name", "generic_email"))
    key = "partnerships:blank-form:" + hashlib.sha256(repr(
        (_language(), preselected.code if preselected else "", offer, networks)).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        form.initial["started"] = STARTED_PLACEHOLDER
        html = render_to_string("partnerships/public/_form_fields.html", {"form": form, "preselected": preselected},
                                request=request)
        cache.set(key, html, 3600)
    return mark_safe(html.replace(STARTED_PLACEHOLDER, sign_started()))  # our own rendering, values escaped


def _mask(email):
    local, _sep, domain = (email or "").partition("@")
    return f"{local[:1]}…@{domain}" if domain else ""


@require_GET
def thanks(request):
    requests = []
    try:
        ids = signing.loads(request.GET.get("s", ""), salt=THANKS_SALT, max_age=3600)
    except signing.BadSignature:
        ids = []
    if ids:
        from .models import CollaborationRequest

        requests = list(CollaborationRequest.objects.filter(pk__in=ids[:4]).select_related("network"))
    return render(request, "partnerships/public/thanks.html", {
        "requests": requests, "email": _mask(requests[0].contact_email) if requests else "",
        "due_on": requests[0].due_on if requests else None})


@require_GET
def privacy(request):
    preselected = _preselected(request)
    networks = [preselected] if preselected else list(Network.objects.order_by("code")[:40])
    return render(request, "partnerships/public/privacy.html", {"networks": networks,
                                                                "preselected": preselected})


@require_GET
def municipality_suggestions(request):
    wait = ratelimit.hit(request, "suggest", "PARTNERSHIP_SUGGEST_RATE_LIMIT")
    if wait:
        return rate_limited(request, wait)
    query = (request.GET.get("municipality_text") or request.GET.get("q") or "")[:60]
    return render(request, "partnerships/public/_municipality_options.html",
                  {"options": municipalities.suggestions(query)})


# ---- the partner's private follow-up page ------------------------------------------------------------


def _by_token(token):
    partnership_request = services.find_by_token(token)
    if partnership_request is None:
        raise Http404
    return partnership_request


def _follow_context(partnership_request, token, **extra):
    return {
        "req": partnership_request, "token": token, "timeline": selectors.partner_timeline(partnership_request),
        "agreements": partnership_request.agreements.filter(Q(status__in=PARTNER_VISIBLE) | Q(sent_at__isnull=False))
        .order_by("-created_at"),
        "siblings": selectors.siblings_of(partnership_request),
        "projection": getattr(partnership_request, "projection", None)
        if hasattr(partnership_request, "projection") else None,
        "message_form": PartnerMessageForm(), "withdraw_form": WithdrawForm(), **extra,
    }


def follow(request, token):
    partnership_request = _by_token(token)
    return _private(render(request, "partnerships/public/follow.html", _follow_context(partnership_request, token)))


@require_POST
def follow_message(request, token):
    partnership_request = _by_token(token)
    wait = ratelimit.hit(request, "follow", "PARTNERSHIP_FOLLOW_RATE_LIMIT")
    if wait:
        return rate_limited(request, wait)
    form = PartnerMessageForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            services.partnership_request_message_from_partner(partnership_request=partnership_request,
                                                              body=form.cleaned_data["body"],
                                                              upload=form.cleaned_data["file"])
        except services.PartnershipError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your message was sent to the coordinators."))
            return redirect("collaboration:follow", token=token)
    context = _follow_context(partnership_request, token, message_form=form, message_error=error)
    return _private(render(request, "partnerships/public/follow.html", context, status=400))


@require_POST
def follow_withdraw(request, token):
    partnership_request = _by_token(token)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        context = _follow_context(partnership_request, token, withdraw_form=form)
        return _private(render(request, "partnerships/public/follow.html", context, status=400))
    try:
        services.partnership_request_withdraw_by_partner(partnership_request=partnership_request,
                                                         reason=form.cleaned_data["reason"])
    except services.PartnershipError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect("collaboration:follow", token=token)


def follow_file(request, token, event_id):
    partnership_request = _by_token(token)
    event = selectors.partner_events(partnership_request).filter(pk=event_id).first()
    if event is None:
        raise Http404
    return _private(file_response(event))


# ---- the agreement, for the partner ---------------------------------------------------------------------


def _partner_agreement(token, pk=None):
    """Through the agreement's own link (pk None) or the request's link and the agreement's number."""
    if pk is None:
        agreement = agreements.find_by_partner_token(token)
    else:
        partnership_request = services.find_by_token(token)
        agreement = partnership_request.agreements.filter(pk=pk).select_related(
            "network", "psychologist").first() if partnership_request else None
    if agreement is None or (agreement.status not in PARTNER_VISIBLE and agreement.sent_at is None):
        raise Http404  # a draft never sent does not exist for the partner; a sent one back in revision does
    return agreement


def _urls(token, pk):
    if pk is None:
        names, args = ["agreement", "agreement_code", "agreement_sign", "agreement_decline", "agreement_pdf"], [token]
    else:
        names = ["follow_agreement", "follow_agreement_code", "follow_agreement_sign", "follow_agreement_decline",
                 "follow_agreement_pdf"]
        args = [token, pk]
    return dict(zip(["page", "code", "sign", "decline", "pdf"], [reverse(f"collaboration:{n}", args=args)
                                                                 for n in names], strict=True))


def _agreement_page(request, agreement, token, pk, *, sign_form=None, error=None, status=200):
    version = agreements.current_version(agreement)
    next_party = agreements.next_party(agreement, version)
    partner_turn = agreement.status == AgreementStatus.SENT and next_party == Party.PARTNER
    partner_signed = any(s.party == Party.PARTNER for s in version.signatures.all())
    context = {
        "a": agreement, "version": version, "signatures": list(version.signatures.all()), "urls": _urls(token, pk),
        "order": [Party(p).label for p in agreement.order], "partner_turn": partner_turn,
        "partner_signed": partner_signed, "next_party_label": Party(next_party).label if next_party else "",
        "sign_form": sign_form or PartnerSignForm(initial={"name": agreement.partner_signatory_name,
                                                           "text_sha256": version.sha256}),
        "decline_form": AgreementDeclineForm(), "error": error,
        "back": reverse("collaboration:follow", args=[token]) if pk is not None else None,
    }
    return _private(render(request, "partnerships/public/agreement.html", context, status=status))


def partner_agreement(request, token, pk=None):
    agreement = _partner_agreement(token, pk)
    return _agreement_page(request, agreement, token, pk)


@require_POST
def partner_agreement_code(request, token, pk=None):
    agreement = _partner_agreement(token, pk)
    wait = ratelimit.hit(request, "follow", "PARTNERSHIP_FOLLOW_RATE_LIMIT")
    if wait:
        return rate_limited(request, wait)
    try:
        agreements.agreement_send_code(agreement=agreement)
    except services.PartnershipError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A code was sent to %(email)s. It is valid %(minutes)s minutes.")
                         % {"email": _mask(agreement.partner_signatory_email), "minutes": agreements.CODE_MINUTES})
    return redirect(_urls(token, pk)["page"])


@require_POST
def partner_agreement_sign(request, token, pk=None):
    agreement = _partner_agreement(token, pk)
    wait = ratelimit.hit(request, "follow", "PARTNERSHIP_FOLLOW_RATE_LIMIT")
    if wait:
        return rate_limited(request, wait)
    form = PartnerSignForm(request.POST)
    if not form.is_valid():
        return _agreement_page(request, agreement, token, pk, sign_form=form, status=400)
    try:
        agreements.agreement_sign(agreement=agreement, party=Party.PARTNER, name=form.cleaned_data["name"],
                                  text_sha256=form.cleaned_data["text_sha256"], code=form.cleaned_data["code"],
                                  ip_address=ratelimit.client_ip(request) if ratelimit.client_ip(request) != "unknown"
                                  else None, user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except services.PartnershipError as exc:
        agreement.refresh_from_db()
        return _agreement_page(request, agreement, token, pk, sign_form=form, error=exc.message, status=409)
    messages.success(request, _("Your signature was recorded. Thank you."))
    return redirect(_urls(token, pk)["page"])


@require_POST
def partner_agreement_decline(request, token, pk=None):
    agreement = _partner_agreement(token, pk)
    form = AgreementDeclineForm(request.POST)
    if not form.is_valid():
        return _agreement_page(request, agreement, token, pk, error=_("Give the reason for declining."), status=400)
    try:
        agreements.agreement_decline(agreement=agreement, party=Party.PARTNER, reason=form.cleaned_data["reason"])
    except services.PartnershipError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You declined the agreement; the coordinators were told."))
    return redirect(_urls(token, pk)["page"])


def partner_agreement_pdf(request, token, pk=None):
    agreement = _partner_agreement(token, pk)
    return _private(pdf_response(agreement))
