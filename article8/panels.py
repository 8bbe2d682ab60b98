"""Home-page panel: the article 8 requests waiting for the user (booleans from the permission layer)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from psynet import permissions
from psynet.home import Panel

from . import selectors, services
from .models import MissionStatus

LIMIT = 8


def home_panels(request):
    network, user = request.network, request.user
    if network is None or not permissions.can(user, "article8.view", network):
        return []
    wanted = []
    if permissions.can(user, "article8.mission.review", network):
        wanted.append(MissionStatus.RECEIVED)
    if services.can_decide(user, network):
        wanted.append(MissionStatus.UNDER_REVIEW)
    if permissions.can(user, "article8.activity.log", network):
        wanted += [MissionStatus.APPROVED, MissionStatus.PLANNED]
    if not wanted:
        return []
    missions = list(selectors.missions_for(user, network).filter(status__in=wanted).order_by("created_at")[:LIMIT])
    items = [{"label": str(m), "href": reverse("article8:mission_detail", args=[m.pk]),
              "meta": m.get_status_display()} for m in missions]
    return [Panel(title=_("Article 8 missions"), items=items, order=30,
                  empty_text=_("No article 8 mission waits for you."))]
