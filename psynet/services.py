"""Every write of the shared core: one transaction, one audit entry, tasks queued on commit."""
import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .audit import log_action
from .models import Convention, Membership, Municipality, Notification, PostalCode, Psychologist, User, Zone
from .validators import normalise_inami


def _ids(objs):
    return sorted(o.pk for o in objs)


# ---- zones -----------------------------------------------------------------------------------


@transaction.atomic
def zone_create(*, network, name, municipalities, by):
    zone = Zone.objects.create(network=network, name=name)
    zone.municipalities.set(municipalities)
    log_action(zone, "psynet.zone.created", by=by, after={"name": name, "municipalities": _ids(municipalities)})
    return zone


@transaction.atomic
def zone_update(*, zone, name, municipalities, by):
    before = {"name": zone.name, "municipalities": _ids(zone.municipalities.all())}
    zone.name = name
    zone.save(update_fields=["name"])
    zone.municipalities.set(municipalities)
    log_action(zone, "psynet.zone.updated", by=by, before=before,
               after={"name": name, "municipalities": _ids(municipalities)})
    return zone


# ---- members ---------------------------------------------------------------------------------


def set_password_url(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def member_invite(*, network, email, first_name, last_name, role, zones, language, by):
    """Create (or reuse) the user, give them a role in the network and e-mail a set-your-password link."""
    email = email.strip().lower()
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "language": language}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership = Membership.objects.create(user=user, network=network, role=role)
    membership.zones.set(zones)
    log_action(membership, "psynet.membership.created", by=by,
               after={"user": email, "role": role, "zones": _ids(zones)})
    from .tasks import send_email_task

    with translation.override(user.language):
        context = {"user": user, "network": network, "by": by, "role": membership.get_role_display(),
                   "url": _absolute(set_password_url(user)) if created or not user.has_usable_password()
                   else _absolute(reverse("home")), "is_new": created or not user.has_usable_password()}
        subject = render_to_string("psynet/email/invitation_subject.txt", context).strip()
        body = render_to_string("psynet/email/invitation_body.txt", context)
    transaction.on_commit(lambda: send_email_task.delay(to=[email], subject=subject, body=body))
    return membership


@transaction.atomic
def membership_update(*, membership, role, zones, is_active, by):
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    before = {"role": membership.role, "zones": _ids(membership.zones.all()), "is_active": membership.is_active}
    membership.role = role
    membership.is_active = is_active
    membership.save(update_fields=["role", "is_active"])
    membership.zones.set(zones)
    log_action(membership, "psynet.membership.updated", by=by, before=before,
               after={"role": role, "zones": _ids(zones), "is_active": is_active})
    return membership


def _absolute(path):
    from django.conf import settings

    return settings.SITE_URL.rstrip("/") + path


# ---- psychologists ---------------------------------------------------------------------------

PSYCHOLOGIST_FIELDS = ["first_name", "last_name", "email", "phone", "inami_number", "profession", "languages",
                       "employment", "employer"]


def _psychologist_values(p):
    values = {f: getattr(p, f) for f in PSYCHOLOGIST_FIELDS if f != "employer"}
    values["employer"] = p.employer_id
    return values


@transaction.atomic
def psychologist_create(*, network, by, **data):
    data["inami_number"] = normalise_inami(data["inami_number"])
    psychologist = Psychologist.objects.create(**data)
    log_action(psychologist, "psynet.psychologist.created", by=by, network=network,
               after=_psychologist_values(psychologist))
    return psychologist


@transaction.atomic
def psychologist_update(*, psychologist, network, by, **data):
    before = _psychologist_values(psychologist)
    data["inami_number"] = normalise_inami(data["inami_number"])
    for key, value in data.items():
        setattr(psychologist, key, value)
    psychologist.save()
    log_action(psychologist, "psynet.psychologist.updated", by=by, network=network, before=before,
               after=_psychologist_values(psychologist))
    return psychologist


CONVENTION_FIELDS = ["start_on", "end_on", "functions", "age_groups", "article8_hours_per_year"]


def _convention_values(c):
    values = {f: getattr(c, f) for f in CONVENTION_FIELDS}
    values["start_on"] = str(c.start_on)
    values["end_on"] = str(c.end_on) if c.end_on else None
    values["article8_hours_per_year"] = str(c.article8_hours_per_year)
    return values


@transaction.atomic
def convention_save(*, network, psychologist, by, convention=None, zones=(), **data):
    before = _convention_values(convention) if convention else {}
    if convention is None:
        convention = Convention(network=network, psychologist=psychologist)
    for key, value in data.items():
        setattr(convention, key, value)
    convention.save()
    convention.zones.set(zones)
    log_action(convention, "psynet.convention.saved", by=by, before=before, after=_convention_values(convention))
    return convention


# ---- notifications ---------------------------------------------------------------------------


def notify(*, recipient, key, template, context, network=None, url=""):
    """Record and e-mail a notification exactly once per (recipient, key), in the recipient's language.

    Returns the notification, or None when this step was already notified."""
    with translation.override(recipient.language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, key=key, subject=subject, body=body, url=url, network=network
            )
    except IntegrityError:
        return None
    from .tasks import send_notification_task

    transaction.on_commit(lambda: send_notification_task.delay(notification_id=notification.pk))
    return notification


def notification_send(*, notification_id):
    """Claim the notification by a conditional update, then send: a second run sends nothing."""
    from django.core.mail import send_mail

    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    n = Notification.objects.select_related("recipient").get(pk=notification_id)
    body = n.body + (f"\n\n{_absolute(n.url)}\n" if n.url else "")
    send_mail(n.subject, body, None, [n.recipient.email])
    return True


# ---- reference data --------------------------------------------------------------------------

MUNICIPALITY_COLUMNS = ["nis_code", "name_fr", "name_nl", "name_de", "region", "province_nis", "province_fr",
                        "province_nl", "arrondissement_nis", "arrondissement_fr", "arrondissement_nl",
                        "population"]
POSTAL_CODE_COLUMNS = ["postal_code", "locality", "nis_code"]
REGIONS = {"flanders", "wallonia", "brussels"}


class ImportRefused(Exception):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)


def _read_csv(data, required):
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRefused([f"the file is not UTF-8 ({exc.reason} at byte {exc.start})"]) from exc
    reader = csv.DictReader(io.StringIO(data))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRefused([f"line 1: missing columns: {', '.join(missing)}"])
    return reader


def municipalities_import(*, data):
    """Import or update municipalities from Statbel-format CSV bytes. All or nothing."""
    reader = _read_csv(data, MUNICIPALITY_COLUMNS)
    errors, rows, seen = [], [], set()
    for line, row in enumerate(reader, start=2):
        code = (row.get("nis_code") or "").strip()
        reasons = []
        if not (len(code) == 5 and code.isdigit()):
            reasons.append(f"NIS code {code!r} is not 5 digits")
        elif code in seen:
            reasons.append(f"NIS code {code} appears twice")
        if not (row.get("name_fr") or "").strip() or not (row.get("name_nl") or "").strip():
            reasons.append("French and Dutch names are required")
        if (row.get("region") or "").strip() not in REGIONS:
            reasons.append(f"region {row.get('region')!r} is not one of {', '.join(sorted(REGIONS))}")
        population = (row.get("population") or "").strip()
        if not population.isdigit():
            reasons.append(f"population {population!r} is not a whole number")
        if reasons:
            errors.append(f"line {line}: " + "; ".join(reasons))
            continue
        seen.add(code)
        rows.append({c: (row.get(c) or "").strip() for c in MUNICIPALITY_COLUMNS})
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused(["the file holds no municipality"])
    result = ImportResult()
    with transaction.atomic():
        existing = {m.nis_code: m for m in Municipality.objects.filter(nis_code__in=seen)}
        to_create, to_update = [], []
        for row in rows:
            row["population"] = int(row["population"])
            m = existing.get(row["nis_code"])
            if m is None:
                to_create.append(Municipality(**row))
            else:
                for key, value in row.items():
                    setattr(m, key, value)
                to_update.append(m)
        Municipality.objects.bulk_create(to_create)
        Municipality.objects.bulk_update(to_update, MUNICIPALITY_COLUMNS[1:])
        result.created, result.updated = len(to_create), len(to_update)
    return result


def postal_codes_import(*, data):
    """Import postal codes (postal_code, locality, nis_code); several codes per municipality. All or nothing."""
    reader = _read_csv(data, POSTAL_CODE_COLUMNS)
    municipalities = dict(Municipality.objects.values_list("nis_code", "pk"))
    errors, rows, seen = [], [], set()
    for line, row in enumerate(reader, start=2):
        code = (row.get("postal_code") or "").strip()
        locality = (row.get("locality") or "").strip()
        nis = (row.get("nis_code") or "").strip()
        reasons = []
        if not (len(code) == 4 and code.isdigit()):
            reasons.append(f"postal code {code!r} is not 4 digits")
        if not locality:
            reasons.append("locality is required")
        if nis not in municipalities:
            reasons.append(f"NIS code {nis!r} is not a known municipality")
        if (code, locality) in seen:
            reasons.append(f"{code} {locality} appears twice")
        if reasons:
            errors.append(f"line {line}: " + "; ".join(reasons))
            continue
        seen.add((code, locality))
        rows.append((code, locality, municipalities[nis]))
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused(["the file holds no postal code"])
    result = ImportResult()
    with transaction.atomic():
        existing = {(p.code, p.locality): p for p in PostalCode.objects.all()}
        to_create, to_update = [], []
        for code, locality, municipality_id in rows:
            p = existing.get((code, locality))
            if p is None:
                to_create.append(PostalCode(code=code, locality=locality, municipality_id=municipality_id))
            elif p.municipality_id != municipality_id:
                p.municipality_id = municipality_id
                to_update.append(p)
        PostalCode.objects.bulk_create(to_create)
        PostalCode.objects.bulk_update(to_update, ["municipality"])
        result.created, result.updated = len(to_create), len(to_update)
    return result


ORGANISATION_FIELDS = ["name", "kind", "enterprise_number", "municipality", "address", "email", "phone"]


@transaction.atomic
def organisation_save(*, network, by, organisation=None, **data):
    from .models import Organisation

    def values(o):
        return {f: (getattr(o, f).pk if f == "municipality" and getattr(o, f) else getattr(o, f))
                for f in ORGANISATION_FIELDS}

    before = values(organisation) if organisation else {}
    organisation = organisation or Organisation(network=network)
    for key, value in data.items():
        setattr(organisation, key, value)
    organisation.save()
    log_action(organisation, "psynet.organisation.saved", by=by, before=before, after=values(organisation))
    return organisation
