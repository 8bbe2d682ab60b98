"""Received + 10 Belgian working days (holidays from ``holidays.country_holidays("BE")``)."""
import datetime as dt

import pytest

from partnerships import workdays


def test_good_friday_is_a_working_day_and_easter_monday_is_not():
    assert workdays.is_working_day(dt.date(2025, 4, 18))  # Good Friday: not a Belgian public holiday
    assert not workdays.is_working_day(dt.date(2025, 4, 21))  # Easter Monday
    assert not workdays.is_working_day(dt.date(2025, 5, 1))  # Labour Day


def test_request_received_on_good_friday_2025_is_due_on_6_may():
    # 22, 23, 24, 25, 28, 29, 30 April, 2, 5, 6 May: Easter Monday and 1 May do not count.
    assert workdays.due_date(dt.date(2025, 4, 18)) == dt.date(2025, 5, 6)


@pytest.mark.parametrize(("received", "due"), [
    (dt.date(2025, 3, 3), dt.date(2025, 3, 17)),  # a plain fortnight
    (dt.date(2025, 3, 8), dt.date(2025, 3, 21)),  # received on a Saturday: counted from Monday
    (dt.date(2025, 7, 14), dt.date(2025, 7, 29)),  # 21 July (national day)
    (dt.date(2025, 12, 22), dt.date(2026, 1, 7)),  # Christmas and New Year
    (dt.date(2025, 5, 26), dt.date(2025, 6, 11)),  # Ascension (29 May) and Whit Monday (9 June)
])
def test_due_date_skips_weekends_and_belgian_holidays(received, due):
    assert workdays.due_date(received) == due


def test_reminder_is_two_working_days_before_the_limit():
    assert workdays.reminder_date(dt.date(2025, 5, 6)) == dt.date(2025, 5, 2)  # Monday 5, Friday 2 May
    assert workdays.reminder_date(dt.date(2025, 4, 23)) == dt.date(2025, 4, 18)  # over Easter Monday
