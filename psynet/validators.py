import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INAMI_SEPARATORS = re.compile(r"[\s.\-/]")


def normalise_inami(value):
    return INAMI_SEPARATORS.sub("", value or "")


def validate_inami_number(value):
    """INAMI/RIZIV provider number: 11 digits (8-digit identifier + 3-digit qualification code).

    Separators as in 1-23456-78-901 are accepted. The check-digit algorithm is not published in a source
    we could verify (domain-facts §7), so only the format is checked."""
    digits = normalise_inami(value)
    if not (len(digits) == 11 and digits.isdigit()):
        raise ValidationError(
            _("An INAMI number has 11 digits, for example 1-23456-78-901."), code="invalid_inami"
        )


def validate_enterprise_number(value):
    from stdnum.be import vat
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        vat.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("This is not a valid Belgian enterprise number (10 digits, e.g. 0123.456.749)."),
            code="invalid_enterprise_number",
        ) from exc
