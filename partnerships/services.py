"""Every write on collaboration requests: keyword-only, one transaction, an audit entry, e-mails on commit.

Pipeline (DESIGN.md "Partnerships"): received → assigned → contacted → needs analysed → psychologist proposed
→ agreement → active → closed (declined, withdrawn, completed). Allowed moves sit in REQUEST_TRANSITIONS; each
move is dated and attributed in the audit trail. The tripartite agreement's services are in agreements.py."""
import datetime as dt
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from psynet import permissions as core_permissions
from psynet.audit import log_action
from psynet.models import Membership, Role
from psynet.services import notify

from . import routing, workdays
from .choices import AWAITING_CONTACT, OPEN_STATUSES, AgreementStatus, EventKind, Offer, Outcome, Status
from .models import (
    Agreement,
    CollaborationRequest,
    FinancialProjection,
    PartnershipSettings,
    Proposal,
    RequestEvent,
    SentReminder,
)
from .permissions import require_on_request
from .tokens import new_token

PRIVACY_NOTICE_VERSION = "2025-1"
PUBLIC_FORM = "public form"
PARTNER_LINK = "partner (private link)"
ANONYMISED = "—"


class PartnershipError(Exception):
    """A refused action with a translated message for the person who tried it."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


class InvalidTransition(PartnershipError):
    pass


class UploadRefused(PartnershipError):
    pass


REQUEST_TRANSITIONS = {
    (Status.RECEIVED, Status.ASSIGNED): ("partnership.assign", "assigned"),
    (Status.ASSIGNED, Status.CONTACTED): ("partnership.handle", "contacted"),
    (Status.CONTACTED, Status.NEEDS_ANALYSED): ("partnership.handle", "needs_analysed"),
    (Status.NEEDS_ANALYSED, Status.PSYCHOLOGIST_PROPOSED): ("partnership.handle", "psychologist_proposed"),
    (Status.PSYCHOLOGIST_PROPOSED, Status.AGREEMENT): ("agreement.draft", "agreement"),
    # Reached through the agreement: its last signature or its start date (agreements.py).
    (Status.AGREEMENT, Status.ACTIVE): (None, "active"),
    **{(s, Status.CLOSED): ("partnership.handle", "closed") for s in OPEN_STATUSES},
}


def allowed_moves(partnership_request):
    return {to for (frm, to) in REQUEST_TRANSITIONS if frm == partnership_request.status}


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def _locked(partnership_request):
    return (CollaborationRequest.objects.select_for_update(of=("self",)).select_related("network")
            .get(pk=partnership_request.pk))


def acting_network(partnership_request, by):
    """The network in whose name ``by`` acts: the request's, or for an unrouted request the triage network
    where ``by`` is a network coordinator."""
    if partnership_request.network_id:
        return partnership_request.network
    for network in partnership_request.triage_networks.all():
        if core_permissions.role_in(by, network) == Role.NETWORK_COORDINATOR:
            return network
    raise core_permissions.PermissionDenied


def _transition(partnership_request, *, to, by, fields=(), extra=None, before_extra=None):
    """Check the move against the table and ``by``'s rights, save, audit. The request must be locked."""
    key = (partnership_request.status, to)
    if key not in REQUEST_TRANSITIONS:
        raise InvalidTransition(_("This action is not possible while the request is “%(status)s”.")
                                % {"status": partnership_request.get_status_display()})
    action, name = REQUEST_TRANSITIONS[key]
    if action is not None and by is not None:
        require_on_request(by, action, partnership_request, acting_network(partnership_request, by))
    old = partnership_request.status
    partnership_request.status = to
    partnership_request.status_changed_at = timezone.now()
    partnership_request.save(update_fields=["status", "status_changed_at", "updated_at", *fields])
    log_action(partnership_request, f"partnerships.request.{name}", by=by,
               actor_label="" if by else "system", network=partnership_request.network,
               before={"status": old, **(before_extra or {})}, after={"status": to, **(extra or {})})
    return partnership_request


def settings_for(network):
    if network is None:
        return PartnershipSettings(retention_months=24, link_validity_days=365)
    obj, _created = PartnershipSettings.objects.get_or_create(network=network)
    return obj


def _members(networks, roles, zones=None):
    qs = Membership.objects.filter(network__in=networks, role__in=roles, is_active=True, user__is_active=True)
    if zones is not None:
        qs = qs.filter(zones__in=zones)
    seen, users = set(), []
    for m in qs.select_related("user").order_by("user__email"):
        if m.user_id not in seen:
            seen.add(m.user_id)
            users.append(m.user)
    return users


def network_coordinators(partnership_request):
    networks = ([partnership_request.network] if partnership_request.network_id
                else list(partnership_request.triage_networks.all()))
    return _members(networks, [Role.NETWORK_COORDINATOR])


def zone_coordinators(partnership_request):
    """The local coordinators of the request's zones; the network coordinators when there are none."""
    zones = list(partnership_request.zones.all())
    users = _members([partnership_request.network], [Role.LOCAL_COORDINATOR], zones) if zones else []
    return users or network_coordinators(partnership_request)


def _notify(users, *, partnership_request, key, template, extra=None):
    url = reverse("partnerships:request_detail", args=[partnership_request.pk])
    extra = {"zones": ", ".join(z.name for z in partnership_request.zones.all()), **(extra or {})}
    for user in users:
        notify(recipient=user, key=f"partnerships:request:{partnership_request.pk}:{key}", url=url,
               network=partnership_request.network, template=f"partnerships/email/{template}",
               context={"req": partnership_request, "user": user, **extra})


def _send_to_partner(partnership_request, *, template, context):
    """E-mail the partner's contact in the request's language, after the commit."""
    from psynet.tasks import send_email_task

    if partnership_request.is_anonymised or not partnership_request.contact_email:
        return
    with translation.override(partnership_request.language):
        ctx = {"req": partnership_request, **context}
        subject = render_to_string(f"partnerships/email/{template}_subject.txt", ctx).strip()
        body = render_to_string(f"partnerships/email/{template}_body.txt", ctx)
    to = [partnership_request.contact_email]
    transaction.on_commit(lambda: send_email_task.delay(to=to, subject=subject, body=body))


def follow_url(raw_token):
    return _absolute(reverse("collaboration:follow", args=[raw_token]))


def _new_link(partnership_request, now=None):
    raw, digest = new_token()
    days = settings_for(partnership_request.network).link_validity_days
    partnership_request.access_token_hash = digest
    partnership_request.access_token_expires_at = (now or timezone.now()) + dt.timedelta(days=days)
    return raw


# ---- submission ------------------------------------------------------------------------------

REQUEST_DATA_FIELDS = [
    "organisation_name", "place_type", "place_type_other", "enterprise_number", "address", "municipality",
    "municipality_text", "contact_name", "contact_role", "contact_email", "contact_phone", "age_groups",
    "vulnerable_groups", "vulnerable_other", "needs", "offers", "availability", "employ_interest",
    "problems", "problems_other", "has_own_provider", "support_wanted", "support_themes", "co_applicants",
]


@dataclass
class Submission:
    id: uuid.UUID
    requests: list
    links: dict  # request pk → private link (absolute URL), known only now


@transaction.atomic
def partnership_request_submit(*, data, language, preferred_network=None, now=None):
    """Store the public form as one request per network it must reach (routing.py), tell the zones' local
    coordinators (or the triage coordinators), and e-mail the partner one acknowledgement with the links."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):  # triage reasons are read by coordinators, not partners
        routes = routing.plan_routes(age_groups=data["age_groups"], municipality=data.get("municipality"),
                                     preferred_network=preferred_network,
                                     municipality_text=data.get("municipality_text", ""))
    submission = Submission(id=uuid.uuid4(), requests=[], links={})
    due_on = workdays.due_date(timezone.localtime(now).date())
    for route in routes:
        values = {f: data.get(f) for f in REQUEST_DATA_FIELDS if f in data}
        partnership_request = CollaborationRequest(
            **values, network=route.network, submission=submission.id, triage_reason=route.triage_reason[:300],
            language=language, consent_at=now, privacy_notice_version=PRIVACY_NOTICE_VERSION, received_at=now,
            status_changed_at=now, due_on=due_on)
        raw = _new_link(partnership_request, now)
        partnership_request.save()
        if route.zones:
            partnership_request.zones.set(route.zones)
        if route.triage_networks:
            partnership_request.triage_networks.set(route.triage_networks)
        log_action(partnership_request, "partnerships.request.received", actor_label=PUBLIC_FORM,
                   network=route.network,
                   after={"status": Status.RECEIVED, "network": route.network.code if route.network else None,
                          "zones": [z.name for z in route.zones], "triage_reason": route.triage_reason,
                          "triage_networks": [n.code for n in route.triage_networks], "due_on": str(due_on)})
        article8_missions_create(partnership_request)
        submission.requests.append(partnership_request)
        submission.links[partnership_request.pk] = follow_url(raw)
    others = {r.pk: [o.network.code if o.network else "—" for o in submission.requests if o.pk != r.pk]
              for r in submission.requests}
    for partnership_request in submission.requests:
        if partnership_request.in_triage:
            _notify(network_coordinators(partnership_request), partnership_request=partnership_request,
                    key="triage", template="request_triage", extra={"others": others[partnership_request.pk]})
        else:
            _notify(zone_coordinators(partnership_request), partnership_request=partnership_request,
                    key="received", template="request_received", extra={"others": others[partnership_request.pk]})
    _acknowledge(submission, language)
    return submission


# ---- article 8 (issue 7) ---------------------------------------------------------------------------------

# The request's article 8 offers onto article8.models.MissionType.
ARTICLE8_MISSION_TYPES = {
    Offer.ART8_PLACE: "place_work",
    Offer.ART8_ADVICE: "advice",
    Offer.ART8_COCONSULTATION: "co_consultation",
    Offer.ART8_KNOWLEDGE: "knowledge_sharing",
}


def article8_mission_types(partnership_request):
    """The article 8 mission types a request asks for: its article 8 offers, then the support wanted in the
    partner questionnaire (seed 004, every form of it is an article 8 mission), without repeats."""
    from .choices import SUPPORT_MISSION_TYPES

    types = [ARTICLE8_MISSION_TYPES[o] for o in partnership_request.offers if o in ARTICLE8_MISSION_TYPES]
    types += [SUPPORT_MISSION_TYPES[s] for s in (partnership_request.support_wanted or [])
              if s in SUPPORT_MISSION_TYPES]
    return list(dict.fromkeys(types))


def _article8_description(partnership_request):
    with translation.override(partnership_request.language):
        lines = [partnership_request.needs.strip()]
        problems = partnership_request.get_problem_labels()
        if problems:
            lines.append(_("Problems met: %(list)s") % {"list": ", ".join(str(p) for p in problems)})
        support = partnership_request.get_support_labels()
        if support:
            lines.append(_("Support wanted: %(list)s") % {"list": ", ".join(str(s) for s in support)})
        if partnership_request.support_themes.strip():
            lines.append(_("Themes wanted: %(themes)s") % {"themes": partnership_request.support_themes.strip()})
        if partnership_request.co_applicants:
            lines.append(_("Asked together with: %(list)s") % {
                "list": ", ".join(c.get("name", "") for c in partnership_request.co_applicants)})
        lines.append(_("Collaboration request %(reference)s") % {"reference": partnership_request.reference})
    return "\n".join(line for line in lines if line)


def article8_missions_create(partnership_request, *, by=None):
    """The article 8 offers of a request routed to a network become article 8 requests there (status received),
    one per mission type, in the caller's transaction. Idempotent on the request's reference: routing the same
    request again returns the missions already made. A request in triage makes none yet."""
    if partnership_request.network_id is None or partnership_request.in_triage:
        return []
    types = article8_mission_types(partnership_request)
    if not types:
        return []
    from article8.services import mission_request_create_from_partnership

    zone = partnership_request.zones.order_by("name").first()
    missions = mission_request_create_from_partnership(
        network=partnership_request.network, organisation=None,
        organisation_name=partnership_request.organisation_name, place_kind=partnership_request.place_type,
        zone=zone, mission_types=types, description=_article8_description(partnership_request),
        contact_name=partnership_request.contact_name, contact_email=partnership_request.contact_email,
        source_reference=partnership_request.reference, by=by)
    log_action(partnership_request, "partnerships.request.article8_missions", by=by,
               actor_label="" if by else PUBLIC_FORM, network=partnership_request.network,
               after={"missions": [m.pk for m in missions], "mission_types": types})
    return missions


def _acknowledge(submission, language):
    from .tasks import send_acknowledgement_task

    first = submission.requests[0]
    with translation.override(language):
        items = [{"req": r, "link": submission.links[r.pk]} for r in submission.requests]
        context = {"req": first, "items": items, "due_on": first.due_on}
        subject = render_to_string("partnerships/email/acknowledgement_subject.txt", context).strip()
        body = render_to_string("partnerships/email/acknowledgement_body.txt", context)
    ids, to = [r.pk for r in submission.requests], [first.contact_email]
    transaction.on_commit(lambda: send_acknowledgement_task.delay(request_ids=ids, to=to, subject=subject,
                                                                  body=body))


def acknowledgement_send(*, request_ids, to, subject, body):
    """Claim the acknowledgement by a conditional update, then send: a second run sends nothing."""
    from django.core.mail import send_mail

    claimed = CollaborationRequest.objects.filter(pk__in=request_ids, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now())
    if not claimed:
        return False
    try:
        send_mail(subject, body, None, to)
    except Exception:
        CollaborationRequest.objects.filter(pk__in=request_ids).update(acknowledged_at=None)
        raise
    return True


def find_by_token(raw_token):
    """The request of a private link, or None (unknown, expired or anonymised: the view answers 404)."""
    if not raw_token or len(raw_token) > 100:
        return None
    from .tokens import hash_token

    partnership_request = (CollaborationRequest.objects.select_related("network", "municipality")
                           .filter(access_token_hash=hash_token(raw_token), anonymised_at__isnull=True).first())
    if partnership_request is None or partnership_request.access_token_expires_at is None:
        return None
    if partnership_request.access_token_expires_at <= timezone.now():
        return None
    return partnership_request


# ---- triage ------------------------------------------------------------------------------------


@transaction.atomic
def partnership_request_route(*, partnership_request, zones, by):
    """A network coordinator takes a triaged request into their network and puts it in zone(s)."""
    network = acting_network(partnership_request, by)
    require_on_request(by, "partnership.triage", partnership_request, network)
    partnership_request = _locked(partnership_request)
    zones = list(zones)
    if not zones or any(z.network_id != network.pk for z in zones):
        raise PartnershipError(_("Choose at least one zone of your network."))
    if partnership_request.is_closed:
        raise InvalidTransition(_("A closed request cannot be routed."))
    before = {"network": partnership_request.network.code if partnership_request.network else None,
              "zones": sorted(z.name for z in partnership_request.zones.all()),
              "triage_reason": partnership_request.triage_reason}
    partnership_request.network = network
    partnership_request.triage_reason = ""
    partnership_request.save(update_fields=["network", "triage_reason", "updated_at"])
    partnership_request.zones.set(zones)
    partnership_request.triage_networks.clear()
    log_action(partnership_request, "partnerships.request.routed", by=by, network=network, before=before,
               after={"network": network.code, "zones": sorted(z.name for z in zones), "triage_reason": ""})
    article8_missions_create(partnership_request, by=by)
    _notify(zone_coordinators(partnership_request), partnership_request=partnership_request,
            key=f"routed:{network.pk}", template="request_received", extra={"others": []})
    return partnership_request


@transaction.atomic
def partnership_request_transfer(*, partnership_request, to_network, reason, by):
    """Send a request to another network's triage list (wrong network, e.g. the public is adult)."""
    network = acting_network(partnership_request, by)
    require_on_request(by, "partnership.triage", partnership_request, network)
    partnership_request = _locked(partnership_request)
    if to_network.pk == network.pk:
        raise PartnershipError(_("Choose another network."))
    if partnership_request.is_closed:
        raise InvalidTransition(_("A closed request cannot be transferred."))
    reason = (reason or "").strip()
    if not reason:
        raise PartnershipError(_("Say why the request goes to another network."))
    message = _("Transferred by %(network)s: %(reason)s") % {"network": network.code, "reason": reason}
    partnership_request.network = to_network
    partnership_request.triage_reason = message[:300]
    partnership_request.assigned_to = None
    partnership_request.save(update_fields=["network", "triage_reason", "assigned_to", "updated_at"])
    partnership_request.zones.clear()
    partnership_request.triage_networks.clear()
    if partnership_request.status == Status.ASSIGNED:
        partnership_request.status = Status.RECEIVED
        partnership_request.save(update_fields=["status"])
    log_action(partnership_request, "partnerships.request.transferred", by=by, network=network,
               before={"network": network.code}, after={"network": to_network.code, "reason": reason})
    _notify(_members([to_network], [Role.NETWORK_COORDINATOR]), partnership_request=partnership_request,
            key=f"transferred:{to_network.pk}", template="request_triage", extra={"others": []})
    return partnership_request


# ---- pipeline ----------------------------------------------------------------------------------


def assignable_coordinators(partnership_request, network):
    """Local coordinators of the request's zones and the network coordinators."""
    zones = list(partnership_request.zones.all())
    users = _members([network], [Role.LOCAL_COORDINATOR], zones) if zones else []
    return users + [u for u in _members([network], [Role.NETWORK_COORDINATOR]) if u not in users]


@transaction.atomic
def partnership_request_assign(*, partnership_request, coordinator, by):
    partnership_request = _locked(partnership_request)
    network = acting_network(partnership_request, by)
    require_on_request(by, "partnership.assign", partnership_request, network)
    if partnership_request.network_id is None or partnership_request.triage_reason:
        raise PartnershipError(_("Route the request to a zone before assigning it."))
    if coordinator not in assignable_coordinators(partnership_request, network):
        raise PartnershipError(_("This person is not a coordinator of the request's zones."))
    old = partnership_request.assigned_to_id
    partnership_request.assigned_to = coordinator
    partnership_request.assigned_at = timezone.now()
    if partnership_request.status == Status.RECEIVED:
        _transition(partnership_request, to=Status.ASSIGNED, by=by, fields=["assigned_to", "assigned_at"],
                    before_extra={"assigned_to": old}, extra={"assigned_to": coordinator.pk})
    elif partnership_request.is_closed:
        raise InvalidTransition(_("A closed request cannot be reassigned."))
    else:
        partnership_request.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
        log_action(partnership_request, "partnerships.request.reassigned", by=by, network=network,
                   before={"assigned_to": old}, after={"assigned_to": coordinator.pk})
    if coordinator != by:
        _notify([coordinator], partnership_request=partnership_request,
                key=f"assigned:{partnership_request.assigned_at:%Y%m%d%H%M%S%f}", template="request_assigned",
                extra={"by": by})
    return partnership_request


def _store_upload(event, upload):
    """Keep a file if its bytes are an accepted type (the name is not trusted) within MAX_UPLOAD_MB."""
    import filetype

    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise UploadRefused(_("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB})
    data = upload.read()
    if not data:
        raise UploadRefused(_("The file is empty."))
    kind = filetype.guess(data)
    if kind is None or kind.extension not in UPLOAD_TYPES:
        raise UploadRefused(_("This file type is not accepted. Accepted: %(types)s.") % {"types": UPLOAD_TYPE_NAMES})
    name = (upload.name or "file").replace("/", "_").replace("\\", "_").strip()[:200] or "file"
    event.file_name = name
    event.file_type = UPLOAD_TYPES[kind.extension]
    event.file_size = len(data)
    event.file.save(f"{uuid.uuid4().hex}.{kind.extension}", ContentFile(data), save=False)


UPLOAD_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
UPLOAD_TYPE_NAMES = "PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS"


def _moment_of(day):
    """Now when ``day`` is today, else noon (local time) on that day."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@transaction.atomic
def partnership_request_record_contact(*, partnership_request, contact_on, channel, summary, by):
    """A contact with the partner; the first one moves the request to "contacted" (assigning the coordinator
    who made it when nobody was assigned yet)."""
    partnership_request = _locked(partnership_request)
    network = acting_network(partnership_request, by)
    require_on_request(by, "partnership.handle", partnership_request, network)
    if partnership_request.is_closed:
        raise InvalidTransition(_("A closed request cannot be changed."))
    if partnership_request.triage_reason or partnership_request.network_id is None:
        raise PartnershipError(_("Route the request to a zone first."))
    if contact_on > timezone.localdate():
        raise PartnershipError(_("The contact date cannot be in the future."))
    if contact_on < timezone.localtime(partnership_request.received_at).date():
        raise PartnershipError(_("The contact date cannot be before the request was received."))
    if partnership_request.status == Status.RECEIVED:
        partnership_request.assigned_to = by
        partnership_request.assigned_at = timezone.now()
        _transition(partnership_request, to=Status.ASSIGNED, by=by, fields=["assigned_to", "assigned_at"],
                    extra={"assigned_to": by.pk})
    event = RequestEvent.objects.create(request=partnership_request, kind=EventKind.CONTACT, author=by,
                                        author_label=str(by), body=summary.strip(), contact_on=contact_on,
                                        channel=channel)
    if partnership_request.status == Status.ASSIGNED:
        # The first contact counts from the day it took place (recorded later, it still meets the deadline).
        partnership_request.contacted_at = _moment_of(contact_on)
        _transition(partnership_request, to=Status.CONTACTED, by=by, fields=["contacted_at"],
                    extra={"contact_on": str(contact_on), "channel": channel})
    else:
        log_action(partnership_request, "partnerships.request.contact_recorded", by=by, network=network,
                   after={"contact_on": str(contact_on), "channel": channel})
    return event


@transaction.atomic
def partnership_request_analyse_needs(*, partnership_request, analysis, by):
    partnership_request = _locked(partnership_request)
    require_on_request(by, "partnership.handle", partnership_request, acting_network(partnership_request, by))
    analysis = (analysis or "").strip()
    if not analysis:
        raise PartnershipError(_("Write the needs analysis."))
    before = {"needs_analysis_length": len(partnership_request.needs_analysis)}
    partnership_request.needs_analysis = analysis
    partnership_request.needs_analysed_at = timezone.now()
    if partnership_request.status == Status.CONTACTED:
        _transition(partnership_request, to=Status.NEEDS_ANALYSED, by=by,
                    fields=["needs_analysis", "needs_analysed_at"], extra={"needs_analysis_length": len(analysis)})
    elif partnership_request.status in (Status.NEEDS_ANALYSED, Status.PSYCHOLOGIST_PROPOSED, Status.AGREEMENT):
        partnership_request.save(update_fields=["needs_analysis", "needs_analysed_at", "updated_at"])
        log_action(partnership_request, "partnerships.request.needs_updated", by=by,
                   network=partnership_request.network, before=before,
                   after={"needs_analysis_length": len(analysis)})
    else:
        raise InvalidTransition(_("Record a contact with the partner before the needs analysis."))
    return partnership_request


@transaction.atomic
def partnership_request_propose(*, partnership_request, psychologists, note, by, tell_partner=True):
    partnership_request = _locked(partnership_request)
    network = acting_network(partnership_request, by)
    require_on_request(by, "partnership.handle", partnership_request, network)
    psychologists = list(psychologists)
    if not psychologists:
        raise PartnershipError(_("Choose at least one psychologist."))
    from .selectors import psychologist_candidates

    allowed = set(psychologist_candidates(partnership_request, network, filters={}).values_list("pk", flat=True))
    if any(p.pk not in allowed for p in psychologists):
        raise PartnershipError(_("A chosen psychologist has no current convention with the network."))
    if partnership_request.status not in (Status.NEEDS_ANALYSED, Status.PSYCHOLOGIST_PROPOSED):
        raise InvalidTransition(_("Write the needs analysis before proposing psychologists."))
    created = []
    for p in psychologists:
        proposal, new = Proposal.objects.get_or_create(request=partnership_request, psychologist=p,
                                                       defaults={"proposed_by": by, "note": note.strip()})
        if new:
            created.append(proposal)
    names = [str(p.psychologist) for p in created]
    if partnership_request.status == Status.NEEDS_ANALYSED:
        _transition(partnership_request, to=Status.PSYCHOLOGIST_PROPOSED, by=by,
                    extra={"psychologists": [p.psychologist_id for p in created]})
    else:
        log_action(partnership_request, "partnerships.request.psychologist_added", by=by, network=network,
                   after={"psychologists": [p.psychologist_id for p in created]})
    if tell_partner and created:
        body = _("Proposed psychologist(s): %(names)s") % {"names": ", ".join(names)}
        if note.strip():
            body += "\n\n" + note.strip()
        RequestEvent.objects.create(request=partnership_request, kind=EventKind.COORDINATOR_MESSAGE, author=by,
                                    author_label=str(by), body=body, is_visible_to_partner=True)
        _send_to_partner(partnership_request, template="partner_message", context={"body": body})
    return created


@transaction.atomic
def partnership_request_decline(*, partnership_request, reason, by):
    reason = (reason or "").strip()
    if not reason:
        raise PartnershipError(_("Give the reason: the partner receives it."))
    partnership_request = _locked(partnership_request)
    acting_network(partnership_request, by)
    partnership_request.outcome = Outcome.DECLINED
    partnership_request.outcome_reason = reason
    partnership_request.closed_at = timezone.now()
    _transition(partnership_request, to=Status.CLOSED, by=by, fields=["outcome", "outcome_reason", "closed_at"],
                extra={"outcome": Outcome.DECLINED})
    RequestEvent.objects.create(request=partnership_request, kind=EventKind.COORDINATOR_MESSAGE, author=by,
                                author_label=str(by), body=reason, is_visible_to_partner=True)
    _send_to_partner(partnership_request, template="declined", context={"reason": reason})
    return partnership_request


@transaction.atomic
def partnership_request_close(*, partnership_request, outcome, note, by):
    if outcome not in (Outcome.COMPLETED, Outcome.WITHDRAWN):
        raise PartnershipError(_("Choose how the request ended."))
    partnership_request = _locked(partnership_request)
    acting_network(partnership_request, by)
    partnership_request.outcome = outcome
    partnership_request.outcome_reason = (note or "").strip()
    partnership_request.closed_at = timezone.now()
    _transition(partnership_request, to=Status.CLOSED, by=by, fields=["outcome", "outcome_reason", "closed_at"],
                extra={"outcome": outcome})
    return partnership_request


@transaction.atomic
def partnership_request_withdraw_by_partner(*, partnership_request, reason):
    """The partner withdraws through the private link."""
    partnership_request = _locked(partnership_request)
    if partnership_request.is_closed:
        raise InvalidTransition(_("This request is already closed."))
    old = partnership_request.status
    partnership_request.outcome = Outcome.WITHDRAWN
    partnership_request.outcome_reason = (reason or "").strip()[:2000]
    partnership_request.closed_at = timezone.now()
    partnership_request.status = Status.CLOSED
    partnership_request.status_changed_at = timezone.now()
    partnership_request.save(update_fields=["status", "status_changed_at", "outcome", "outcome_reason",
                                            "closed_at", "updated_at"])
    log_action(partnership_request, "partnerships.request.closed", actor_label=PARTNER_LINK,
               network=partnership_request.network, before={"status": old},
               after={"status": Status.CLOSED, "outcome": Outcome.WITHDRAWN})
    users = ([partnership_request.assigned_to] if partnership_request.assigned_to
             else zone_coordinators(partnership_request) if partnership_request.network_id
             else network_coordinators(partnership_request))
    _notify(users, partnership_request=partnership_request, key="withdrawn", template="request_withdrawn")
    return partnership_request


def mark_active(partnership_request, *, by=None):
    """The request's agreement became active (called by agreements.py inside its transaction)."""
    partnership_request = _locked(partnership_request)
    if partnership_request.status == Status.AGREEMENT:
        _transition(partnership_request, to=Status.ACTIVE, by=None)
    return partnership_request


def mark_agreement(partnership_request, *, by):
    partnership_request = _locked(partnership_request)
    if partnership_request.status == Status.PSYCHOLOGIST_PROPOSED:
        _transition(partnership_request, to=Status.AGREEMENT, by=by)
    elif partnership_request.status not in (Status.AGREEMENT, Status.ACTIVE):
        raise InvalidTransition(_("Propose a psychologist to the partner before drafting the agreement."))
    return partnership_request


def mark_completed(partnership_request):
    """Every agreement of an active request has ended: the request is completed."""
    partnership_request = _locked(partnership_request)
    if partnership_request.status == Status.ACTIVE and not partnership_request.agreements.filter(
            status__in=[AgreementStatus.DRAFT, AgreementStatus.SENT, AgreementStatus.SIGNED,
                        AgreementStatus.ACTIVE]).exists():
        partnership_request.outcome = Outcome.COMPLETED
        partnership_request.closed_at = timezone.now()
        _transition(partnership_request, to=Status.CLOSED, by=None, fields=["outcome", "closed_at"],
                    extra={"outcome": Outcome.COMPLETED})
    return partnership_request


# ---- messages and files --------------------------------------------------------------------------


@transaction.atomic
def partnership_request_message_from_partner(*, partnership_request, body, upload=None):
    body = (body or "").strip()
    if not body and upload is None:
        raise PartnershipError(_("Write a message or choose a file."))
    if partnership_request.is_closed:
        raise InvalidTransition(_("This request is closed: contact the network by e-mail."))
    event = RequestEvent(request=partnership_request, kind=EventKind.PARTNER_MESSAGE, author_label=PARTNER_LINK,
                         body=body[:5000], is_visible_to_partner=True)
    if upload is not None:
        _store_upload(event, upload)
    event.save()
    log_action(partnership_request, "partnerships.request.partner_message", actor_label=PARTNER_LINK,
               network=partnership_request.network,
               after={"event": event.pk, "file_name": event.file_name, "file_size": event.file_size})
    users = ([partnership_request.assigned_to] if partnership_request.assigned_to
             else zone_coordinators(partnership_request) if partnership_request.network_id and
             not partnership_request.triage_reason else network_coordinators(partnership_request))
    _notify(users, partnership_request=partnership_request, key=f"message:{event.pk}", template="partner_wrote")
    return event


@transaction.atomic
def partnership_request_add_event(*, partnership_request, kind, body, by, upload=None):
    """A coordinator's internal note or message to the partner (e-mailed to them), with an optional file."""
    if kind not in (EventKind.NOTE, EventKind.COORDINATOR_MESSAGE):
        raise PartnershipError(_("Unknown kind of message."))
    network = acting_network(partnership_request, by)
    require_on_request(by, "partnership.handle", partnership_request, network)
    body = (body or "").strip()
    if not body and upload is None:
        raise PartnershipError(_("Write a message or choose a file."))
    if partnership_request.is_anonymised:
        raise PartnershipError(_("This request was anonymised."))
    to_partner = kind == EventKind.COORDINATOR_MESSAGE
    event = RequestEvent(request=partnership_request, kind=kind, author=by, author_label=str(by), body=body[:5000],
                         is_visible_to_partner=to_partner)
    if upload is not None:
        _store_upload(event, upload)
    event.save()
    log_action(partnership_request, f"partnerships.request.{kind}", by=by, network=network,
               after={"event": event.pk, "file_name": event.file_name, "file_size": event.file_size})
    if to_partner:
        _send_to_partner(partnership_request, template="partner_message",
                         context={"body": body, "has_file": bool(event.file_name)})
    return event


@transaction.atomic
def partnership_request_new_link(*, partnership_request, by):
    """A fresh private link e-mailed to the partner; the previous one stops working."""
    partnership_request = _locked(partnership_request)
    network = acting_network(partnership_request, by)
    require_on_request(by, "partnership.handle", partnership_request, network)
    if partnership_request.is_anonymised:
        raise PartnershipError(_("This request was anonymised."))
    raw = _new_link(partnership_request)
    partnership_request.save(update_fields=["access_token_hash", "access_token_expires_at", "updated_at"])
    log_action(partnership_request, "partnerships.request.link_renewed", by=by, network=network,
               after={"expires_at": partnership_request.access_token_expires_at.isoformat()})
    _send_to_partner(partnership_request, template="new_link", context={"link": follow_url(raw)})
    return partnership_request


# ---- network priorities (issue 10, kept by care_offer) -------------------------------------------------------


def priorities_set(target, *, network, priorities, by):
    """Tag ``target`` (a request or an agreement of ``network``) with exactly ``priorities``; each tag added or
    removed is audited by care_offer. Runs in the caller's transaction."""
    from care_offer.selectors import priorities_of
    from care_offer.services import CareOfferError, priority_tag, priority_untag

    wanted = {p.pk: p for p in priorities}
    if any(p.network_id != network.pk for p in wanted.values()):
        raise PartnershipError(_("Choose priorities of your network."))
    current = {p.pk: p for p in priorities_of(target)}
    try:
        for pk in sorted(wanted.keys() - current.keys()):
            priority_tag(priority=wanted[pk], target=target, by=by)
    except CareOfferError as error:
        raise PartnershipError(error.message) from None
    for pk in sorted(current.keys() - wanted.keys()):
        priority_untag(priority=current[pk], target=target, by=by)
    return sorted(wanted.values(), key=lambda p: p.name_fr)


@transaction.atomic
def request_priorities_set(*, partnership_request, priorities, by):
    partnership_request = _locked(partnership_request)
    network = acting_network(partnership_request, by)
    require_on_request(by, "partnership.handle", partnership_request, network)
    if partnership_request.network_id != network.pk:
        raise PartnershipError(_("Route the request to a zone of your network first."))
    return priorities_set(partnership_request, network=network, priorities=priorities, by=by)


# ---- financial projection --------------------------------------------------------------------------

PROJECTION_FIELDS = ["hours_per_week", "weeks_per_year", "occupancy_percent", "session_fee", "annual_salary_cost",
                     "other_annual_costs", "note"]


@transaction.atomic
def projection_save(*, partnership_request, by, **data):
    network = acting_network(partnership_request, by)
    require_on_request(by, "partnership.handle", partnership_request, network)
    projection = FinancialProjection.objects.filter(request=partnership_request).first()
    before = {f: str(getattr(projection, f)) for f in PROJECTION_FIELDS} if projection else {}
    projection = projection or FinancialProjection(request=partnership_request, network=network)
    for key in PROJECTION_FIELDS:
        if key in data:
            setattr(projection, key, data[key])
    projection.updated_by = by
    projection.full_clean(exclude=["request", "network", "updated_by"])
    projection.save()
    log_action(partnership_request, "partnerships.projection.saved", by=by, network=network, before=before,
               after={f: str(getattr(projection, f)) for f in PROJECTION_FIELDS})
    return projection


# ---- settings ------------------------------------------------------------------------------------------


@transaction.atomic
def partnership_settings_update(*, network, by, **data):
    core_permissions.require(by, "partnership.settings", network)
    obj = settings_for(network)
    fields = ["retention_months", "link_validity_days", "session_fee"]
    before = {f: str(getattr(obj, f)) for f in fields}
    for key in fields:
        if key in data:
            setattr(obj, key, data[key])
    obj.full_clean(exclude=["network"])
    obj.save()
    log_action(obj, "partnerships.settings.updated", by=by, network=network, before=before,
               after={f: str(getattr(obj, f)) for f in fields})
    return obj


# ---- retention and GDPR --------------------------------------------------------------------------------


def _anonymise(partnership_request, *, now):
    for event in partnership_request.events.all():
        if event.file:
            event.file.delete(save=False)
    partnership_request.events.update(body="", file="", file_name="", file_type="", file_size=0)
    FinancialProjection.objects.filter(request=partnership_request).update(note="")
    CollaborationRequest.objects.filter(pk=partnership_request.pk).update(
        organisation_name=ANONYMISED, place_type_other="", enterprise_number="", address="", municipality_text="",
        contact_name=ANONYMISED, contact_role="", contact_email="", contact_phone="", vulnerable_other="",
        needs="", availability="", needs_analysis="", outcome_reason="", problems_other="", support_themes="",
        co_applicants=[{"place_type": c.get("place_type", "")} for c in partnership_request.co_applicants or []],
        access_token_hash=None, search_text="",
        access_token_expires_at=None, anonymised_at=now, updated_at=now)


def _months_before(day, months):
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    import calendar

    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


LED_TO_NOTHING = [Outcome.DECLINED, Outcome.WITHDRAWN]
AGREEMENT_KEPT = [AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.ENDED, AgreementStatus.TERMINATED]


def expired_requests(*, now=None):
    """Closed requests that led to nothing (declined or withdrawn, no signed agreement), past their network's
    retention period."""
    now = now or timezone.now()
    retention = dict(PartnershipSettings.objects.values_list("network_id", "retention_months"))
    base = (CollaborationRequest.objects.filter(status=Status.CLOSED, outcome__in=LED_TO_NOTHING,
                                                anonymised_at__isnull=True)
            .exclude(agreements__status__in=AGREEMENT_KEPT))
    condition = Q()
    default_limit = timezone.make_aware(dt.datetime.combine(_months_before(timezone.localtime(now).date(), 24),
                                                            dt.time.min))
    condition |= Q(network__isnull=True, closed_at__lt=default_limit)
    condition |= Q(network__isnull=False, closed_at__lt=default_limit) & ~Q(network_id__in=list(retention))
    for network_id, months in retention.items():
        limit = timezone.make_aware(dt.datetime.combine(_months_before(timezone.localtime(now).date(), months),
                                                        dt.time.min))
        condition |= Q(network_id=network_id, closed_at__lt=limit)
    return base.filter(condition).distinct()


def requests_anonymise_expired(*, now=None):
    """The periodic retention task: anonymise each expired request in its own transaction, audited."""
    now = now or timezone.now()
    done = []
    for pk in list(expired_requests(now=now).values_list("pk", flat=True)):
        with transaction.atomic():
            partnership_request = CollaborationRequest.objects.select_for_update().filter(
                pk=pk, anonymised_at__isnull=True).first()
            if partnership_request is None:
                continue
            _anonymise(partnership_request, now=now)
            log_action(partnership_request, "partnerships.request.anonymised", actor_label="retention",
                       network=partnership_request.network,
                       after={"reason": "retention", "closed_at": partnership_request.closed_at.isoformat()})
            done.append(pk)
    return done


def requester_requests(network, email):
    email = (email or "").strip()
    return (CollaborationRequest.objects.filter(Q(network=network) | Q(network__isnull=True, triage_networks=network))
            .filter(contact_email__iexact=email, anonymised_at__isnull=True).distinct().order_by("received_at"))


def requester_agreements(network, email):
    return Agreement.objects.filter(network=network, partner_signatory_email__iexact=(email or "").strip())


def _request_export(r):
    return {
        "reference": r.reference, "received_at": r.received_at, "network": r.network.code if r.network else None,
        "zones": [z.name for z in r.zones.all()], "status": r.status, "outcome": r.outcome,
        "organisation_name": r.organisation_name, "place_type": r.place_type, "place_type_other": r.place_type_other,
        "enterprise_number": r.enterprise_number, "address": r.address,
        "municipality": r.municipality.name_fr if r.municipality else None, "municipality_text": r.municipality_text,
        "contact_name": r.contact_name, "contact_role": r.contact_role, "contact_email": r.contact_email,
        "contact_phone": r.contact_phone, "language": r.language, "age_groups": r.age_groups,
        "vulnerable_groups": r.vulnerable_groups, "vulnerable_other": r.vulnerable_other, "needs": r.needs,
        "offers": r.offers, "availability": r.availability, "employ_interest": r.employ_interest,
        "problems": r.problems, "problems_other": r.problems_other, "has_own_provider": r.has_own_provider,
        "support_wanted": r.support_wanted, "support_themes": r.support_themes, "co_applicants": r.co_applicants,
        "consent_at": r.consent_at, "privacy_notice_version": r.privacy_notice_version,
        "needs_analysis": r.needs_analysis, "outcome_reason": r.outcome_reason,
        "messages": [{"at": e.at, "kind": e.kind, "author": e.author_label, "body": e.body,
                      "file_name": e.file_name} for e in r.events.all()],
        "proposed_psychologists": [str(p.psychologist) for p in r.proposals.select_related("psychologist")],
    }


def _agreement_export(a):
    return {
        "reference": a.reference, "status": a.status, "partner_name": a.partner_name,
        "partner_signatory_name": a.partner_signatory_name, "partner_signatory_email": a.partner_signatory_email,
        "partner_signatory_role": a.partner_signatory_role, "starts_on": a.starts_on, "ends_on": a.ends_on,
        "partner_signatures": [
            {"version": s.version.number, "name": s.name, "signed_at": s.signed_at, "ip_address": s.ip_address,
             "user_agent": s.user_agent, "text_sha256": s.text_sha256}
            for v in a.versions.all() for s in v.signatures.filter(party="partner")],
    }


def gdpr_export(*, network, email, by):
    """Everything the network keeps about one requester (by e-mail address), as JSON text. Audited."""
    core_permissions.require(by, "partnership.gdpr", network)
    requests = list(requester_requests(network, email).prefetch_related("zones", "events"))
    agreements = list(requester_agreements(network, email))
    data = {"exported_at": timezone.now(), "controller": {"network": network.name, "code": network.code,
                                                          "email": network.generic_email},
            "email": email.strip(), "requests": [_request_export(r) for r in requests],
            "agreements": [_agreement_export(a) for a in agreements]}
    with transaction.atomic():
        log_action(network, "partnerships.gdpr.exported", by=by, network=network,
                   after={"requests": [r.pk for r in requests], "agreements": [a.pk for a in agreements]})
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


@transaction.atomic
def gdpr_erase(*, network, email, by):
    """Erase one requester's data (their requests are anonymised at once). Signed agreements are contracts and
    stay; they are listed in the audit entry. Returns (anonymised request ids, kept agreement ids)."""
    core_permissions.require(by, "partnership.gdpr", network)
    now = timezone.now()
    ids = []
    found = list(requester_requests(network, email).values_list("pk", flat=True))
    for partnership_request in CollaborationRequest.objects.select_for_update().filter(pk__in=found):
        _anonymise(partnership_request, now=now)
        log_action(partnership_request, "partnerships.request.anonymised", by=by, network=network,
                   after={"reason": "erasure"})
        ids.append(partnership_request.pk)
    kept = list(requester_agreements(network, email).values_list("pk", flat=True))
    log_action(network, "partnerships.gdpr.erased", by=by, network=network,
               after={"requests": ids, "agreements_kept": kept})
    return ids, kept


# ---- reminders -----------------------------------------------------------------------------------------


def _remind(*, step, users, template, context, url, network, partnership_request=None, agreement=None):
    sent = []
    for user in users:
        try:
            with transaction.atomic():
                SentReminder.objects.create(step=step, recipient_email=user.email.lower(),
                                            request=partnership_request, agreement=agreement)
                notify(recipient=user, key=f"partnerships:reminder:{step}", template=template, network=network,
                       url=url, context={"user": user, **context})
        except IntegrityError:
            continue
        sent.append((user.email, step))
    return sent


def request_reminders_send(*, today=None):
    """The assigned coordinator (else the zone's local coordinators) two working days before the limit; the
    network coordinator once the limit is passed. Each step once per recipient, ever."""
    today = today or timezone.localdate()
    sent = []
    waiting = (CollaborationRequest.objects.filter(status__in=AWAITING_CONTACT, anonymised_at__isnull=True)
               .select_related("network", "assigned_to").prefetch_related("zones", "triage_networks"))
    for partnership_request in waiting.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=20)):
        if workdays.reminder_date(partnership_request.due_on) > today:
            continue
        users = ([partnership_request.assigned_to] if partnership_request.assigned_to
                 else zone_coordinators(partnership_request) if partnership_request.network_id
                 else network_coordinators(partnership_request))
        sent += _remind(step=f"request:{partnership_request.pk}:due_soon", users=users,
                        template="partnerships/email/reminder_due_soon", context={"req": partnership_request},
                        url=reverse("partnerships:request_detail", args=[partnership_request.pk]),
                        network=partnership_request.network, partnership_request=partnership_request)
    for partnership_request in waiting.filter(due_on__lt=today):
        sent += _remind(step=f"request:{partnership_request.pk}:overdue",
                        users=network_coordinators(partnership_request),
                        template="partnerships/email/reminder_overdue", context={"req": partnership_request},
                        url=reverse("partnerships:request_detail", args=[partnership_request.pk]),
                        network=partnership_request.network, partnership_request=partnership_request)
    return sent


def reminders_send(*, today=None):
    """Everything the daily task does for partnerships, in order."""
    from . import agreements

    today = today or timezone.localdate()
    sent = request_reminders_send(today=today)
    agreements.agreements_advance(today=today)
    sent += agreements.agreement_reminders_send(today=today)
    return sent

