"""Public pages at /apply/ (no account): the network chooser, the application form, the thank-you page and the
applicant's private follow-up page (by its token only: unknown or expired gives 404).

Spam defences are the partnership form's, imported (not copied): a honeypot field, a signed start time with a
minimum fill time, and a rate limit per client address in the cache with a 429 page."""
import logging

from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from partnerships import ratelimit
from partnerships.public_views import _private, rate_limited
from psynet.downloads import private_file
from psynet.models import Network

from . import selectors, services
from .forms import ApplicantMessageForm, ApplicationForm, SpamSuspected
from .models import ProviderApplication

log = logging.getLogger(__name__)
THANKS_SALT = "care_offer.apply.thanks"
RATE_BUCKET = "care_offer_apply"
RATE_SETTING = "PARTNERSHIP_RATE_LIMIT"  # the public forms share one limit per address: 10 sends / 10 minutes


def _language():
    language = (translation.get_language() or "fr")[:2]
    return language if language in ("fr", "nl") else "fr"


@require_GET
def choose(request):
    networks = Network.objects.order_by("code").select_related("care_offer_settings")[:60]
    return render(request, "care_offer/public/choose.html", {"networks": networks})


@never_cache
def application_form(request, code):
    network = Network.objects.filter(code=code.upper()[:20]).first()
    if network is None:
        raise Http404
    rules = services.settings_for(network)
    if not rules.accepts_applications:
        return render(request, "care_offer/public/closed.html", {"network": network})
    if request.method == "POST":
        wait = ratelimit.hit(request, RATE_BUCKET, RATE_SETTING)
        if wait:
            return rate_limited(request, wait)
        form = ApplicationForm(request.POST, request.FILES, network=network)
        try:
            valid = form.is_valid()
        except SpamSuspected:
            log.info("application form: honeypot filled from %s, nothing stored", ratelimit.client_ip(request))
            return redirect("apply:thanks")
        if valid:
            try:
                application = services.application_submit(
                    network=network, data=form.application_data(), zones=form.cleaned_data["zones"],
                    documents=form.documents(), language=_language())
            except services.CareOfferError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                token = signing.dumps(application.pk, salt=THANKS_SALT)
                return redirect(f"{reverse('apply:thanks')}?s={token}")
        status = 400
    else:
        form = ApplicationForm(network=network)
        status = 200
    return render(request, "care_offer/public/form.html", {"form": form, "network": network, "rules": rules},
                  status=status)


@require_GET
def thanks(request):
    application = None
    try:
        pk = signing.loads(request.GET.get("s", ""), salt=THANKS_SALT, max_age=3600)
    except signing.BadSignature:
        pk = None
    if pk:
        application = ProviderApplication.objects.filter(pk=pk).select_related("network").first()
    return render(request, "care_offer/public/thanks.html", {"application": application})


# ---- the applicant's private follow-up page ----------------------------------------------------------------


def _by_token(token):
    application = services.find_application_by_token(token)
    if application is None:
        raise Http404
    return application


def _follow_page(request, application, token, form=None, status=200):
    return _private(render(request, "care_offer/public/follow.html", {
        "a": application, "token": token, "steps": selectors.applicant_steps(application),
        "applicant_messages": selectors.applicant_messages(application),
        "documents": application.documents.filter(message__isnull=True),
        "form": form or ApplicantMessageForm(), "S": services.S}, status=status))


@require_GET
def follow(request, token):
    return _follow_page(request, _by_token(token), token)


@require_GET
def follow_document(request, token, doc_pk):
    """The applicant's own documents (sent with the form or added later), through their private link only."""
    document = get_object_or_404(_by_token(token).documents.all(), pk=doc_pk)
    return private_file(document.file, filename=document.file_name, content_type=document.file_type)


@require_POST
def follow_message(request, token):
    application = _by_token(token)
    wait = ratelimit.hit(request, "care_offer_follow", "PARTNERSHIP_FOLLOW_RATE_LIMIT")
    if wait:
        return rate_limited(request, wait)
    form = ApplicantMessageForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.applicant_message_add(application=application, body=d["body"], upload=d["file"],
                                           kind=d["kind"])
        except services.CareOfferError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Your message was sent to the network."))
            return redirect("apply:follow", token=token)
    return _follow_page(request, application, token, form=form, status=400)
