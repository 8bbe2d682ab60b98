"""Every write of the figures app: information moments, operating cost claims, the snapshot frozen at validation
and the insertion of the year's figures into a report answer. One transaction and one audit entry each."""
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from psynet import permissions
from psynet.audit import log_action

from . import selectors, tables
from .models import FiguresSnapshot, InformationMoment, OperatingCost


class FiguresError(Exception):
    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


class NoFigures(FiguresError):
    def __init__(self, year):
        super().__init__(_("The portal holds no figures for %(year)s yet: no request, agreement, article 8 mission, "
                           "session, information moment or operating cost of that year. Nothing was frozen.")
                         % {"year": year})


class StaleVersion(FiguresError):
    def __init__(self):
        super().__init__(_("Someone else changed this record meanwhile. Reload the page to see their changes."))


def _fields(obj, names):
    return {n: str(getattr(obj, n)) for n in names}


MOMENT_FIELDS = ["date", "place", "audience_type", "participants", "topic", "cost", "zone_id", "other_speakers"]
COST_FIELDS = ["year", "date", "amount", "purpose"]


# ---- information moments ---------------------------------------------------------------------------------


@transaction.atomic
def moment_save(*, network, data, by, moment=None, expected_version=None):
    """Create or update an information moment. ``data`` are the form's cleaned data."""
    target = moment or InformationMoment(network=network)
    permissions.require(by, "figures.moment.manage", target if target.zone_id else network)
    before = {}
    if moment is not None:
        moment = InformationMoment.objects.select_for_update().get(pk=moment.pk, network=network)
        if expected_version is not None and moment.version != int(expected_version):
            raise StaleVersion()
        before = _fields(moment, MOMENT_FIELDS)
        target = moment
    for name in ["zone", "date", "place", "organisation", "audience_type", "participants", "other_speakers",
                 "topic", "cost"]:
        if name in data:
            setattr(target, name, data[name])
    if target.zone_id:
        permissions.require(by, "figures.moment.manage", target)
    if moment is None:
        target.created_by = by
        target.save()
        action = "figures.moment.created"
    else:
        target.version = F("version") + 1
        target.save()
        target.refresh_from_db(fields=["version"])
        action = "figures.moment.updated"
    if "coordinators" in data:
        target.coordinators.set(data["coordinators"])
    if "psychologists" in data:
        target.psychologists.set(data["psychologists"])
    log_action(target, action, by=by, network=network, before=before, after=_fields(target, MOMENT_FIELDS))
    return target


@transaction.atomic
def moment_delete(*, moment, by):
    permissions.require(by, "figures.moment.manage", moment)
    if moment.operating_costs.exists():
        raise FiguresError(_("This information moment is linked to an operating cost claim: unlink it first."))
    log_action(moment, "figures.moment.deleted", by=by, network=moment.network,
               before=_fields(moment, MOMENT_FIELDS))
    moment.delete()


# ---- operating costs ----------------------------------------------------------------------------------------


@transaction.atomic
def cost_save(*, network, data, by, cost=None, expected_version=None):
    permissions.require(by, "figures.cost.manage", network)
    before = {}
    if cost is not None:
        cost = OperatingCost.objects.select_for_update().get(pk=cost.pk, network=network)
        if expected_version is not None and cost.version != int(expected_version):
            raise StaleVersion()
        before = _fields(cost, COST_FIELDS)
        target = cost
    else:
        target = OperatingCost(network=network, created_by=by)
    for name in ["year", "date", "amount", "purpose"]:
        if name in data:
            setattr(target, name, data[name])
    moments = list(data.get("information_moments") or [])
    if any(m.network_id != network.pk for m in moments):
        raise FiguresError(_("Choose information moments of your network."))
    if cost is not None:
        target.version = F("version") + 1
    target.save()
    target.refresh_from_db(fields=["version"])
    target.information_moments.set(moments)
    log_action(target, "figures.cost.created" if cost is None else "figures.cost.updated", by=by, network=network,
               before=before, after={**_fields(target, COST_FIELDS), "information_moments": [m.pk for m in moments]})
    return target


@transaction.atomic
def cost_delete(*, cost, by):
    permissions.require(by, "figures.cost.manage", cost)
    log_action(cost, "figures.cost.deleted", by=by, network=cost.network, before=_fields(cost, COST_FIELDS))
    cost.delete()


# ---- the snapshot frozen with a validated report --------------------------------------------------------


@transaction.atomic
def snapshot_take(*, report, by):
    """Freeze the report's year in figures. Refused (NoFigures, nothing written) for a year without any data.

    A report validated once, reopened and validated again gets the figures of its second validation; the
    replaced snapshot's key totals stay in the audit trail."""
    figures = selectors.network_year_figures(report.network, report.year)
    if not figures["has_data"]:
        raise NoFigures(report.year)
    previous = FiguresSnapshot.objects.select_for_update().filter(report=report).first()
    if previous is not None:
        log_action(report, "figures.snapshot.replaced", by=by, network=report.network,
                   before={"taken_at": previous.taken_at.isoformat(), **selectors.key_totals(previous.figures)})
        previous.delete()
    snapshot = FiguresSnapshot.objects.create(report=report, network=report.network, year=report.year,
                                              figures=figures, totals=selectors.key_totals(figures), taken_by=by if by and by.is_authenticated else None)
    log_action(report, "figures.snapshot.taken", by=by, network=report.network,
               after={"year": report.year, **selectors.key_totals(figures)})
    return snapshot


def snapshot_for_validation(*, report, by):
    """Called by annual_reports.services.report_validate inside its transaction. A year without any data in the
    portal does not stop the committee: the report is validated without figures (the annex says so)."""
    try:
        with transaction.atomic():
            return snapshot_take(report=report, by=by)
    except NoFigures:
        log_action(report, "figures.snapshot.skipped", by=by, network=report.network, after={"year": report.year})
        return None


# ---- "insert the year's figures" into an answer ----------------------------------------------------------


def figures_insert(*, report, question_code, expected_version, by):
    """Put the question's figure tables into its answer (added at the end, or updated where an earlier insertion
    left them), through annual_reports' answer_save (same version check, same history and audit). Refused on a
    frozen report or a question that does not ask for figures."""
    from annual_reports import services as report_services

    permissions.require(by, "report.edit", report)
    if report.is_frozen:
        raise FiguresError(_("This report is validated: its answers are frozen and no figures can be inserted."))
    question = report.template.structure.questions.get(question_code)
    if question is None or not getattr(question, "asks_figures", False):
        raise FiguresError(_("This question does not ask for figures."))
    if question.kind not in ("long_text", "number"):
        raise FiguresError(_("Figures can be inserted into text and number answers only."))
    figures = selectors.network_year_figures(report.network, report.year)
    if not figures["has_data"]:
        raise NoFigures(report.year)
    from annual_reports.selectors import answers_of

    if question.kind == "number":
        number = tables.number_for_question(question, figures)
        if number is None:
            raise FiguresError(_("The portal holds no figures for this question."))
        value = str(number)
    else:
        question_tables = tables.tables_for_question(question, figures)
        if not question_tables:
            raise FiguresError(_("The portal holds no figures for this question."))
        current = answers_of(report, [question_code]).get(question_code)
        value = tables.merge_into(current.value if current else "", question_tables)
    with transaction.atomic():
        answer = report_services.answer_save(report=report, question_code=question_code, value=value,
                                             expected_version=expected_version, by=by)
        log_action(report, "figures.inserted", by=by, network=report.network,
                   after={"question": question_code, "version": answer.version,
                          "computed_on": timezone.localdate().isoformat()})
    return answer
