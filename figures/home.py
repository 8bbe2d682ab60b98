from django.utils.translation import gettext as _

from psynet import permissions
from psynet.home import Panel


def figures_panels(request):
    network, user = request.network, request.user
    items = []
    if permissions.can(user, "figures.view", network):
        items.append({"label": _("The year in figures"), "url": "figures:network_figures"})
    if permissions.can(user, "figures.moment.view", network):
        items.append({"label": _("Information moments"), "url": "figures:moment_list"})
    if permissions.can(user, "figures.cost.view", network):
        items.append({"label": _("Operating costs"), "url": "figures:cost_list"})
    if not items:
        return []
    return [Panel(title=_("Figures"), items=items, order=70)]
