"""Home-page panel: applications waiting for a step, for the coordinators."""
from django.urls import reverse
from django.utils.translation import gettext as _

from psynet import permissions
from psynet.home import Panel

from . import selectors


def care_offer_panels(request):
    network = getattr(request, "network", None)
    if network is None or not permissions.can(request.user, "care_offer.application.view", network):
        return []
    items = [{"label": str(a), "url": None, "href": reverse("care_offer:application_detail", args=[a.pk]),
              "meta": a.get_status_display()} for a in selectors.applications_recent_open(request.user, network)]
    return [Panel(title=_("Applications for a convention"), items=items,
                  empty_text=_("No application is waiting."), order=60)]
