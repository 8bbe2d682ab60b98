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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from psynet import permissions
from psynet.audit import log_action
from psynet.models import Employment, Psychologist
from psynet.services import convention_save, psychologist_create
from psynet.validators import normalise_inami

from .models import (
    ApplicationDocument, ApplicationStatus, CareOfferSettings, Clairvision, ClairvisionFormat, CoFacilitator,
    NetworkOfferCondition, OnboardingItem, OnboardingTick, PlaceEligibilityOverride, PlaceTypeEligibility, Priority,
    PriorityTag, ProviderApplication, ProviderProfile,
)

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
def care_offer_settings_update(*, network, by, min_years_practice, accepts_applications):
    obj = CareOfferSettings.objects.select_for_update().get(pk=settings_for(network).pk)
    before = {"min_years_practice": obj.min_years_practice, "accepts_applications": obj.accepts_applications}
    obj.min_years_practice = min_years_practice
    obj.accepts_applications = accepts_applications
    obj.save()
    log_action(obj, "care_offer.settings.updated", by=by, network=network, before=before,
               after={"min_years_practice": min_years_practice, "accepts_applications": accepts_applications})
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
    return application


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
    return [to for (frm, to), action in APPLICATION_TRANSITIONS.items()
            if frm == application.status and permissions.can(user, action, application)]


def _transition(application, *, to, by, expected_version=None, fields=(), after_extra=None):
    locked = ProviderApplication.objects.select_for_update().get(pk=application.pk)
    if expected_version is not None and locked.version != int(expected_version):
        raise EditConflict(_("Someone else changed this application in the meantime; reload the page."))
    action = APPLICATION_TRANSITIONS.get((locked.status, to))
    if action is None:
        raise InvalidTransition(_("An application that is “%(from)s” cannot become “%(to)s”.")
                                % {"from": S(locked.status).label, "to": S(to).label})
    permissions.require(by, action, locked)
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
    return locked


@transaction.atomic
def application_review(*, application, by, note="", expected_version=None):
    return _transition(application, to=S.REVIEWED, by=by, expected_version=expected_version,
                       fields=["reviewed_at", "reviewed_by", "review_note"],
                       after_extra={"reviewed_at": timezone.now(), "reviewed_by": by, "review_note": note})


@transaction.atomic
def application_plan_interview(*, application, by, interview_at, expected_version=None):
    return _transition(application, to=S.INTERVIEW, by=by, expected_version=expected_version,
                       fields=["interview_at", "interview_planned_by"],
                       after_extra={"interview_at": interview_at, "interview_planned_by": by})


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
    permissions.require(by, "care_offer.application.decide", locked)
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


@transaction.atomic
def onboarding_toggle(*, application, item, done, by):
    permissions.require(by, "care_offer.onboarding.tick", application)
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
