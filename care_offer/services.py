"""Every write of the care-offer app: one transaction, one audit entry (psynet.audit.log_action).

The selection of providers is a table of named transitions (APPLICATION_TRANSITIONS): each move is allowed to
the roles of its action, dated and attributed on the application, and audited with the status before and after.
Accepting creates (or reuses, by INAMI number) the core Psychologist and saves the Convention through the core
services, so the psynet audit entries are written too."""
import datetime as dt
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships.tokens import hash_token, new_token

from psynet import permissions
from psynet.audit import log_action
from psynet.models import Employment, Membership, Psychologist, Role
from psynet.services import convention_save, notify, psychologist_create
from psynet.validators import normalise_inami

from .models import (
    ApplicantMessage, ApplicantNotice, ApplicationDocument, ApplicationLink, ApplicationStatus, CareOfferSettings,
    Clairvision, ClairvisionFormat, CoFacilitator, NetworkOfferCondition, OnboardingItem, OnboardingTick,
    PlaceEligibilityOverride, PlaceTypeEligibility, Priority, PriorityTag, ProviderApplication, ProviderProfile,
)
from .permissions import require_on_application

S = ApplicationStatus


class CareOfferError(Exception):
    """A refusal with a translated message and the form field it belongs to (None: the whole form)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTransition(CareOfferError):
    pass


class EditConflict(CareOfferError):
    pass


class UploadRefused(CareOfferError):
    pass


# ---- settings ---------------------------------------------------------------------------------------------


def settings_for(network):
    obj, _created = CareOfferSettings.objects.get_or_create(network=network)
    return obj


@transaction.atomic
def care_offer_settings_update(*, network, by, min_years_practice, accepts_applications, link_validity_days=None):
    obj = CareOfferSettings.objects.select_for_update().get(pk=settings_for(network).pk)
    link_validity_days = link_validity_days or obj.link_validity_days
    before = {"min_years_practice": obj.min_years_practice, "accepts_applications": obj.accepts_applications,
              "link_validity_days": obj.link_validity_days}
    obj.min_years_practice = min_years_practice
    obj.accepts_applications = accepts_applications
    obj.link_validity_days = link_validity_days
    obj.save()
    log_action(obj, "care_offer.settings.updated", by=by, network=network, before=before,
               after={"min_years_practice": min_years_practice, "accepts_applications": accepts_applications,
                      "link_validity_days": link_validity_days})
    return obj


# ---- documents --------------------------------------------------------------------------------------------

DOCUMENT_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
DOCUMENT_TYPE_NAMES = "PDF, PNG, JPEG, DOCX, ODT"
MAX_DOCUMENTS = 5


def max_document_bytes():
    return settings.MAX_UPLOAD_MB * 1024 * 1024


def check_document(upload):
    """The bytes decide the type (the name and the browser's type are not trusted); the size is bounded.
    Returns (data, extension). Raises UploadRefused with a message naming the file."""
    import filetype

    name = (upload.name or "file")[-80:]
    if upload.size > max_document_bytes():
        raise UploadRefused(_("%(name)s is larger than %(mb)s MB: send a smaller file.")
                            % {"name": name, "mb": settings.MAX_UPLOAD_MB}, field="documents")
    data = upload.read()
    if not data:
        raise UploadRefused(_("%(name)s is empty.") % {"name": name}, field="documents")
    kind = filetype.guess(data)
    if kind is None or kind.extension not in DOCUMENT_TYPES:
        raise UploadRefused(_("%(name)s is not an accepted type. Accepted: %(types)s.")
                            % {"name": name, "types": DOCUMENT_TYPE_NAMES}, field="documents")
    return data, kind.extension


def _store_document(application, kind, upload, data, extension):
    name = (upload.name or "file").replace("/", "_").replace("\\", "_").strip()[:200] or "file"
    doc = ApplicationDocument(application=application, kind=kind, file_name=name,
                              file_type=DOCUMENT_TYPES[extension], file_size=len(data))
    doc.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    doc.save()
    return doc


# ---- the application ---------------------------------------------------------------------------------------


@transaction.atomic
def application_submit(*, network, data, zones, documents, language, now=None):
    """Store a public application. ``documents`` is a list of (kind, upload) already checked by the form;
    each is checked again here (the service is the last line)."""
    now = now or timezone.now()
    rules = settings_for(network)
    if not rules.accepts_applications:
        raise CareOfferError(_("This network does not take applications through the portal at the moment."))
    if data["years_practice"] < rules.min_years_practice:
        raise CareOfferError(_("This network asks at least %(years)s years of clinical practice.")
                             % {"years": rules.min_years_practice}, field="years_practice")
    checked = [(kind, upload, *check_document(upload)) for kind, upload in documents[:MAX_DOCUMENTS]]
    application = ProviderApplication.objects.create(
        network=network, language=language, consent_at=now, received_at=now,
        **{**data, "inami_number": normalise_inami(data["inami_number"])})
    application.zones.set(zones)
    for kind, upload, content, extension in checked:
        _store_document(application, kind, upload, content, extension)
    log_action(application, "care_offer.application.received", actor_label=_("public form"),
               after={"status": application.status, "inami_number": application.inami_number,
                      "zones": sorted(z.pk for z in zones), "documents": len(checked)})
    _tell_applicant(application, step=S.RECEIVED, now=now)
    return application


# ---- the applicant's private link and e-mails --------------------------------------------------------------

FOLLOW_LINK_LABEL = gettext_lazy("applicant's follow-up link")


def follow_url(raw_token):
    return settings.SITE_URL.rstrip("/") + reverse("apply:follow", args=[raw_token])


def application_link_create(*, application, now=None):
    """A fresh private link (partnerships.tokens: 256 random bits, only the hash kept), valid for the network's
    number of days. Returns the raw token, which exists only in the e-mail that carries it."""
    now = now or timezone.now()
    raw, digest = new_token()
    days = settings_for(application.network).link_validity_days
    ApplicationLink.objects.create(application=application, token_hash=digest, created_at=now,
                                   expires_at=now + dt.timedelta(days=days))
    return raw


def find_application_by_token(raw_token):
    """The application of a private link, or None (unknown or expired: the view answers 404)."""
    if not raw_token or len(raw_token) > 100:
        return None
    link = (ApplicationLink.objects.select_related("application", "application__network")
            .filter(token_hash=hash_token(raw_token), expires_at__gt=timezone.now()).first())
    return link.application if link else None


NEW_LINK = "link"  # not a selection step: the e-mail that only carries a new private link


def _step_key(application, step, now=None):
    """One e-mail per step; a moved interview is a new step (its date and place are in the key); every new link
    asked by the network is one e-mail."""
    if step == NEW_LINK:
        return f"link:{(now or timezone.now()):%Y-%m-%dT%H:%M:%S.%f}"
    if step == S.INTERVIEW and application.interview_at:
        when = timezone.localtime(application.interview_at).strftime("%Y-%m-%dT%H:%M")
        return f"interview:{when}:{hash_token(application.interview_place)[:8]}"
    return str(step)


def _tell_applicant(application, *, step, now=None):
    """E-mail the applicant once for this step, in the language of their form, with a fresh private link; sent
    after the commit. A step already e-mailed inserts nothing and sends nothing (ApplicantNotice is unique per
    application and step). Returns the notice, or None when the step was already e-mailed."""
    key = _step_key(application, step, now)
    try:
        with transaction.atomic():
            notice = ApplicantNotice.objects.create(application=application, step=key, subject="")
    except IntegrityError:
        return None
    raw = application_link_create(application=application, now=now)
    with translation.override(application.language):
        context = {"a": application, "step": str(step), "S": S, "link": follow_url(raw),
                   "network": application.network, "convention": application.convention,
                   "days": settings_for(application.network).link_validity_days}
        subject = render_to_string("care_offer/email/applicant_step_subject.txt", context).strip()
        body = render_to_string("care_offer/email/applicant_step_body.txt", context)
    notice.subject = subject[:300]
    notice.save(update_fields=["subject"])
    log_action(application, "care_offer.application.applicant_emailed", actor_label=str(FOLLOW_LINK_LABEL),
               after={"step": key})
    from .tasks import send_applicant_notice_task

    to = [application.email]
    transaction.on_commit(lambda: send_applicant_notice_task.delay(notice_id=notice.pk, to=to, subject=subject,
                                                                   body=body))
    return notice


@transaction.atomic
def application_new_link(*, application, by):
    """E-mail the applicant a fresh private link (lost e-mail, expired link); the links sent before stop working."""
    require_on_application(by, "care_offer.application.review", application)
    now = timezone.now()
    ended = ApplicationLink.objects.filter(application=application, expires_at__gt=now).update(expires_at=now)
    notice = _tell_applicant(application, step=NEW_LINK, now=now)
    log_action(application, "care_offer.application.link_renewed", by=by,
               after={"previous_links_ended": ended, "notice": notice.step})
    return notice


def applicant_notice_send(*, notice_id, to, subject, body):
    """Claim the notice by a conditional update, then send: a second run of the task sends nothing."""
    from django.core.mail import send_mail

    claimed = ApplicantNotice.objects.filter(pk=notice_id, sent_at__isnull=True).update(sent_at=timezone.now())
    if not claimed:
        return False
    try:
        send_mail(subject, body, None, to)
    except Exception:
        ApplicantNotice.objects.filter(pk=notice_id).update(sent_at=None)
        raise
    return True


def _application_coordinators(application):
    """The network coordinators and the local coordinators of the application's zones (active members)."""
    zone_ids = [z.pk for z in application.zones.all()]
    memberships = Membership.objects.filter(network_id=application.network_id, is_active=True,
                                            user__is_active=True).select_related("user")
    users = {m.user for m in memberships.filter(role=Role.NETWORK_COORDINATOR)}
    if zone_ids:
        users |= {m.user for m in memberships.filter(role=Role.LOCAL_COORDINATOR, zones__in=zone_ids).distinct()}
    return sorted(users, key=lambda u: u.pk)


@transaction.atomic
def applicant_message_add(*, application, body="", upload=None, kind=None):
    """The applicant writes or adds a document through their private link (same checks on the bytes and the size
    as the application form). The coordinators who handle the application are told once per message."""
    from .models import DocumentKind

    body = (body or "").strip()
    if not body and upload is None:
        raise CareOfferError(_("Write a message or choose a document."), field="body")
    application = ProviderApplication.objects.select_for_update().get(pk=application.pk)
    document = None
    if upload is not None:
        if application.documents.count() >= MAX_DOCUMENTS * 3:
            raise UploadRefused(_("This application already holds the most documents it can take; write to the "
                                  "network instead."), field="file")
        data, extension = check_document(upload)
        document = _store_document(application, kind if kind in DocumentKind.values else DocumentKind.OTHER,
                                   upload, data, extension)
    message = ApplicantMessage.objects.create(application=application, body=body, document=document)
    log_action(application, "care_offer.application.applicant_wrote", actor_label=str(FOLLOW_LINK_LABEL),
               after={"message": message.pk, "file_name": document.file_name if document else "",
                      "file_size": document.file_size if document else 0})
    url = reverse("care_offer:application_detail", args=[application.pk])
    for user in _application_coordinators(application):
        notify(recipient=user, key=f"care_offer:application:{application.pk}:message:{message.pk}", url=url,
               network=application.network, template="care_offer/email/applicant_wrote",
               context={"a": application, "message": message, "user": user})
    return message


# Allowed moves and the action each needs (psynet.permissions).
APPLICATION_TRANSITIONS = {
    (S.RECEIVED, S.REVIEWED): "care_offer.application.review",
    (S.RECEIVED, S.REFUSED): "care_offer.application.decide",
    (S.REVIEWED, S.INTERVIEW): "care_offer.application.review",
    (S.REVIEWED, S.ACCEPTED): "care_offer.application.decide",
    (S.REVIEWED, S.REFUSED): "care_offer.application.decide",
    (S.INTERVIEW, S.INTERVIEW): "care_offer.application.review",  # the interview moved to another date
    (S.INTERVIEW, S.ACCEPTED): "care_offer.application.decide",
    (S.INTERVIEW, S.REFUSED): "care_offer.application.decide",
}


def allowed_moves(application, user):
    from .permissions import can_on_application

    return [to for (frm, to), action in APPLICATION_TRANSITIONS.items()
            if frm == application.status and can_on_application(user, action, application)]


def _transition(application, *, to, by, expected_version=None, fields=(), after_extra=None):
    locked = ProviderApplication.objects.select_for_update().get(pk=application.pk)
    if expected_version is not None and locked.version != int(expected_version):
        raise EditConflict(_("Someone else changed this application in the meantime; reload the page."))
    action = APPLICATION_TRANSITIONS.get((locked.status, to))
    if action is None:
        raise InvalidTransition(_("An application that is “%(from)s” cannot become “%(to)s”.")
                                % {"from": S(locked.status).label, "to": S(to).label})
    require_on_application(by, action, locked)
    old = locked.status
    for name, value in (after_extra or {}).items():
        setattr(locked, name, value)
    locked.status = to
    locked.version = F("version") + 1
    locked.save(update_fields=["status", "version", *fields])
    locked.refresh_from_db()
    after = {"status": to}
    after.update({k: (str(v) if isinstance(v, dt.date | dt.datetime) else v)
                  for k, v in (after_extra or {}).items() if not hasattr(v, "pk")})
    log_action(locked, f"care_offer.application.{to}", by=by, before={"status": old}, after=after)
    _tell_applicant(locked, step=to)
    return locked


@transaction.atomic
def application_review(*, application, by, note="", expected_version=None):
    return _transition(application, to=S.REVIEWED, by=by, expected_version=expected_version,
                       fields=["reviewed_at", "reviewed_by", "review_note"],
                       after_extra={"reviewed_at": timezone.now(), "reviewed_by": by, "review_note": note})


@transaction.atomic
def application_plan_interview(*, application, by, interview_at, interview_place="", expected_version=None):
    return _transition(application, to=S.INTERVIEW, by=by, expected_version=expected_version,
                       fields=["interview_at", "interview_place", "interview_planned_by"],
                       after_extra={"interview_at": interview_at, "interview_place": (interview_place or "").strip(),
                                    "interview_planned_by": by})


@transaction.atomic
def application_refuse(*, application, by, reason, expected_version=None):
    reason = (reason or "").strip()
    if not reason:
        raise CareOfferError(_("Give the reason for the refusal; the applicant is told."), field="reason")
    return _transition(application, to=S.REFUSED, by=by, expected_version=expected_version,
                       fields=["decided_at", "decided_by", "refusal_reason"],
                       after_extra={"decided_at": timezone.now(), "decided_by": by, "refusal_reason": reason})


@transaction.atomic
def application_accept(*, application, by, start_on, end_on, functions, age_groups, article8_hours_per_year,
                       zones, article8_places=(), expected_version=None):
    """Accept: the core Psychologist (reused when the INAMI number is known, e.g. conventioned with another
    network) and the Convention are written through the core services; the places of the article 8 hours
    (seed 001) are recorded on the audit entry and the provider's profile until the core convention holds them."""
    if end_on and end_on < start_on:
        raise CareOfferError(_("The end date comes after the start date."), field="end_on")
    if not functions:
        raise CareOfferError(_("Choose at least one function."), field="functions")
    if not age_groups:
        raise CareOfferError(_("Choose at least one age group."), field="age_groups")
    locked = ProviderApplication.objects.select_for_update().get(pk=application.pk)
    if (locked.status, S.ACCEPTED) not in APPLICATION_TRANSITIONS:
        raise InvalidTransition(_("An application that is “%(from)s” cannot become “%(to)s”.")
                                % {"from": S(locked.status).label, "to": S.ACCEPTED.label})
    require_on_application(by, "care_offer.application.decide", locked)
    network = locked.network
    psychologist = Psychologist.objects.filter(inami_number=locked.inami_number).first()
    if psychologist is None:
        psychologist = psychologist_create(
            network=network, by=by, first_name=locked.first_name, last_name=locked.last_name, email=locked.email,
            phone=locked.phone, inami_number=locked.inami_number, profession=locked.profession,
            languages=locked.languages, employment=Employment.INDEPENDENT, employer=None)
    if psychologist.conventions.filter(network=network, end_on__isnull=True).exists():
        raise CareOfferError(_("This provider already has an open convention with the network."))
    convention = convention_save(network=network, psychologist=psychologist, by=by, zones=zones,
                                 start_on=start_on, end_on=end_on, functions=list(functions),
                                 age_groups=list(age_groups), article8_hours_per_year=article8_hours_per_year)
    ProviderProfile.objects.update_or_create(network=network, psychologist=psychologist,
                                             defaults={"modalities": locked.modalities, "accepts_new": True})
    accepted = _transition(locked, to=S.ACCEPTED, by=by, expected_version=expected_version,
                           fields=["decided_at", "decided_by", "psychologist", "convention"],
                           after_extra={"decided_at": timezone.now(), "decided_by": by,
                                        "psychologist": psychologist, "convention": convention})
    log_action(accepted, "care_offer.application.convention", by=by,
               after={"psychologist": psychologist.pk, "convention": convention.pk,
                      "article8_places": sorted(o.pk for o in article8_places)})
    return accepted


# ---- onboarding ----------------------------------------------------------------------------------------------

DEFAULT_ONBOARDING = [
    ("convention_signed", "Convention signée et renvoyée", "Overeenkomst ondertekend en teruggestuurd"),
    ("central_application", "Accès à l'application centrale de facturation", "Toegang tot de centrale "
     "facturatietoepassing"),
    ("portal_account", "Compte PsyNet créé", "PsyNet-account aangemaakt"),
    ("local_coordinators", "Rencontre avec les coordinateurs locaux", "Kennismaking met de lokale coördinatoren"),
    ("network_presentation", "Présentation du réseau et de ses priorités", "Voorstelling van het netwerk en zijn "
     "prioriteiten"),
    ("intervision", "Inscription à l'intervision des psychologues conventionnés", "Inschrijving voor de intervisie "
     "van geconventioneerde psychologen"),
]


def onboarding_items(network):
    """The network's checklist, with the defaults the first time (data: the network may change the labels)."""
    items = list(OnboardingItem.objects.filter(network=network, is_active=True))
    if not items and not OnboardingItem.objects.filter(network=network).exists():
        OnboardingItem.objects.bulk_create(
            [OnboardingItem(network=network, code=c, label_fr=fr, label_nl=nl, position=i)
             for i, (c, fr, nl) in enumerate(DEFAULT_ONBOARDING)], ignore_conflicts=True)
        items = list(OnboardingItem.objects.filter(network=network, is_active=True))
    return items


ONBOARDING_ITEM_FIELDS = ["code", "label_fr", "label_nl", "is_active"]


@transaction.atomic
def onboarding_item_save(*, network, by, item=None, code, label_fr, label_nl, is_active=True):
    """Add or change an item of the network's checklist. The code stays unique per network; a deactivated item
    leaves the checklists but keeps the ticks already given."""
    permissions.require(by, "care_offer.onboarding.manage", network)
    onboarding_items(network)  # the defaults first, so a new item comes after them
    if item is not None and item.network_id != network.pk:
        raise CareOfferError(_("This item belongs to another network."))
    clash = OnboardingItem.objects.filter(network=network, code=code).exclude(pk=getattr(item, "pk", None))
    if clash.exists():
        raise CareOfferError(_("The checklist already has an item with this code."), field="code")
    before = _values(item, ONBOARDING_ITEM_FIELDS) if item else {}
    if item is None:
        last = OnboardingItem.objects.filter(network=network).order_by("-position").values_list(
            "position", flat=True).first()
        item = OnboardingItem(network=network, position=(last + 1) if last is not None else 0)
    item.code, item.label_fr, item.label_nl, item.is_active = code, label_fr.strip(), label_nl.strip(), is_active
    item.save()
    log_action(item, "care_offer.onboarding_item.saved", by=by, network=network, before=before,
               after=_values(item, ONBOARDING_ITEM_FIELDS))
    return item


@transaction.atomic
def onboarding_item_move(*, item, by, direction):
    """Swap the item with its neighbour above ("up") or below ("down"); positions are renumbered 0..n-1 under a
    lock of the network's items, so two coordinators moving at once cannot leave two items on one position."""
    permissions.require(by, "care_offer.onboarding.manage", item.network)
    items = list(OnboardingItem.objects.select_for_update().filter(network_id=item.network_id)
                 .order_by("position", "pk"))
    index = next((i for i, it in enumerate(items) if it.pk == item.pk), None)
    other = None if index is None else index - 1 if direction == "up" else index + 1
    if other is None or not 0 <= other < len(items):
        return False
    before = items[index].position
    items[index], items[other] = items[other], items[index]
    changed = []
    for position, it in enumerate(items):
        if it.position != position:
            it.position = position
            changed.append(it)
    OnboardingItem.objects.bulk_update(changed, ["position"])
    moved = items[other]
    log_action(moved, "care_offer.onboarding_item.moved", by=by, network=moved.network,
               before={"position": before}, after={"position": moved.position})
    return True


@transaction.atomic
def onboarding_toggle(*, application, item, done, by):
    require_on_application(by, "care_offer.onboarding.tick", application)
    if application.status != S.ACCEPTED:
        raise CareOfferError(_("The onboarding checklist starts once the application is accepted."))
    if item.network_id != application.network_id:
        raise CareOfferError(_("This item belongs to another network."))
    if done:
        try:
            with transaction.atomic():
                OnboardingTick.objects.create(application=application, item=item, done_by=by)
        except IntegrityError:
            return False  # already ticked (double click, two tabs)
    elif not OnboardingTick.objects.filter(application=application, item=item).delete()[0]:
        return False
    log_action(application, "care_offer.onboarding.ticked" if done else "care_offer.onboarding.unticked", by=by,
               before={item.code: not done}, after={item.code: done})
    return True


# ---- co-facilitators ----------------------------------------------------------------------------------------

CO_FACILITATOR_FIELDS = ["first_name", "last_name", "kind", "organisation", "profession", "email", "phone",
                         "languages", "is_active"]


def _values(obj, fields):
    return {f: (getattr(obj, f"{f}_id") if f == "organisation" else getattr(obj, f)) for f in fields}


@transaction.atomic
def co_facilitator_save(*, network, by, co_facilitator=None, **data):
    before = _values(co_facilitator, CO_FACILITATOR_FIELDS) if co_facilitator else {}
    if data.get("organisation") is not None and data["organisation"].network_id != network.pk:
        raise CareOfferError(_("Choose an organisation of the network."), field="organisation")
    co_facilitator = co_facilitator or CoFacilitator(network=network)
    for key, value in data.items():
        setattr(co_facilitator, key, value)
    co_facilitator.save()
    log_action(co_facilitator, "care_offer.co_facilitator.saved", by=by, before=before,
               after=_values(co_facilitator, CO_FACILITATOR_FIELDS))
    return co_facilitator


# ---- priorities ----------------------------------------------------------------------------------------------

PRIORITY_FIELDS = ["code", "name_fr", "name_nl", "description", "is_active"]


@transaction.atomic
def priority_save(*, network, by, priority=None, **data):
    before = _values(priority, PRIORITY_FIELDS) if priority else {}
    if Priority.objects.filter(network=network, code=data["code"]).exclude(pk=getattr(priority, "pk", None)).exists():
        raise CareOfferError(_("The network already has a priority with this code."), field="code")
    priority = priority or Priority(network=network)
    for key, value in data.items():
        setattr(priority, key, value)
    priority.save()
    log_action(priority, "care_offer.priority.saved", by=by, before=before, after=_values(priority, PRIORITY_FIELDS))
    return priority


@transaction.atomic
def priority_tag(*, priority, target, by):
    """Tag any object of the same network with a priority (requests, agreements, missions, clairvisions)."""
    from django.contrib.contenttypes.models import ContentType

    network_id = getattr(target, "network_id", None)
    if network_id != priority.network_id:
        raise CareOfferError(_("The priority and the item belong to different networks."))
    if not priority.is_active:
        raise CareOfferError(_("This priority is no longer active."))
    tag, created = PriorityTag.objects.get_or_create(
        priority=priority, content_type=ContentType.objects.get_for_model(target.__class__), object_id=target.pk,
        defaults={"tagged_by": by})
    if created:
        log_action(target, "care_offer.priority.tagged", by=by, network=priority.network,
                   after={"priority": priority.code})
    return tag


@transaction.atomic
def priority_untag(*, priority, target, by):
    from django.contrib.contenttypes.models import ContentType

    deleted, _rows = PriorityTag.objects.filter(
        priority=priority, content_type=ContentType.objects.get_for_model(target.__class__),
        object_id=target.pk).delete()
    if deleted:
        log_action(target, "care_offer.priority.untagged", by=by, network=priority.network,
                   before={"priority": priority.code})
    return bool(deleted)


# ---- clairvisions -------------------------------------------------------------------------------------------


@transaction.atomic
def clairvision_record(*, network, by, held_on, format, participants, themes, themes_other="", place=None,
                       place_text="", psychologist=None, priorities=()):
    if place is None and not place_text.strip():
        raise CareOfferError(_("Choose the place or describe it."), field="place_text")
    if place is not None and place.network_id != network.pk:
        raise CareOfferError(_("Choose a place of the network."), field="place")
    if format == ClairvisionFormat.INDIVIDUAL and participants != 1:
        raise CareOfferError(_("An individual clairvision has one participant."), field="participants")
    if held_on > timezone.localdate():
        raise CareOfferError(_("A clairvision is recorded once it took place: the date is in the future."),
                             field="held_on")
    if not themes and not themes_other.strip():
        raise CareOfferError(_("Give at least one theme."), field="themes")
    clairvision = Clairvision.objects.create(
        network=network, held_on=held_on, place=place, place_text=place_text.strip() if place is None else "",
        format=format, participants=participants, themes=list(themes), themes_other=themes_other.strip(),
        psychologist=psychologist, recorded_by=by)
    log_action(clairvision, "care_offer.clairvision.recorded", by=by,
               after={"held_on": str(held_on), "place": place.pk if place else clairvision.place_text,
                      "format": format, "participants": participants, "themes": list(themes),
                      "psychologist": psychologist.pk if psychologist else None})
    for priority in priorities:
        priority_tag(priority=priority, target=clairvision, by=by)
    return clairvision


# ---- outreaching eligibility -----------------------------------------------------------------------------

HOME_RULE = gettext_lazy("A session at the person's home counts as outreaching (PSYNAM partner presentation).")


def outreach_place_check(organisation):
    """(ok, rule_text): may sessions at this organisation count as outreaching? The organisation's override wins
    over its type's rule; a type without a rule is refused (nobody decided it yet). ``None`` is the person's home.
    The text quotes the rule applied, in the active language."""
    if organisation is None:
        return True, str(HOME_RULE)
    override = PlaceEligibilityOverride.objects.filter(organisation_id=organisation.pk).first()
    if override is not None:
        return override.eligible, _("%(place)s: %(reason)s (decision of the network)") % {
            "place": organisation.name, "reason": override.reason}
    rule = PlaceTypeEligibility.objects.filter(place_kind=organisation.kind).first()
    if rule is None:
        return False, _("No outreaching rule is recorded for places of the type “%(kind)s”: the network "
                        "coordinator decides it first.") % {"kind": organisation.get_kind_display()}
    return rule.eligible, rule.reason


@transaction.atomic
def place_override_save(*, organisation, eligible, reason, by):
    permissions.require(by, "care_offer.eligibility.manage", organisation)
    reason = (reason or "").strip()
    if not reason:
        raise CareOfferError(_("Say why this place differs from its type."), field="reason")
    existing = PlaceEligibilityOverride.objects.select_for_update().filter(organisation=organisation).first()
    before = {"eligible": existing.eligible, "reason": existing.reason} if existing else {}
    override, _created = PlaceEligibilityOverride.objects.update_or_create(
        organisation=organisation, defaults={"eligible": eligible, "reason": reason, "set_by": by,
                                             "set_at": timezone.now()})
    log_action(organisation, "care_offer.place_eligibility.set", by=by, before=before,
               after={"eligible": eligible, "reason": reason})
    return override


@transaction.atomic
def place_override_remove(*, organisation, by):
    permissions.require(by, "care_offer.eligibility.manage", organisation)
    existing = PlaceEligibilityOverride.objects.filter(organisation=organisation).first()
    if existing is None:
        return False
    before = {"eligible": existing.eligible, "reason": existing.reason}
    existing.delete()
    log_action(organisation, "care_offer.place_eligibility.removed", by=by, before=before)
    return True


# ---- network conditions of an offer ------------------------------------------------------------------------


@transaction.atomic
def offer_condition_save(*, network, offer, conditions, by):
    existing = NetworkOfferCondition.objects.select_for_update().filter(network=network, offer=offer).first()
    before = {"conditions": existing.conditions} if existing else {}
    obj, _created = NetworkOfferCondition.objects.update_or_create(
        network=network, offer=offer, defaults={"conditions": conditions.strip(), "updated_by": by})
    log_action(obj, "care_offer.offer_condition.saved", by=by, network=network, before=before,
               after={"offer": offer, "conditions": obj.conditions})
    return obj
