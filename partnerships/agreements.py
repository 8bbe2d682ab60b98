"""Services of the tripartite agreement ("document de tripartenariat", seed 003): network + partner +
conventioned psychologist.

draft → sent for signature → signed (by all three) → active (from its start date) → ended (after its end date)
or terminated; a party may decline with a reason (→ declined, then a new version is drafted and sent again).

Each version keeps its exact text and the SHA-256 of it; a signature records the party, name, time, address,
browser and that hash. A version once sent for signature, or signed by anyone, never changes: any change makes a
new version with no signatures. Signing with the hash of a text that is no longer the current one is refused
with the reason. The partner signs through a private link plus a one-time code e-mailed to the signatory; the
psychologist and the network's signatory (a network coordinator) sign logged in, in the order set per agreement."""
import datetime as dt

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from psynet import permissions as core
from psynet.audit import log_action
from psynet.models import Role
from psynet.services import notify

from . import services
from .choices import (
    DEFAULT_SIGNING_ORDER,
    AgreementStatus,
    Article8Mission,
    CoFacilitator,
    Modality,
    Party,
)
from .models import Agreement, AgreementVersion, SentReminder, Signature, SigningCode, sha256_hex
from .permissions import require_on_agreement, require_on_request
from .services import PartnershipError, _absolute
from .tokens import code_matches, hash_token, new_code, new_token

S = AgreementStatus
CODE_MINUTES = 15
CODE_ATTEMPTS = 5
PARTNER_SIGNATURE_METHOD = "private link + one-time code sent by e-mail"
LOGGED_IN_METHOD = "logged in to the portal"
EDITABLE = [S.DRAFT, S.SENT, S.DECLINED]

AGREEMENT_TRANSITIONS = {
    (S.DRAFT, S.SENT): ("agreement.draft", "sent"),
    (S.DECLINED, S.SENT): ("agreement.draft", "sent"),
    (S.SENT, S.DRAFT): ("agreement.draft", "reopened"),
    (S.DECLINED, S.DRAFT): ("agreement.draft", "reopened"),
    (S.SENT, S.DECLINED): (None, "declined"),
    (S.SENT, S.SIGNED): (None, "signed_by_all"),
    (S.SIGNED, S.ACTIVE): (None, "activated"),
    (S.ACTIVE, S.ENDED): (None, "ended"),
    **{(s, S.TERMINATED): ("agreement.terminate", "terminated") for s in [S.DRAFT, S.SENT, S.DECLINED, S.SIGNED,
                                                                         S.ACTIVE]},
}

TERMS = ["partner_name", "partner_enterprise_number", "partner_address", "partner_signatory_name",
         "partner_signatory_role", "partner_signatory_email", "psychologist", "network_signatory", "zone",
         "starts_on", "ends_on", "hours_per_period", "hours_unit", "total_hours", "modalities", "article8_hours",
         "place_address", "place_room", "target_public", "age_groups", "co_facilitators", "co_facilitator_names",
         "conditions", "signing_order", "language", "organisation", "co_facilitator_ids"]
# Agreements that can still be carried out (their outreaching places are checked and listed).
LIVE = [S.DRAFT, S.SENT, S.DECLINED, S.SIGNED, S.ACTIVE]


class AgreementRefused(PartnershipError):
    pass


class TextChanged(AgreementRefused):
    """The signer read a text that is no longer the current version's."""

    def __init__(self, version):
        self.version = version
        super().__init__(_("The text of this agreement changed after you opened it: version %(number)s is now the "
                           "text to sign (fingerprint %(short)s…). Read it again before signing; nothing was signed.")
                         % {"number": version.number, "short": version.sha256[:12]})


def _locked(agreement):
    return (Agreement.objects.select_for_update(of=("self",))
            .select_related("network", "psychologist", "request").get(pk=agreement.pk))


def _transition(agreement, *, to, by, fields=(), extra=None, actor_label=""):
    key = (agreement.status, to)
    if key not in AGREEMENT_TRANSITIONS:
        raise AgreementRefused(_("This action is not possible while the agreement is “%(status)s”.")
                               % {"status": agreement.get_status_display()})
    action, name = AGREEMENT_TRANSITIONS[key]
    if action is not None and by is not None:
        require_on_agreement(by, action, agreement)
    old = agreement.status
    agreement.status = to
    agreement.save(update_fields=["status", "updated_at", *fields])
    log_action(agreement, f"partnerships.agreement.{name}", by=by, actor_label=actor_label or ("" if by else "system"),
               before={"status": old}, after={"status": to, **(extra or {})})
    return agreement


def current_version(agreement):
    return agreement.versions.order_by("-number").first()


def next_party(agreement, version=None):
    """The party whose turn it is to sign the current version, or None when all have signed."""
    version = version or current_version(agreement)
    if version is None:
        return None
    signed = {s.party for s in version.signatures.all()}
    for party in agreement.order:
        if party not in signed:
            return party
    return None


def _values(agreement):
    values = {}
    for name in TERMS:
        value = getattr(agreement, name)
        if name in ("psychologist", "network_signatory", "zone", "organisation"):
            value = getattr(agreement, f"{name}_id")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif hasattr(value, "as_tuple"):
            value = str(value)
        values[name] = value
    return values


def render_text(agreement):
    """The exact text the parties sign, in the agreement's language. Normalised so that the same terms always
    give the same bytes (and the same SHA-256)."""
    with translation.override(agreement.language):
        text = render_to_string("partnerships/agreement/text.txt", text_context(agreement))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    cleaned, blank = [], False
    for line in lines:
        if not line:
            if not blank and cleaned:
                cleaned.append("")
            blank = True
            continue
        cleaned.append(line)
        blank = False
    return "\n".join(cleaned).strip() + "\n"


def text_context(agreement):
    from .selectors import article8_hours

    article8 = [{"label": str(Article8Mission(k).label), "hours": v} for k, v in (agreement.article8_hours or {}).items()
                if k in Article8Mission.values and v]
    # Labels as plain strings: the text is rendered with autoescape off, where |join cannot join lazy strings.
    return {
        "a": agreement, "network": agreement.network, "psychologist": agreement.psychologist,
        "modalities": [str(m) for m in agreement.get_modality_labels()], "article8": article8,
        "article8_total": article8_hours(agreement),
        "co_facilitators": _recorded_co_facilitators(agreement) + [
            str(CoFacilitator(c).label) for c in agreement.co_facilitators if c in CoFacilitator.values],
        "order": [str(Party(p).label) for p in agreement.order],
        "age_groups": [str(_age_label(a)) for a in agreement.age_groups],
    }


def _recorded_co_facilitators(agreement):
    """The network's recorded co-facilitators named in the agreement (care_offer), as "name (kind)"."""
    if not agreement.co_facilitator_ids:
        return []
    from care_offer.selectors import co_facilitators_in

    people = co_facilitators_in(agreement.network, include_inactive=True).filter(pk__in=agreement.co_facilitator_ids)
    return [f"{c} ({c.get_kind_display()})" for c in people]


def outreach_place(agreement):
    """The place whose outreaching eligibility the agreement's individual sessions depend on: its organisation,
    else the partner as described in the request (an unsaved organisation of the request's place type), else
    None (only an address: nothing to check)."""
    from psynet.models import Organisation

    if agreement.organisation_id:
        return agreement.organisation
    if agreement.request_id and agreement.request.place_type:
        return Organisation(name=agreement.partner_name, kind=agreement.request.place_type,
                            network_id=agreement.network_id)
    return None


def outreach_refusal(agreement):
    """The rule quoted when the agreement lists outreaching (individual sessions at the partner) at a place where
    sessions cannot count as outreaching (care_offer's rule), else None."""
    if Modality.INDIVIDUAL not in (agreement.modalities or []):
        return None
    place = outreach_place(agreement)
    if place is None:
        return None
    from care_offer.services import outreach_place_check

    ok, rule = outreach_place_check(place)
    if ok:
        return None
    return _("Individual sessions at %(place)s cannot count as outreaching: %(rule)s") % {
        "place": place.name, "rule": rule}


def _age_label(value):
    from .choices import AgeGroup

    return AgeGroup(value).label if value in AgeGroup.values else value


def _check_terms(agreement):
    errors = []
    if agreement.ends_on < agreement.starts_on:
        errors.append(_("The end comes before the start."))
    if not agreement.modalities and not any(v for v in (agreement.article8_hours or {}).values()):
        errors.append(_("Choose at least one modality or article 8 mission."))
    if any(m not in Modality.values for m in agreement.modalities):
        errors.append(_("Unknown modality."))
    if any(k not in Article8Mission.values for k in (agreement.article8_hours or {})):
        errors.append(_("Unknown article 8 mission."))
    order = list(agreement.signing_order or [])
    if sorted(order) != sorted(DEFAULT_SIGNING_ORDER):
        errors.append(_("The signing order must name the partner, the psychologist and the network once each."))
    if agreement.total_hours <= 0 or agreement.hours_per_period <= 0:
        errors.append(_("Give the hours."))
    if core.role_in(agreement.network_signatory, agreement.network) != Role.NETWORK_COORDINATOR:
        errors.append(_("The network's signatory must be a network coordinator."))
    from .selectors import current_conventions

    if not current_conventions(agreement.network, on=max(agreement.starts_on, timezone.localdate())).filter(
            psychologist=agreement.psychologist).exists() and not current_conventions(agreement.network).filter(
            psychologist=agreement.psychologist).exists():
        errors.append(_("The psychologist has no current convention with the network."))
    if agreement.zone_id and agreement.zone.network_id != agreement.network_id:
        errors.append(_("The zone is not one of the network's."))
    if agreement.organisation_id and agreement.organisation.network_id != agreement.network_id:
        errors.append(_("The place is not one of the network's."))
    if agreement.co_facilitator_ids:
        from care_offer.selectors import co_facilitators_in

        known = set(co_facilitators_in(agreement.network, include_inactive=True)
                    .filter(pk__in=agreement.co_facilitator_ids).values_list("pk", flat=True))
        if known != set(agreement.co_facilitator_ids):
            errors.append(_("Choose co-facilitators recorded by the network."))
    refusal = outreach_refusal(agreement)
    if refusal:
        errors.append(refusal)
    if errors:
        raise AgreementRefused(" ".join(str(e) for e in errors))


@transaction.atomic
def agreement_create(*, network, by, partnership_request=None, priorities=None, **terms):
    core.require(by, "agreement.draft", network)
    if partnership_request is not None:
        require_on_request(by, "agreement.draft", partnership_request, network)
        if partnership_request.network_id != network.pk:
            raise AgreementRefused(_("The request belongs to another network."))
    terms.setdefault("signing_order", list(DEFAULT_SIGNING_ORDER))
    agreement = Agreement(network=network, request=partnership_request, created_by=by, **terms)
    _check_terms(agreement)
    agreement.save()
    text = render_text(agreement)
    version = AgreementVersion.objects.create(agreement=agreement, number=1, content=_values(agreement), text=text,
                                              sha256=sha256_hex(text), created_by=by)
    log_action(agreement, "partnerships.agreement.created", by=by,
               after={"version": 1, "sha256": version.sha256,
                      "request": partnership_request.pk if partnership_request else None})
    if priorities is not None:
        services.priorities_set(agreement, network=network, priorities=priorities, by=by)
    if partnership_request is not None:
        services.mark_agreement(partnership_request, by=by)
    return agreement


@transaction.atomic
def agreement_update(*, agreement, by, priorities=None, **terms):
    """Change the terms. A version already sent or signed by anyone is kept as it is: the change becomes a new
    version without signatures, and a sent agreement goes back to draft until it is sent again."""
    agreement = _locked(agreement)
    require_on_agreement(by, "agreement.draft", agreement)
    if agreement.status not in EDITABLE:
        raise AgreementRefused(_("A signed agreement cannot be changed: terminate it and draft a new one."))
    version = current_version(agreement)
    before = _values(agreement)
    for key, value in terms.items():
        if key not in TERMS:
            raise AgreementRefused(_("Unknown field."))
        setattr(agreement, key, value)
    _check_terms(agreement)
    if priorities is not None:  # metadata of the network, not part of the signed text
        services.priorities_set(agreement, network=agreement.network, priorities=priorities, by=by)
    after = _values(agreement)
    changed = sorted(k for k in TERMS if before[k] != after[k])
    if not changed:
        return agreement
    text = render_text(agreement)
    agreement.save()
    keep_version = version.sent_at is None and not version.signatures.exists()
    if keep_version:
        version.content, version.text, version.sha256 = after, text, sha256_hex(text)
        version.save(update_fields=["content", "text", "sha256"])
    else:
        version = AgreementVersion.objects.create(agreement=agreement, number=version.number + 1, content=after,
                                                  text=text, sha256=sha256_hex(text), created_by=by)
    log_action(agreement, "partnerships.agreement.updated", by=by,
               before={k: before[k] for k in changed},
               after={**{k: after[k] for k in changed}, "version": version.number, "sha256": version.sha256})
    if agreement.status in (S.SENT, S.DECLINED):
        agreement.declined_by, agreement.decline_reason = "", ""
        _transition(agreement, to=S.DRAFT, by=by, fields=["declined_by", "decline_reason"],
                    extra={"version": version.number})
    return agreement


def partner_link(raw_token):
    return _absolute(reverse("collaboration:agreement", args=[raw_token]))


def _partner_email(agreement, *, template, context):
    from psynet.tasks import send_email_task

    with translation.override(agreement.language):
        ctx = {"a": agreement, "network": agreement.network, **context}
        subject = render_to_string(f"partnerships/email/{template}_subject.txt", ctx).strip()
        body = render_to_string(f"partnerships/email/{template}_body.txt", ctx)
    to = [agreement.partner_signatory_email]
    transaction.on_commit(lambda: send_email_task.delay(to=to, subject=subject, body=body))


def _notify_user(user, agreement, *, key, template, extra=None):
    if user is None:
        return
    notify(recipient=user, key=f"partnerships:agreement:{agreement.pk}:{key}", network=agreement.network,
           url=reverse("partnerships:agreement_detail", args=[agreement.pk]),
           template=f"partnerships/email/{template}", context={"a": agreement, "user": user, **(extra or {})})


def _new_partner_link(agreement):
    raw, digest = new_token()
    days = services.settings_for(agreement.network).link_validity_days
    agreement.partner_token_hash = digest
    agreement.partner_token_expires_at = timezone.now() + dt.timedelta(days=days)
    return raw


def _tell_next(agreement, version, *, reason):
    """Tell the party whose turn it is (the partner by e-mail with a fresh link, others by notification)."""
    party = next_party(agreement, version)
    if party == Party.PARTNER:
        raw = _new_partner_link(agreement)
        agreement.save(update_fields=["partner_token_hash", "partner_token_expires_at"])
        _partner_email(agreement, template="agreement_to_sign",
                       context={"link": partner_link(raw), "version": version})
    elif party == Party.PSYCHOLOGIST:
        _notify_user(agreement.psychologist.user, agreement, key=f"v{version.number}:{reason}:psychologist",
                     template="agreement_to_sign_user", extra={"version": version})
    elif party == Party.NETWORK:
        _notify_user(agreement.network_signatory, agreement, key=f"v{version.number}:{reason}:network",
                     template="agreement_to_sign_user", extra={"version": version})
    return party


@transaction.atomic
def agreement_send(*, agreement, by):
    agreement = _locked(agreement)
    require_on_agreement(by, "agreement.draft", agreement)
    if agreement.psychologist.user_id is None:
        raise AgreementRefused(_("The psychologist has no account on the portal and cannot sign: invite them "
                                 "first."))
    version = current_version(agreement)
    now = timezone.now()
    if version.sent_at is None:
        version.sent_at = now
        version.save(update_fields=["sent_at"])
    agreement.sent_at = now
    agreement.declined_by, agreement.decline_reason = "", ""
    _transition(agreement, to=S.SENT, by=by, fields=["sent_at", "declined_by", "decline_reason"],
                extra={"version": version.number, "sha256": version.sha256})
    party = _tell_next(agreement, version, reason=f"sent{now:%Y%m%d%H%M%S}")
    if party != Party.PARTNER:
        # The partner learns that a text is on its way even when another party signs first.
        raw = _new_partner_link(agreement)
        agreement.save(update_fields=["partner_token_hash", "partner_token_expires_at"])
        _partner_email(agreement, template="agreement_sent", context={"link": partner_link(raw), "version": version})
    return agreement


def find_by_partner_token(raw_token):
    if not raw_token or len(raw_token) > 100:
        return None
    agreement = (Agreement.objects.select_related("network", "psychologist", "request")
                 .filter(partner_token_hash=hash_token(raw_token)).first())
    if agreement is None or agreement.partner_token_expires_at is None:
        return None
    if agreement.partner_token_expires_at <= timezone.now():
        return None
    return agreement


@transaction.atomic
def agreement_send_code(*, agreement):
    """E-mail a one-time code to the partner's signatory (previous unused codes stop working)."""
    agreement = _locked(agreement)
    if agreement.status != S.SENT or next_party(agreement) != Party.PARTNER:
        raise AgreementRefused(_("The agreement does not wait for the partner's signature."))
    now = timezone.now()
    agreement.signing_codes.filter(used_at__isnull=True).update(used_at=now)
    code, digest = new_code()
    SigningCode.objects.create(agreement=agreement, code_hash=digest,
                               expires_at=now + dt.timedelta(minutes=CODE_MINUTES))
    log_action(agreement, "partnerships.agreement.code_sent", actor_label=services.PARTNER_LINK,
               after={"to": agreement.partner_signatory_email})
    _partner_email(agreement, template="agreement_code", context={"code": code, "minutes": CODE_MINUTES})
    return True


class WrongCode(AgreementRefused):
    pass


def _use_code(agreement, code):
    """Spend the partner's one-time code; returns the refusal (not raised, so a wrong attempt is counted)."""
    signing_code = agreement.signing_codes.select_for_update().filter(used_at__isnull=True).first()
    if signing_code is None or signing_code.expires_at <= timezone.now():
        return AgreementRefused(_("The code has expired or was not requested: ask for a new one."))
    if signing_code.attempts >= CODE_ATTEMPTS:
        return AgreementRefused(_("Too many wrong codes: ask for a new one."))
    if not code_matches(code, signing_code.code_hash):
        signing_code.attempts += 1
        signing_code.save(update_fields=["attempts"])
        return WrongCode(_("This code is not the one we sent. Check the last e-mail and try again."))
    signing_code.used_at = timezone.now()
    signing_code.save(update_fields=["used_at"])
    return None


def _signing_refusal(agreement, version, *, party, name, text_sha256, by):
    """Why this signature cannot be recorded, or None. A changed text is audited."""
    if (text_sha256 or "").strip().lower() != version.sha256:
        log_action(agreement, "partnerships.agreement.signature_refused", by=by,
                   actor_label="" if by else services.PARTNER_LINK,
                   after={"party": party, "reason": "text changed", "presented_sha256": (text_sha256 or "")[:64],
                          "current_sha256": version.sha256, "version": version.number})
        return TextChanged(version)
    if agreement.status != S.SENT:
        return AgreementRefused(_("This agreement is not open for signature (status: %(status)s).")
                                % {"status": agreement.get_status_display()})
    if party not in Party.values:
        return AgreementRefused(_("Unknown party."))
    if party in {s.party for s in version.signatures.all()}:
        return AgreementRefused(_("This party has already signed this version."))
    expected = next_party(agreement, version)
    if party != expected:
        return AgreementRefused(_("The %(party)s signs first.") % {"party": Party(expected).label})
    if not (name or "").strip():
        return AgreementRefused(_("Type your name to sign."))
    if party == Party.PSYCHOLOGIST:
        require_on_agreement(by, "agreement.sign_psychologist", agreement)
    elif party == Party.NETWORK:
        require_on_agreement(by, "agreement.sign_network", agreement)
        if agreement.network_signatory_id != by.pk:
            return AgreementRefused(_("Only the network's signatory named in the agreement may sign for the "
                                      "network."))
    return None


def agreement_sign(*, agreement, party, name, text_sha256, ip_address, user_agent, by=None, code=None):
    """Record one party's signature of the current version, or raise the reason it is refused. The refusal's
    audit entry and a wrong code's attempt are kept (the transaction commits before the refusal is raised)."""
    if party == Party.PARTNER:
        by = None
    with transaction.atomic():
        agreement = _locked(agreement)
        version = current_version(agreement)
        refusal = _signing_refusal(agreement, version, party=party, name=name, text_sha256=text_sha256, by=by)
        if refusal is None and party == Party.PARTNER:
            refusal = _use_code(agreement, code)
        if refusal is None:
            return _record_signature(agreement, version, party=party, name=name.strip()[:200], by=by,
                                     ip_address=ip_address, user_agent=user_agent)
    raise refusal


def _record_signature(agreement, version, *, party, name, by, ip_address, user_agent):
    method = PARTNER_SIGNATURE_METHOD if party == Party.PARTNER else LOGGED_IN_METHOD
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                version=version, party=party, name=name, user=by, method=method, signed_at=timezone.now(),
                ip_address=ip_address or None, user_agent=(user_agent or "")[:400], text_sha256=version.sha256)
    except IntegrityError:
        raise AgreementRefused(_("This party has already signed this version.")) from None
    log_action(agreement, "partnerships.agreement.signed", by=by,
               actor_label=f"{name} ({services.PARTNER_LINK})" if party == Party.PARTNER else "",
               after={"party": party, "name": name, "version": version.number, "sha256": version.sha256,
                      "ip_address": ip_address, "user_agent": (user_agent or "")[:200], "method": method})
    if next_party(agreement, version) is None:
        _all_signed(agreement, version)
    else:
        _tell_next(agreement, version, reason=f"after-{party}")
    return signature


def _all_signed(agreement, version):
    from .tasks import agreement_pdf_task

    agreement.signed_at = timezone.now()
    _transition(agreement, to=S.SIGNED, by=None, fields=["signed_at"],
                extra={"version": version.number, "sha256": version.sha256})
    if agreement.starts_on <= timezone.localdate():
        _activate(agreement)
    pk = agreement.pk
    transaction.on_commit(lambda: agreement_pdf_task.delay(agreement_id=pk))
    for user in {agreement.psychologist.user, agreement.network_signatory, agreement.created_by} - {None}:
        _notify_user(user, agreement, key=f"v{version.number}:signed", template="agreement_signed")
    _partner_email(agreement, template="agreement_signed_partner", context={"version": version})


def _activate(agreement):
    agreement.activated_at = timezone.now()
    _transition(agreement, to=S.ACTIVE, by=None, fields=["activated_at"])
    if agreement.request_id:
        services.mark_active(agreement.request)


@transaction.atomic
def agreement_decline(*, agreement, party, reason, by=None):
    agreement = _locked(agreement)
    reason = (reason or "").strip()
    if not reason:
        raise AgreementRefused(_("Give the reason for declining."))
    if agreement.status != S.SENT:
        raise AgreementRefused(_("This agreement is not open for signature (status: %(status)s).")
                               % {"status": agreement.get_status_display()})
    if party == Party.PSYCHOLOGIST:
        require_on_agreement(by, "agreement.sign_psychologist", agreement)
    elif party == Party.NETWORK:
        require_on_agreement(by, "agreement.sign_network", agreement)
    elif party != Party.PARTNER:
        raise AgreementRefused(_("Unknown party."))
    agreement.declined_by = party
    agreement.decline_reason = reason[:2000]
    _transition(agreement, to=S.DECLINED, by=by if party != Party.PARTNER else None,
                actor_label=services.PARTNER_LINK if party == Party.PARTNER else "",
                fields=["declined_by", "decline_reason"], extra={"party": party, "reason": reason[:500]})
    for user in {agreement.created_by, agreement.network_signatory} - {None, by}:
        _notify_user(user, agreement, key=f"declined:{timezone.now():%Y%m%d%H%M%S%f}", template="agreement_declined",
                     extra={"party": Party(party).label, "reason": reason})
    return agreement


@transaction.atomic
def agreement_terminate(*, agreement, by, reason):
    agreement = _locked(agreement)
    reason = (reason or "").strip()
    if not reason:
        raise AgreementRefused(_("Give the reason for the termination."))
    agreement.termination_reason = reason
    agreement.ended_at = timezone.now()
    _transition(agreement, to=S.TERMINATED, by=by, fields=["termination_reason", "ended_at"],
                extra={"reason": reason[:500]})
    if agreement.request_id:
        services.mark_completed(agreement.request)
    return agreement


def agreements_advance(*, today=None):
    """Start the signed agreements whose start date came; end the active ones whose end date passed."""
    today = today or timezone.localdate()
    changed = []
    for pk in Agreement.objects.filter(status=S.SIGNED, starts_on__lte=today).values_list("pk", flat=True):
        with transaction.atomic():
            agreement = Agreement.objects.select_for_update().get(pk=pk)
            if agreement.status == S.SIGNED:
                _activate(agreement)
                changed.append(pk)
    for pk in Agreement.objects.filter(status=S.ACTIVE, ends_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            agreement = Agreement.objects.select_for_update().get(pk=pk)
            if agreement.status == S.ACTIVE:
                agreement.ended_at = timezone.now()
                _transition(agreement, to=S.ENDED, by=None, fields=["ended_at"])
                if agreement.request_id:
                    services.mark_completed(agreement.request)
                changed.append(pk)
    return changed


def agreement_reminders_send(*, today=None):
    """Unsigned 7 days after sending: the party whose turn it is. Ending within 30 days: the network's
    signatory, the local coordinators of the zone and the psychologist. Each once per recipient and step."""
    today = today or timezone.localdate()
    sent = []
    limit = timezone.now() - dt.timedelta(days=7)
    for agreement in (Agreement.objects.filter(status=S.SENT, sent_at__lte=limit)
                      .select_related("network", "psychologist__user", "network_signatory")):
        version = current_version(agreement)
        party = next_party(agreement, version)
        step = f"agreement:{agreement.pk}:v{version.number}:unsigned:{party}"
        if party == Party.PARTNER:
            email = agreement.partner_signatory_email
            try:
                with transaction.atomic():
                    SentReminder.objects.create(step=step, recipient_email=email.lower(), agreement=agreement)
                    # The reminder carries a fresh link (only hashes are kept); the previous one stops working.
                    raw = _new_partner_link(agreement)
                    agreement.save(update_fields=["partner_token_hash", "partner_token_expires_at"])
                    _partner_email(agreement, template="agreement_to_sign",
                                   context={"link": partner_link(raw), "version": version, "reminder": True})
            except IntegrityError:
                continue
            sent.append((email, step))
        else:
            user = agreement.psychologist.user if party == Party.PSYCHOLOGIST else agreement.network_signatory
            if user is not None:
                sent += services._remind(step=step, users=[user], template="partnerships/email/agreement_unsigned",
                                         context={"a": agreement, "version": version}, network=agreement.network,
                                         url=reverse("partnerships:agreement_detail", args=[agreement.pk]),
                                         agreement=agreement)
    for agreement in (Agreement.objects.filter(status=S.ACTIVE, ends_on__gte=today,
                                               ends_on__lte=today + dt.timedelta(days=30))
                      .select_related("network", "psychologist__user", "network_signatory", "zone")):
        users = [agreement.network_signatory]
        if agreement.zone_id:
            users += services._members([agreement.network], [Role.LOCAL_COORDINATOR], [agreement.zone])
        if agreement.psychologist.user:
            users.append(agreement.psychologist.user)
        unique = list({u.pk: u for u in users if u is not None}.values())
        sent += services._remind(step=f"agreement:{agreement.pk}:ending:{agreement.ends_on}", users=unique,
                                 template="partnerships/email/agreement_ending", context={"a": agreement},
                                 network=agreement.network,
                                 url=reverse("partnerships:agreement_detail", args=[agreement.pk]),
                                 agreement=agreement)
    return sent


# ---- PDF ---------------------------------------------------------------------------------------------------


def pdf_context(agreement):
    from psynet.selectors import audit_for

    from .pdf import fonts

    version = current_version(agreement)
    signatures = list(version.signatures.order_by("signed_at"))
    return {"a": agreement, "network": agreement.network, "version": version, "signatures": signatures,
            "events": list(audit_for(agreement).order_by("at", "pk")[:500]), "fonts": fonts(),
            "generated_at": timezone.now()}


def agreement_render_pdf(*, agreement_id):
    """Render the signed agreement to PDF and keep it privately. Skips a PDF already made for this version."""
    from .pdf import render

    agreement = Agreement.objects.select_related("network", "psychologist").get(pk=agreement_id)
    if agreement.status not in (S.SIGNED, S.ACTIVE, S.ENDED, S.TERMINATED) or agreement.signed_at is None:
        return False
    version = current_version(agreement)
    if agreement.pdf and agreement.pdf.name.endswith(f"-v{version.number}.pdf"):
        return False
    data = render(agreement)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
        agreement.pdf.save(f"{agreement.reference}-v{version.number}.pdf", ContentFile(data), save=False)
        agreement.pdf_sha256 = sha256_hex(data)
        agreement.save(update_fields=["pdf", "pdf_sha256", "updated_at"])
        log_action(agreement, "partnerships.agreement.pdf_stored", actor_label="system",
                   after={"version": version.number, "pdf_sha256": agreement.pdf_sha256})
    return True
