from django.utils.translation import gettext as _

from psynet import home, permissions


def billing_panels(request):
    network = getattr(request, "network", None)
    if network is None or not permissions.can(request.user, "billing.view", network):
        return []
    items = []
    if permissions.can(request.user, "billing.session.register", network):
        items.append({"label": _("Register a session"), "url": "billing:session_create"})
    items.append({"label": _("Monthly statements"), "url": "billing:statement_list"})
    if permissions.can(request.user, "billing.import", network):
        items.append({"label": _("Import sessions (CSV)"), "url": "billing:import_create"})
    return [home.Panel(title=_("Billing"), items=items, order=60)]
