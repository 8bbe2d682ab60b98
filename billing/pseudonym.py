"""Patients are pseudonymised (DESIGN.md "Billing", domain-facts §7).

The national number (NISS/INSZ: an NN or a BIS number) is validated with ``stdnum.be.ssn``, its birth date taken
for the age band, and then only a keyed hash is kept: ``HMAC-SHA256(key, niss)``.

Key rotation without the national numbers (they are not stored) uses an **HMAC chain**:

    pseudonym_1 = HMAC(k1, niss)
    after `rotate_pseudonym_key --old k1 --new k2`:   pseudonym_2 = HMAC(k2, pseudonym_1)   (hex of the previous)

so the stored value after n rotations is HMAC(k_n, … HMAC(k_1, niss)). Re-keying needs only the stored hashes and
the new key; looking a national number up needs the whole chain, oldest first: ``settings.PSEUDONYM_KEY`` is the
newest key and the environment variable ``PSEUDONYM_PREVIOUS_KEYS`` (comma-separated, oldest first) holds the
earlier ones. A leaked *old* key is useless against the database (its values are under the newer key), and a leaked
database is useless without every key. The table ``PseudonymKey`` keeps a fingerprint (an HMAC of a fixed text,
never the key) per generation, so a wrongly configured chain is refused instead of silently creating duplicate
patients.
"""
import hashlib
import hmac
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.be import ssn
from stdnum.exceptions import ValidationError as StdnumError

FINGERPRINT_TEXT = b"psynet-billing-pseudonym-key-check"


class KeyChainMismatch(RuntimeError):
    pass


def clean_niss(value):
    """The 11 digits of a valid NISS/INSZ (NN or BIS), else a ValidationError with a clear message."""
    raw = (value or "").strip()
    try:
        number = ssn.validate(raw)
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid national number (NISS/INSZ, 11 digits: NN or BIS)."),
            code="invalid_niss", params={"value": raw[:20]},
        )
    return number


def birth_of(number):
    """(birth date, precision) from a valid NISS; an unknown month/day gives the 1st of the year/month."""
    full = ssn.get_birth_date(number)
    if full:
        return full, "day"
    year = ssn.get_birth_year(number)
    if year is None:
        raise ValidationError(_("This national number carries no birth year; the age band cannot be checked."),
                              code="no_birth_year")
    month = ssn.get_birth_month(number)
    if month:
        return date(year, month, 1), "month"
    return date(year, 1, 1), "year"


def fingerprint(key):
    return hmac.new(key.encode(), FINGERPRINT_TEXT, hashlib.sha256).hexdigest()


def key_chain():
    """Keys oldest first, the current one last."""
    previous = [k for k in settings.PSEUDONYM_PREVIOUS_KEYS if k]
    return previous + [settings.PSEUDONYM_KEY]


def _hmac(key, message):
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def chain_step(key, previous_hash):
    return _hmac(key, previous_hash)


_checked = {}


def check_chain(keys=None):
    """Refuse a key chain that does not match the generations recorded in the database."""
    from .models import PseudonymKey

    keys = keys or key_chain()
    cache_key = tuple(fingerprint(k) for k in keys)
    if _checked.get(cache_key):
        return keys
    recorded = list(PseudonymKey.objects.order_by("generation").values_list("fingerprint", flat=True))
    if not recorded:
        for generation, fp in enumerate(cache_key, start=1):
            PseudonymKey.objects.get_or_create(generation=generation, defaults={"fingerprint": fp})
        recorded = list(cache_key)
    if list(cache_key) != recorded:
        raise KeyChainMismatch("PSEUDONYM_KEY / PSEUDONYM_PREVIOUS_KEYS do not match the recorded key chain.")
    _checked[cache_key] = True
    return keys


def pseudonym(number, keys=None):
    """The stored pseudonym of a *valid, compact* NISS under the configured key chain."""
    keys = check_chain(keys)
    value = _hmac(keys[0], number)
    for key in keys[1:]:
        value = chain_step(key, value)
    return value
