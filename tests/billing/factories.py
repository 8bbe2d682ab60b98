"""Billing test helpers: valid national numbers for a birth date, rules loaded from the CSV tables."""
import datetime as dt

from billing.loader import load_rules

_counter = [0]


def niss_for(birth, counter=None, unknown=None):
    """A valid NN for ``birth``; unknown="day" or "month" encodes 00 like the register does."""
    if counter is None:
        _counter[0] = _counter[0] % 997 + 1
        counter = _counter[0]
    month = 0 if unknown == "month" else birth.month
    day = 0 if unknown in ("day", "month") else birth.day
    body = f"{birth.year % 100:02d}{month:02d}{day:02d}{counter:03d}"
    base = int(("2" if birth.year >= 2000 else "") + body)
    return body + f"{97 - base % 97:02d}"


def born_aged(age, on):
    """A birth date that makes the person exactly ``age`` on ``on`` (birthday that day)."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:
        return dt.date(on.year - age, 2, 28)


def rules():
    load_rules()
