"""Every write of the article 8 app: one transaction, one audit entry, notifications exactly once.

Hour accounting (convention art. 8; circular Psy-Ort/2025/001: "hours for article 8 missions fixed in the
psychologists' contracts"): a mission approved for a psychologist reserves its hours against the article 8
hours of that psychologist's convention with the network for the mission's calendar year; delivered
activities consume them (a running mission counts max(approved, delivered); a closed one only what was
delivered). Nobody is planned beyond their hours unless a network coordinator records an override with a
reason. The psychologist row is locked while hours are checked and written, so two approvals cannot both
take the last hours.
"""
import datetime as dt
import time
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from psynet import permissions
from psynet.audit import log_action
from psynet.models import Convention, Membership, OrganisationKind, Psychologist, Role, Zone
from psynet.services import notify

from .models import (
    AccreditationStatus, Activity, AllocationStatus, Article8Settings, Budget, ContactHour, Mission, MissionSource,
    MissionStatus, MissionType, Offer, PaymentStatus, PlanAction, PlanObjective, PlacePlan, RESERVING_STATUSES,
    StartupAllocation,
)

ZERO = Decimal("0")
MAX_MISSION_HOURS = Decimal("500")
MAX_ACTIVITY_HOURS = Decimal("12")
MIN_ACTIVITY_HOURS = Decimal("0.25")
ALERT_THRESHOLDS = (80, 100)
LANGUAGES = ("fr", "nl")


class Article8Error(Exception):
    """A refusal with a translated message, and the form field it belongs to (None: the whole form)."""

    field = None

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class InvalidTransition(Article8Error):
    pass


class HoursExceeded(Article8Error):
    field = "hours"

    def __init__(self, message, *, capacity, reserved, requested):
        super().__init__(message)
        self.capacity, self.reserved, self.requested = capacity, reserved, requested


class EditConflict(Article8Error):
    pass


# ---- transitions -------------------------------------------------------------------------------

S = MissionStatus
MISSION_TRANSITIONS = {
    (S.RECEIVED, S.UNDER_REVIEW): "article8.mission.review",
    (S.UNDER_REVIEW, S.APPROVED): "article8.mission.decide",
    (S.UNDER_REVIEW, S.REFUSED): "article8.mission.decide",
    (S.APPROVED, S.PLANNED): "article8.mission.plan",
    (S.PLANNED, S.DELIVERED): "article8.mission.deliver",
    (S.DELIVERED, S.CLOSED): "article8.mission.close",
}


def settings_for(network):
    settings_row, _created = Article8Settings.objects.get_or_create(network=network)
    return settings_row


def can_decide(user, mission_or_network):
    """The role must be allowed by the permission layer and chosen by the network as a decider."""
    network = getattr(mission_or_network, "network", mission_or_network)
    if not permissions.can(user, "article8.mission.decide", mission_or_network):
        return False
    role = permissions.role_in(user, network)
    return role in settings_for(network).effective_decision_roles


def is_own_mission(user, mission):
    return mission.psychologist_id is not None and mission.psychologist.user_id == user.pk


def can_act(user, action, mission):
    """``action`` on this mission: the permission layer, the network's deciders, and a psychologist only on
    their own missions."""
    if action == "article8.mission.decide":
        return can_decide(user, mission)
    if not permissions.can(user, action, mission):
        return False
    if permissions.role_in(user, mission.network_id) == Role.PSYCHOLOGIST:
        return is_own_mission(user, mission)
    return True


def _lock(mission, expected_version=None):
    locked = Mission.objects.select_for_update(of=("self",)).select_related("network", "psychologist").get(pk=mission.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise EditConflict(_("Someone changed this mission while you were editing it. Reload the page: your "
                             "entry is kept below."))
    return locked


def _transition(mission, *, to, by, extra_fields=(), after=None):
    action = MISSION_TRANSITIONS.get((mission.status, to))
    if action is None:
        raise InvalidTransition(_("A mission that is %(current)s cannot become %(target)s.") % {
            "current": mission.get_status_display(), "target": MissionStatus(to).label})
    if not can_act(by, action, mission):
        raise PermissionDenied
    old = mission.status
    mission.status = to
    mission.version = F("version") + 1
    mission.save(update_fields=["status", "version", "updated_at", *extra_fields])
    mission.refresh_from_db(fields=["version"])
    log_action(mission, f"article8.mission.{to}", by=by, before={"status": old},
               after={"status": to, **(after or {})})
    _public_changed(mission.network)
    return mission


# ---- hour accounting ---------------------------------------------------------------------------


def reserved_expression():
    """SQL for the hours a mission counts against the contract (see the module docstring)."""
    dec = DecimalField(max_digits=9, decimal_places=2)
    return Case(
        When(status__in=RESERVING_STATUSES, then=Greatest(F("hours_approved"), F("hours_delivered"))),
        When(status=MissionStatus.CLOSED, then=F("hours_delivered")),
        default=Value(ZERO), output_field=dec,
    )


def convention_for(psychologist, network, year):
    """The psychologist's convention with the network in force during the year (the latest one)."""
    return (Convention.objects.filter(psychologist=psychologist, network=network, start_on__lte=dt.date(year, 12, 31))
            .filter(Q(end_on__isnull=True) | Q(end_on__gte=dt.date(year, 1, 1))).order_by("-start_on").first())


def contract_hours(psychologist, network, year):
    convention = convention_for(psychologist, network, year)
    return convention.article8_hours_per_year if convention else ZERO


def hours_reserved(psychologist, network, year):
    return Mission.objects.filter(psychologist=psychologist, network=network, year=year).aggregate(
        total=Coalesce(Sum(reserved_expression()), Value(ZERO), output_field=DecimalField()))["total"] or ZERO


def _check_capacity(*, psychologist, network, year, extra, by, mission, override_reason):
    """Refuse ``extra`` hours beyond the contract unless a network coordinator records a reason."""
    capacity = contract_hours(psychologist, network, year)
    reserved = hours_reserved(psychologist, network, year)
    if reserved + extra <= capacity:
        return False
    context = {"name": str(psychologist), "year": year, "capacity": _fmt(capacity), "reserved": _fmt(reserved),
               "requested": _fmt(extra), "left": _fmt(max(ZERO, capacity - reserved))}
    if not override_reason.strip():
        raise HoursExceeded(
            _("%(name)s has %(capacity)s article 8 hours in %(year)s, %(reserved)s are already reserved: only "
              "%(left)s are left, %(requested)s asked. Reduce the hours, choose someone else, or (network "
              "coordinator) record the reason for exceeding the contract.") % context,
            capacity=capacity, reserved=reserved, requested=extra)
    if not permissions.can(by, "article8.hours.override", network):
        raise HoursExceeded(
            _("Only the network coordinator may plan %(name)s beyond the %(capacity)s contract hours.") % context,
            capacity=capacity, reserved=reserved, requested=extra)
    log_action(mission, "article8.mission.hours_override", by=by, network=network,
               after={"psychologist": psychologist.pk, "year": year, "capacity": str(capacity),
                      "reserved_before": str(reserved), "extra": str(extra), "reason": override_reason.strip()})
    return True


def _fmt(value):
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def _decimal(value, field, message):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise Article8Error(message, field) from None
    if not number.is_finite():
        raise Article8Error(message, field)
    return number


# ---- requests ----------------------------------------------------------------------------------


def zone_for_organisation(network, organisation):
    if organisation is None or organisation.municipality_id is None:
        return None
    return Zone.objects.filter(network=network, municipalities=organisation.municipality_id).order_by("name").first()


@transaction.atomic
def mission_request_create(*, network, mission_type, description, by, organisation=None, place_name="",
                           place_kind="", zone=None, contact_name="", contact_email="", year=None,
                           source=MissionSource.PLACE, psychologist=None, source_reference="", priorities=()):
    """A request recorded by a coordinator for a place, or proposed by a psychologist: status received. It may
    carry network priorities (care_offer tags, issue 10)."""
    if mission_type not in MissionType.values:
        raise Article8Error(_("Choose a mission type."), "mission_type")
    if organisation is not None:
        if organisation.network_id != network.pk:
            raise Article8Error(_("Choose a place of your network."), "organisation")
        place_name = place_name or organisation.name
        place_kind = place_kind or organisation.kind
        zone = zone or zone_for_organisation(network, organisation)
    if not place_name.strip():
        raise Article8Error(_("Name the place."), "place_name")
    if place_kind not in OrganisationKind.values:
        place_kind = OrganisationKind.OTHER
    if zone is not None and zone.network_id != network.pk:
        raise Article8Error(_("Choose a zone of your network."), "zone")
    mission = Mission.objects.create(
        network=network, organisation=organisation, place_name=place_name.strip()[:200], place_kind=place_kind,
        zone=zone, mission_type=mission_type, description=description, contact_name=contact_name[:200],
        contact_email=contact_email, source=source, source_reference=source_reference,
        psychologist=psychologist, year=year or timezone.localdate().year,
        created_by=by if getattr(by, "is_authenticated", False) else None)
    log_action(mission, "article8.mission.received", by=by,
               actor_label="" if by else _("collaboration request"),
               after={"status": mission.status, "source": source, "mission_type": mission_type,
                      "place": mission.place_name, "place_kind": place_kind})
    mission_priorities_set(mission=mission, priorities=priorities, by=by)
    _notify_new_request(mission)
    return mission


def mission_priorities_set(*, mission, priorities, by):
    """Tag the mission with exactly ``priorities`` (network priorities kept by care_offer); each tag added or
    removed is audited there. The dashboard's hours per priority change with it."""
    from care_offer.selectors import priorities_of
    from care_offer.services import CareOfferError, priority_tag, priority_untag

    wanted = {p.pk: p for p in priorities}
    if any(p.network_id != mission.network_id for p in wanted.values()):
        raise Article8Error(_("Choose priorities of your network."), "priorities")
    current = {p.pk: p for p in priorities_of(mission)}
    user = by if getattr(by, "is_authenticated", False) else None
    try:
        for pk in wanted.keys() - current.keys():
            priority_tag(priority=wanted[pk], target=mission, by=user)
    except CareOfferError as error:
        raise Article8Error(error.message, "priorities") from None
    for pk in current.keys() - wanted.keys():
        priority_untag(priority=current[pk], target=mission, by=user)
    if wanted.keys() != current.keys():
        figures_changed(mission.network)


@transaction.atomic
def mission_priorities_update(*, mission, priorities, by, expected_version=None):
    """A coordinator changes the network priorities a mission carries after its creation (issue 10). The mission
    row is locked and its version checked, so two coordinators cannot overwrite each other's choice; the change is
    audited on the mission (codes before and after) besides care_offer's entry per tag."""
    from care_offer.selectors import priorities_of

    if not can_act(by, "article8.mission.create", mission):
        raise PermissionDenied
    locked = _lock(mission, expected_version)
    before = sorted(p.code for p in priorities_of(locked))
    mission_priorities_set(mission=locked, priorities=priorities, by=by)
    after = sorted(p.code for p in priorities)
    if before != after:
        Mission.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        log_action(locked, "article8.mission.priorities_changed", by=by, before={"priorities": before},
                   after={"priorities": after})
    return locked


def mission_propose(*, network, psychologist, organisation, mission_type, description, by, year=None,
                    priorities=()):
    """A psychologist proposes a mission with a place (circular: requests also come from psychologists)."""
    return mission_request_create(network=network, organisation=organisation, mission_type=mission_type,
                                  description=description, by=by, year=year, source=MissionSource.PSYCHOLOGIST,
                                  psychologist=psychologist, contact_name=str(psychologist),
                                  contact_email=psychologist.email, priorities=priorities)


def mission_request_create_from_partnership(*, network, organisation=None, organisation_name, place_kind, zone=None,
                                            mission_types, description, contact_name, contact_email,
                                            source_reference, by=None):
    """The article 8 offers chosen in a collaboration request become article 8 requests (status received), one
    per mission type. Idempotent: calling it again with the same ``source_reference`` returns the missions
    already made (each is stored under ``<source_reference>:<mission type>``).

    ``mission_types``: values of ``MissionType`` (an empty list records one "advice" request); an unknown
    value raises ValueError. ``place_kind``: an ``OrganisationKind`` value (unknown: "other")."""
    if not source_reference:
        raise ValueError("source_reference is required")
    types = list(dict.fromkeys(mission_types or [MissionType.ADVICE]))
    unknown = [t for t in types if t not in MissionType.values]
    if unknown:
        raise ValueError(f"unknown article 8 mission types: {unknown}")
    missions = []
    for mission_type in types:
        reference = f"{source_reference}:{mission_type}"[:100]
        existing = Mission.objects.filter(network=network, source_reference=reference).first()
        if existing:
            missions.append(existing)
            continue
        try:
            with transaction.atomic():
                missions.append(mission_request_create(
                    network=network, organisation=organisation, place_name=organisation_name,
                    place_kind=place_kind, zone=zone, mission_type=mission_type, description=description,
                    contact_name=contact_name, contact_email=contact_email, by=by,
                    source=MissionSource.PARTNERSHIP, source_reference=reference))
        except IntegrityError:  # a concurrent call made it first
            missions.append(Mission.objects.get(network=network, source_reference=reference))
    return missions


def _coordinators(network, zone_id=None, zone_ids=()):
    """Local coordinators of the zone(s), else the network coordinators."""
    ids = {z for z in [zone_id, *zone_ids] if z}
    qs = Membership.objects.filter(network=network, is_active=True).select_related("user")
    local = list(qs.filter(role=Role.LOCAL_COORDINATOR, zones__in=ids).distinct()) if ids else []
    return [m.user for m in local] or [m.user for m in qs.filter(role=Role.NETWORK_COORDINATOR)]


def _notify_new_request(mission):
    for user in _coordinators(mission.network, mission.zone_id):
        notify(recipient=user, key=f"article8.mission.{mission.pk}.received", template="article8/email/new_request",
               context={"mission": mission, "network": mission.network}, network=mission.network,
               url=reverse("article8:mission_detail", args=[mission.pk]))


# ---- decisions ---------------------------------------------------------------------------------


@transaction.atomic
def mission_review(*, mission, by, expected_version=None):
    mission = _lock(mission, expected_version)
    return _transition(mission, to=S.UNDER_REVIEW, by=by)


@transaction.atomic
def mission_approve(*, mission, hours, psychologist, start_on, end_on, by, expected_version=None,
                    override_reason=""):
    mission = _lock(mission, expected_version)
    if not can_decide(by, mission):
        raise PermissionDenied
    hours = _decimal(hours, "hours", _("Enter the number of hours as a number, e.g. 6 or 7,5."))
    if hours <= 0:
        raise Article8Error(_("The hours must be more than zero."), "hours")
    if hours > MAX_MISSION_HOURS:
        raise Article8Error(_("%(max)s hours at most per mission.") % {"max": _fmt(MAX_MISSION_HOURS)}, "hours")
    if start_on is None or end_on is None:
        raise Article8Error(_("Give the period of the mission."), "start_on")
    if end_on < start_on:
        raise Article8Error(_("The end date is before the start date."), "end_on")
    if start_on.year != end_on.year:
        raise Article8Error(_("A mission lies within one calendar year (the contract year of its hours)."),
                            "end_on")
    if psychologist is None:
        raise Article8Error(_("Choose the psychologist."), "psychologist")
    year = start_on.year
    if convention_for(psychologist, mission.network, year) is None:
        raise Article8Error(_("%(name)s has no convention with the network in %(year)s.") % {
            "name": str(psychologist), "year": year}, "psychologist")
    Psychologist.objects.select_for_update().filter(pk=psychologist.pk).first()
    mission.year = year  # before counting: the mission itself reserves nothing yet (under review)
    overridden = _check_capacity(psychologist=psychologist, network=mission.network, year=year, extra=hours, by=by,
                                 mission=mission, override_reason=override_reason)
    mission.psychologist = psychologist
    mission.hours_approved = hours
    mission.start_on, mission.end_on = start_on, end_on
    mission.decided_by, mission.decided_at = by, timezone.now()
    fields = ["psychologist", "hours_approved", "start_on", "end_on", "year", "decided_by", "decided_at"]
    if overridden:
        mission.hours_override_reason, mission.hours_override_by = override_reason.strip(), by
        fields += ["hours_override_reason", "hours_override_by"]
    _transition(mission, to=S.APPROVED, by=by, extra_fields=fields,
                after={"hours": str(hours), "psychologist": psychologist.pk, "start_on": str(start_on),
                       "end_on": str(end_on), "override": overridden})
    check_hour_alerts(psychologist=psychologist, network=mission.network, year=year, zone_id=mission.zone_id)
    if psychologist.user_id:
        notify(recipient=psychologist.user, key=f"article8.mission.{mission.pk}.approved",
               template="article8/email/mission_approved", context={"mission": mission, "network": mission.network},
               network=mission.network, url=reverse("article8:mission_detail", args=[mission.pk]))
    return mission


@transaction.atomic
def mission_refuse(*, mission, reason, by, expected_version=None):
    mission = _lock(mission, expected_version)
    if not reason.strip():
        raise Article8Error(_("Give the reason for the refusal: the place will read it."), "reason")
    mission.refusal_reason = reason.strip()
    mission.decided_by, mission.decided_at = by, timezone.now()
    return _transition(mission, to=S.REFUSED, by=by, extra_fields=["refusal_reason", "decided_by", "decided_at"],
                       after={"reason": mission.refusal_reason})


@transaction.atomic
def mission_plan(*, mission, planning_note, by, expected_version=None):
    mission = _lock(mission, expected_version)
    if not planning_note.strip():
        raise Article8Error(_("Say what is planned (dates, place, who takes part)."), "planning_note")
    mission.planning_note = planning_note.strip()
    return _transition(mission, to=S.PLANNED, by=by, extra_fields=["planning_note"],
                       after={"planning_note": mission.planning_note})


@transaction.atomic
def mission_deliver(*, mission, by, expected_version=None):
    mission = _lock(mission, expected_version)
    if not mission.activities.exists():
        raise Article8Error(_("Log at least one activity before marking the mission delivered."))
    return _transition(mission, to=S.DELIVERED, by=by)


@transaction.atomic
def mission_close(*, mission, by, expected_version=None):
    """Closing releases the hours approved but not delivered."""
    mission = _lock(mission, expected_version)
    return _transition(mission, to=S.CLOSED, by=by,
                       after={"hours_released": str(max(ZERO, mission.hours_approved - mission.hours_delivered))})


# ---- activities --------------------------------------------------------------------------------


@transaction.atomic
def activity_log(*, mission, by, date, hours, is_remote, participants, theme, mission_type=None,
                 accreditation_requested=False, accreditation_status=AccreditationStatus.NOT_REQUESTED,
                 expected_version=None, override_reason="", today=None):
    mission = _lock(mission, expected_version)
    if not can_act(by, "article8.activity.log", mission):
        raise PermissionDenied
    if mission.status not in (S.APPROVED, S.PLANNED, S.DELIVERED):
        raise Article8Error(_("Activities are logged on approved or planned missions only."))
    hours = _decimal(hours, "hours", _("Enter the duration in hours, e.g. 1,5."))
    if hours < MIN_ACTIVITY_HOURS:
        raise Article8Error(_("A duration is at least a quarter of an hour (0,25)."), "hours")
    if hours > MAX_ACTIVITY_HOURS:
        raise Article8Error(_("%(max)s hours at most for one activity on one day.") % {
            "max": _fmt(MAX_ACTIVITY_HOURS)}, "hours")
    if date is None:
        raise Article8Error(_("Give the date of the activity."), "date")
    if mission.start_on and mission.end_on and not (mission.start_on <= date <= mission.end_on):
        raise Article8Error(_("The mission runs from %(start)s to %(end)s: the activity must be dated within it.")
                            % {"start": mission.start_on.strftime("%d/%m/%Y"),
                               "end": mission.end_on.strftime("%d/%m/%Y")}, "date")
    if date > (today or timezone.localdate()):
        raise Article8Error(_("An activity is logged once delivered: the date is in the future."), "date")
    if participants is None or participants < 1:
        raise Article8Error(_("At least one participant."), "participants")
    mission_type = mission_type or mission.mission_type
    gp_group = mission_type == MissionType.KNOWLEDGE_SHARING and mission.place_kind == OrganisationKind.GP_PRACTICE
    if (accreditation_requested or accreditation_status != AccreditationStatus.NOT_REQUESTED) and not gp_group:
        raise Article8Error(_("Accreditation applies to knowledge sharing with a group of GPs only."),
                            "accreditation_requested")
    if accreditation_requested and accreditation_status == AccreditationStatus.NOT_REQUESTED:
        accreditation_status = AccreditationStatus.REQUESTED
    psychologist = mission.psychologist
    Psychologist.objects.select_for_update().filter(pk=psychologist.pk).first()
    beyond_mission = max(ZERO, mission.hours_delivered + hours - max(mission.hours_approved, mission.hours_delivered))
    if beyond_mission:
        _check_capacity(psychologist=psychologist, network=mission.network, year=mission.year, extra=beyond_mission,
                        by=by, mission=mission, override_reason=override_reason)
    activity = Activity.objects.create(
        mission=mission, network=mission.network, psychologist=psychologist, date=date, hours=hours,
        mission_type=mission_type, place_name=mission.place_name, place_kind=mission.place_kind,
        is_remote=is_remote, participants=participants, theme=theme.strip()[:200],
        accreditation_requested=accreditation_requested or accreditation_status != AccreditationStatus.NOT_REQUESTED,
        accreditation_status=accreditation_status, logged_by=by)
    Mission.objects.filter(pk=mission.pk).update(hours_delivered=F("hours_delivered") + hours,
                                                 version=F("version") + 1, updated_at=timezone.now())
    log_action(mission, "article8.activity.logged", by=by,
               after={"activity": activity.pk, "date": str(date), "hours": str(hours), "remote": is_remote,
                      "participants": participants})
    if beyond_mission:
        check_hour_alerts(psychologist=psychologist, network=mission.network, year=mission.year,
                          zone_id=mission.zone_id)
    _public_changed(mission.network)
    return activity


# ---- alerts ------------------------------------------------------------------------------------


def check_hour_alerts(*, psychologist, network, year, zone_id=None):
    """Tell the psychologist and their coordinator once when 80 % and 100 % of the contract hours are reserved."""
    capacity = contract_hours(psychologist, network, year)
    if capacity <= 0:
        return []
    reserved = hours_reserved(psychologist, network, year)
    percent = reserved * 100 / capacity
    convention = convention_for(psychologist, network, year)
    zone_ids = list(convention.zones.values_list("pk", flat=True)) if convention else []
    recipients = ([psychologist.user] if psychologist.user_id else []) + _coordinators(network, zone_id, zone_ids)
    sent = []
    for threshold in ALERT_THRESHOLDS:
        if percent < threshold:
            continue
        context = {"psychologist": psychologist, "network": network, "year": year, "threshold": threshold,
                   "capacity": _fmt(capacity), "reserved": _fmt(reserved)}
        for user in dict.fromkeys(recipients):
            notification = notify(recipient=user, key=f"article8.hours.{network.pk}.{psychologist.pk}.{year}.{threshold}",
                                  template="article8/email/hours_threshold", context=context, network=network,
                                  url=reverse("article8:index"))
            if notification:
                sent.append(notification)
    return sent


def behind_pace_check(*, today=None):
    """Monthly: tell each network coordinator when the year's article 8 use trails the share of the year gone
    (the circular's very problem: 8 % used in 2024). Once per network and month."""
    from .selectors import year_use

    today = today or timezone.localdate()
    days = 366 if today.year % 4 == 0 else 365
    elapsed = Decimal((today - dt.date(today.year, 1, 1)).days + 1) * 100 / Decimal(days)
    sent = []
    for network, margin, use in year_use(today.year):
        if use["base"] <= 0 or use["percent"] + margin >= elapsed:
            continue
        context = {"network": network, "year": today.year, "elapsed": round(elapsed), "used": round(use["percent"]),
                   "measure": use["measure"]}
        for membership in Membership.objects.filter(network=network, role=Role.NETWORK_COORDINATOR,
                                                    is_active=True).select_related("user"):
            notification = notify(recipient=membership.user,
                                  key=f"article8.behind_pace.{network.pk}.{today:%Y-%m}",
                                  template="article8/email/behind_pace", context=context, network=network,
                                  url=reverse("article8:dashboard"))
            if notification:
                sent.append(notification)
    return sent


# ---- public page cache -------------------------------------------------------------------------


def public_cache_key(code, language):
    return f"article8:public:{code}:{language}"


def _public_changed(network):
    keys = [public_cache_key(network.code, lang) for lang in LANGUAGES]
    transaction.on_commit(lambda: cache.delete_many(keys))
    figures_changed(network)


def figures_generation_key(network_id):
    return f"article8:figures-gen:{network_id}"


def figures_changed(network):
    """The dashboard's cached figures of the network are stale from now on (a new generation in the key)."""
    key = figures_generation_key(network.pk)
    transaction.on_commit(lambda: cache.set(key, time.time_ns(), None))


# ---- article 8 hours planned by place (issue 10) -------------------------------------------------


@transaction.atomic
def place_plan_save(*, network, psychologist, year, organisation, hours, by):
    """Plan ``hours`` of the psychologist's article 8 contract hours of ``year`` at a place of the network (0
    removes the place from the plan). The plan of all places never exceeds the convention's article 8 hours: the
    psychologist row is locked while the other places are summed, so two coordinators cannot both take the last
    hours."""
    permissions.require(by, "article8.place_plan.manage", network)
    hours = _decimal(hours, "hours", _("Give the hours as a number, e.g. 12,5."))
    if hours < 0 or hours > MAX_MISSION_HOURS:
        raise Article8Error(_("Give between 0 and %(max)s hours.") % {"max": _fmt(MAX_MISSION_HOURS)}, "hours")
    if organisation.network_id != network.pk:
        raise Article8Error(_("Choose a place of your network."), "organisation")
    Psychologist.objects.select_for_update().filter(pk=psychologist.pk).first()
    existing = PlacePlan.objects.filter(network=network, psychologist=psychologist, year=year,
                                        organisation=organisation).first()
    before = {"hours": str(existing.hours)} if existing else {}
    if hours == 0:
        if existing:
            existing.delete()
            log_action(psychologist, "article8.place_plan.removed", by=by, network=network,
                       before={**before, "place": organisation.pk, "year": year})
        return None
    capacity = contract_hours(psychologist, network, year)
    others = PlacePlan.objects.filter(network=network, psychologist=psychologist, year=year).exclude(
        organisation=organisation).aggregate(h=Coalesce(Sum("hours"), Value(ZERO), output_field=DecimalField()))["h"]
    if others + hours > capacity:
        raise Article8Error(_(
            "%(name)s has %(capacity)s article 8 hours in their convention for %(year)s; %(others)s are already "
            "planned at other places, so at most %(left)s can be planned at %(place)s (%(hours)s asked). Lower the "
            "hours here or at another place.") % {
            "name": str(psychologist), "capacity": _fmt(capacity), "year": year, "others": _fmt(others),
            "left": _fmt(max(ZERO, capacity - others)), "place": organisation.name, "hours": _fmt(hours)}, "hours")
    plan, _created = PlacePlan.objects.update_or_create(
        network=network, psychologist=psychologist, year=year, organisation=organisation,
        defaults={"hours": hours, "updated_by": by})
    log_action(plan, "article8.place_plan.saved", by=by, network=network, before=before,
               after={"hours": str(hours), "place": organisation.pk, "psychologist": psychologist.pk, "year": year})
    return plan


# ---- offers and contact hours -------------------------------------------------------------------


def _versioned_update(obj, expected_version, values, *, by, action):
    model = obj.__class__
    before = {k: _jsonable(getattr(obj, k)) for k in values}
    changed = model.objects.filter(pk=obj.pk, version=expected_version).update(version=F("version") + 1, **values)
    if not changed:
        raise EditConflict(_("Someone saved this while you were editing it. Reload the page: your entry is kept "
                             "below."))
    obj.refresh_from_db()
    log_action(obj, action, by=by, network=obj.network, before=before,
               after={k: _jsonable(v) for k, v in values.items()})
    return obj


def _jsonable(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (dt.date, dt.time, Decimal)):
        return str(value)
    return value


@transaction.atomic
def offer_save(*, network, by, offer=None, expected_version=None, **values):
    if offer is None:
        offer = Offer.objects.create(network=network, **values)
        log_action(offer, "article8.offer.created", by=by, after={k: _jsonable(v) for k, v in values.items()})
    else:
        offer = _versioned_update(offer, expected_version, values, by=by, action="article8.offer.updated")
    _public_changed(network)
    return offer


def _check_contact_hour(network, values):
    if values["ends_at"] <= values["starts_at"]:
        raise Article8Error(_("The contact hour ends after it starts."), "ends_at")
    if values["mode"] == "phone" and not values.get("phone"):
        raise Article8Error(_("Give the phone number of the phone line."), "phone")
    if values["mode"] == "open_door" and not values.get("organisation"):
        raise Article8Error(_("Choose the place where the door is open."), "organisation")
    psychologist = values["psychologist"]
    if not Convention.objects.filter(psychologist=psychologist, network=network).exists():
        raise Article8Error(_("Choose a psychologist conventioned with the network."), "psychologist")


@transaction.atomic
def contact_hour_save(*, network, by, contact_hour=None, expected_version=None, **values):
    _check_contact_hour(network, values)
    if values.get("organisation") and not values.get("zone"):
        values["zone"] = zone_for_organisation(network, values["organisation"])
    if contact_hour is None:
        contact_hour = ContactHour.objects.create(network=network, **values)
        log_action(contact_hour, "article8.contact_hour.created", by=by,
                   after={k: _jsonable(v) for k, v in values.items()})
    else:
        contact_hour = _versioned_update(contact_hour, expected_version, values, by=by,
                                         action="article8.contact_hour.updated")
    _public_changed(network)
    return contact_hour


# ---- action plan, allocations, budget, settings --------------------------------------------------


@transaction.atomic
def objective_create(*, network, year, title, description, by):
    objective = PlanObjective.objects.create(network=network, year=year, title=title, description=description,
                                             position=PlanObjective.objects.filter(network=network, year=year).count())
    log_action(objective, "article8.plan.objective_created", by=by, after={"year": year, "title": title})
    return objective


@transaction.atomic
def plan_action_save(*, objective, by, action=None, expected_version=None, **values):
    if action is None:
        action = PlanAction.objects.create(objective=objective, network=objective.network, **values)
        log_action(action, "article8.plan.action_created", by=by, after={k: _jsonable(v) for k, v in values.items()})
        return action
    return _versioned_update(action, expected_version, values, by=by, action="article8.plan.action_updated")


@transaction.atomic
def allocation_request(*, network, organisation, amount_requested, reason, by, requested_on=None):
    if organisation.network_id != network.pk:
        raise Article8Error(_("Choose a place of your network."), "organisation")
    allocation = StartupAllocation.objects.create(
        network=network, organisation=organisation, zone=zone_for_organisation(network, organisation),
        amount_requested=amount_requested, reason=reason, requested_on=requested_on or timezone.localdate())
    log_action(allocation, "article8.allocation.requested", by=by,
               after={"organisation": organisation.pk, "amount": str(amount_requested)})
    return allocation


@transaction.atomic
def allocation_decide(*, allocation, granted, amount_granted, note, by, expected_version):
    if allocation.status != AllocationStatus.REQUESTED:
        raise InvalidTransition(_("This request was already decided."))
    if granted and (amount_granted is None or amount_granted <= 0):
        raise Article8Error(_("Give the amount granted."), "amount_granted")
    if granted and amount_granted > allocation.amount_requested:
        raise Article8Error(_("The amount granted cannot exceed the amount requested."), "amount_granted")
    values = {"status": AllocationStatus.GRANTED if granted else AllocationStatus.REFUSED,
              "amount_granted": amount_granted if granted else None, "decision_note": note,
              "decided_on": timezone.localdate(),
              "payment_status": PaymentStatus.TO_PAY if granted else PaymentStatus.NOT_DUE}
    return _versioned_update(allocation, expected_version, values, by=by, action="article8.allocation.decided")


@transaction.atomic
def allocation_mark_paid(*, allocation, paid_on, by, expected_version):
    if allocation.payment_status != PaymentStatus.TO_PAY:
        raise InvalidTransition(_("Only a granted allocation still to pay can be marked paid."))
    return _versioned_update(allocation, expected_version, {"payment_status": PaymentStatus.PAID, "paid_on": paid_on},
                             by=by, action="article8.allocation.paid")


@transaction.atomic
def budget_create(*, network, year, amount, hourly_amount, effective_from, note, by):
    if effective_from.year != year:
        raise Article8Error(_("The effective date lies in the budget's year."), "effective_from")
    if Budget.objects.filter(network=network, year=year, effective_from=effective_from).exists():
        raise Article8Error(_("A budget already starts on this date; choose another effective date."),
                            "effective_from")
    budget = Budget.objects.create(network=network, year=year, amount=amount, hourly_amount=hourly_amount,
                                   effective_from=effective_from, note=note, created_by=by)
    figures_changed(network)
    log_action(budget, "article8.budget.created", by=by,
               after={"year": year, "amount": str(amount), "hourly_amount": str(hourly_amount),
                      "effective_from": str(effective_from)})
    return budget


@transaction.atomic
def settings_update(*, network, decision_roles, behind_pace_margin, by):
    row = settings_for(network)
    if not decision_roles:
        raise Article8Error(_("Choose at least one role that decides."), "decision_roles")
    before = {"decision_roles": row.decision_roles, "behind_pace_margin": row.behind_pace_margin}
    row.decision_roles, row.behind_pace_margin = list(decision_roles), behind_pace_margin
    row.save()
    log_action(row, "article8.settings.updated", by=by, network=network, before=before,
               after={"decision_roles": row.decision_roles, "behind_pace_margin": behind_pace_margin})
    return row
