"""Home-page panels of the partnerships part, by role (booleans from the permission layer, no role tests)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from psynet import permissions
from psynet.home import Panel

from . import selectors


def partnership_panels(request):
    network, user = request.network, request.user
    if network is None:
        return []
    panels = []
    if permissions.can(user, "partnership.view", network):
        counts = selectors.counts_for_home(user, network)
        index = reverse("partnerships:index")
        items = []
        if permissions.can(user, "partnership.triage", network):
            items.append({"label": _("Requests to triage"), "href": reverse("partnerships:triage"),
                          "meta": str(counts["triage"])})
        items += [
            {"label": _("Requests assigned to me"), "href": f"{index}?assigned=me", "meta": str(counts["mine"])},
            {"label": _("Requests waiting for a first contact"), "href": f"{index}?due=waiting",
             "meta": str(counts["waiting"])},
            {"label": _("Overdue requests (10 working days)"), "href": f"{index}?due=overdue",
             "meta": str(counts["overdue"])},
        ]
        panels.append(Panel(title=_("Collaboration requests"), items=items, order=30))
    if permissions.can(user, "agreement.view", network):
        awaiting = selectors.agreements_awaiting(user, network)
        items = [{"label": f"{a.reference} – {a.partner_name}", "href": a.get_absolute_url(),
                  "meta": _("to sign")} for a in awaiting[:10]]
        panels.append(Panel(title=_("Tripartite agreements to sign"), items=items, order=31,
                            empty_text=_("No agreement waits for your signature.")))
    return panels
