"""Home-page panels of the annual report, by role (booleans from the permission layer, no role tests)."""
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from psynet import permissions
from psynet.home import Panel

from . import selectors
from .models import Status
from .structure import tr


def report_panels(request):
    network, user = request.network, request.user
    if network is None or not permissions.can(user, "report.view", network):
        return []
    panels = []
    year = timezone.localdate().year - 1
    if permissions.can(user, "report.edit", network):
        report = selectors.reports_in(network).filter(year=year).first()
        if report:
            items = [{"label": _("Annual report %(year)s") % {"year": year},
                      "href": report.get_absolute_url(), "meta": report.get_status_display()}]
        else:
            items = [{"label": _("Annual report %(year)s: not started") % {"year": year},
                      "href": reverse("annual_reports:report_list"), "meta": ""}]
        structure_cache = {}
        for a in selectors.assignments_for(user, network):
            structure = structure_cache.setdefault(a.report.template_id, a.report.template.structure)
            chapter = structure.chapter(a.chapter_code)
            if chapter is None:
                continue
            items.append({
                "label": _("Chapter %(number)s – %(title)s (%(year)s)")
                % {"number": chapter.number, "title": tr(chapter.title), "year": a.report.year},
                "href": reverse("annual_reports:chapter", args=[a.report_id, a.chapter_code]),
                "meta": _("due %(date)s") % {"date": date_format(a.due_on, "SHORT_DATE_FORMAT")} if a.due_on else "",
            })
        panels.append(Panel(title=_("Annual report"), items=items, order=20))
    if permissions.can(user, "report.validate", network):
        items = [{"label": _("Annual report %(year)s") % {"year": r.year}, "href": r.get_absolute_url(),
                  "meta": r.get_status_display()}
                 for r in selectors.reports_awaiting(network, [Status.SUBMITTED])]
        panels.append(Panel(title=_("Reports awaiting validation"), items=items, order=20,
                            empty_text=_("No report waits for the committee.")))
    if permissions.can(user, "report.send", network):
        items = [{"label": _("Annual report %(year)s") % {"year": r.year}, "href": r.get_absolute_url(),
                  "meta": r.get_status_display()}
                 for r in selectors.reports_awaiting(network, [Status.VALIDATED])]
        panels.append(Panel(title=_("Validated reports to export and send"), items=items, order=20,
                            empty_text=_("No validated report to send.")))
    return panels
