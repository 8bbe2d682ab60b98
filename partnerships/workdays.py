"""Belgian working days: Monday to Friday except the Belgian public holidays of the ``holidays`` library
(``country_holidays("BE")``: New Year, Easter Monday, 1 May, Ascension, Whit Monday, 21 July, 15 August,
1 and 11 November, Christmas). Good Friday is not a Belgian public holiday.

Seed 004: a request "sera transmise dans les 10 jours ouvrables"; DESIGN.md: handled within 10 working days."""
import datetime as dt
from functools import lru_cache

import holidays

HANDLING_WORKING_DAYS = 10
REMINDER_WORKING_DAYS_BEFORE = 2


@lru_cache(maxsize=64)
def _holidays(year):
    return frozenset(holidays.country_holidays("BE", years=year).keys())


def is_working_day(day):
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start, days):
    """The ``days``-th working day after ``start`` (``start`` itself is day 0, whatever it is)."""
    current = start
    remaining = days
    step = dt.timedelta(days=1 if days >= 0 else -1)
    while remaining:
        current += step
        if is_working_day(current):
            remaining -= 1 if days > 0 else -1
    return current


def subtract_working_days(end, days):
    return add_working_days(end, -days)


def due_date(received_on):
    """Received + 10 Belgian working days."""
    return add_working_days(received_on, HANDLING_WORKING_DAYS)


def reminder_date(due_on):
    """Two working days before the limit."""
    return subtract_working_days(due_on, REMINDER_WORKING_DAYS_BEFORE)
