"""Rule evaluation at every edge, table-driven from the rules loaded from billing/data/*.csv: the expected figures
are read from the rule rows, never written here."""
import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest

from billing import services
from billing.loader import load_rules
from billing.models import Band, BillingParameter, CareSession, CopayRule, FeeRule, QuotaRule
from billing.rules import Refusal, add_months, window_start

from .conftest import TODAY
from .factories import born_aged, niss_for

pytestmark = pytest.mark.django_db


def param(book, code, day):
    return book.int_parameter(code, day)


def copay(code, day):
    return next(r for r in CopayRule.objects.filter(code=code) if r.in_force_on(day)).amount_eur


def register(network, psychologist, niss, day, function="F2", is_bim=False, setting="practice", **kw):
    return services.session_register(network=network, psychologist=psychologist, niss=niss, date=day,
                                     function=function, setting=setting, is_bim=is_bim, today=TODAY, **kw)


def test_loader_is_idempotent(db):
    first = load_rules()
    counts = (FeeRule.objects.count(), CopayRule.objects.count(), QuotaRule.objects.count(),
              BillingParameter.objects.count())
    assert load_rules() == first
    assert counts == (FeeRule.objects.count(), CopayRule.objects.count(), QuotaRule.objects.count(),
                      BillingParameter.objects.count())
    assert QuotaRule.objects.filter(status="assumed").exists()


# ---- age bands: 15 / 23 / 24 on the session date ---------------------------------------------------------

@pytest.mark.parametrize("offset, allowed", [(-1, False), (0, True), (1, True)])
def test_adult_network_minimum_age(book, adult_network, psy_a, offset, allowed):
    day = dt.date(2025, 3, 10)
    age = param(book, "ADULT_MIN_AGE", day) + offset
    niss = niss_for(born_aged(age, day))
    if allowed:
        assert register(adult_network, psy_a, niss, day).age == age
    else:
        with pytest.raises(Refusal) as exc:
            register(adult_network, psy_a, niss, day)
        assert exc.value.rule == "AGE_BAND"
        assert exc.value.allowed_from == day + timedelta(days=365)


@pytest.mark.parametrize("offset, allowed", [(-1, True), (0, True), (1, False)])
def test_youth_network_maximum_age(book, youth_network, psy_youth, offset, allowed):
    day = dt.date(2025, 3, 10)
    age = param(book, "YOUTH_MAX_AGE", day) + offset  # 22, 23, 24
    niss = niss_for(born_aged(age, day))
    if allowed:
        session = register(youth_network, psy_youth, niss, day)
        assert session.band == Band.YOUTH
    else:
        with pytest.raises(Refusal) as exc:
            register(youth_network, psy_youth, niss, day)
        assert exc.value.rule == "AGE_BAND"


def test_turning_24_the_day_after(book, youth_network, psy_youth):
    birthday = dt.date(2025, 3, 10)
    max_age = param(book, "YOUTH_MAX_AGE", birthday)
    niss = niss_for(born_aged(max_age + 1, birthday))
    register(youth_network, psy_youth, niss, birthday - timedelta(days=1))
    with pytest.raises(Refusal):
        register(youth_network, psy_youth, niss, birthday)


def test_unknown_birth_day_and_month_are_handled(book, adult_network, psy_a):
    day = dt.date(2025, 3, 10)
    session = register(adult_network, psy_a, niss_for(dt.date(1980, 5, 1), unknown="month"), day)
    assert session.patient.birth_precision == "year" and session.patient.birth_date == dt.date(1980, 1, 1)
    session = register(adult_network, psy_a, niss_for(dt.date(1981, 5, 1), unknown="day"), day)
    assert session.patient.birth_precision == "month" and session.patient.birth_date == dt.date(1981, 5, 1)


def test_category_locked_for_15_to_23(book, adult_network, psy_a, youth_network, psy_youth):
    day = dt.date(2025, 1, 15)
    niss = niss_for(born_aged(param(book, "ADULT_MIN_AGE", day) + 2, day))
    register(youth_network, psy_youth, niss, day)
    with pytest.raises(Refusal) as exc:
        register(adult_network, psy_a, niss, day + timedelta(days=30))
    assert exc.value.rule == "CATEGORY"
    lock = param(book, "CATEGORY_LOCK_MONTHS", day)
    assert exc.value.allowed_from == add_months(day, lock)


# ---- quota over the rolling window ------------------------------------------------------------------------

def _fill(network, psychologist, niss, first_day, count, function="F2"):
    if function in ("F3", "specialised"):  # beyond the first, these need the functional assessment (quota.csv)
        services.functional_assessment_record(network=network, psychologist=psychologist, niss=niss,
                                              date=first_day, outcome="treatment", by=None, today=TODAY)
    for i in range(count):
        register(network, psychologist, niss, first_day + timedelta(days=7 * i), function=function)


@pytest.mark.parametrize("function", ["F2", "F3"])
def test_quota_window_first_and_last_day(book, adult_network, psy_a, function):
    first_day = dt.date(2024, 6, 3)
    rule = book.quota_rule("2024", Band.ADULT, function, "individual", first_day)
    assert rule.max_sessions  # read from quota.csv
    niss = niss_for(dt.date(1980, 1, 1))
    _fill(adult_network, psy_a, niss, first_day, rule.max_sessions, function)
    # the last day on which the first session is still in the window: refused, with the date it leaves it
    last_day_in_window = add_months(first_day, 12) - timedelta(days=1)
    assert window_start(rule, last_day_in_window) == first_day
    with pytest.raises(Refusal) as exc:
        register(adult_network, psy_a, niss, last_day_in_window, function=function)
    assert exc.value.rule == rule.code
    assert exc.value.allowed_from == add_months(first_day, 12)
    # the next day the first session has left the rolling window
    accepted = register(adult_network, psy_a, niss, add_months(first_day, 12), function=function)
    assert accepted.quota_rule == rule


def test_retroactive_session_cannot_overfill_a_later_window(book, adult_network, psy_a):
    start = dt.date(2024, 6, 3)
    rule = book.quota_rule("2024", Band.ADULT, "F2", "individual", start)
    niss = niss_for(dt.date(1980, 1, 1))
    _fill(adult_network, psy_a, niss, start, rule.max_sessions)
    with pytest.raises(Refusal):
        register(adult_network, psy_a, niss, start - timedelta(days=1))


def test_youth_group_sessions_unlimited_in_2024(book):
    rule = book.quota_rule("2024", Band.YOUTH, "F2", "group", dt.date(2025, 1, 1))
    assert rule.max_sessions is None


def test_extension_allows_one_more_session_and_is_audited(book, adult_network, psy_a, coordinator_a):
    from psynet.models import AuditEntry

    start = dt.date(2024, 6, 3)
    rule = book.quota_rule("2024", Band.ADULT, "F2", "individual", start)
    niss = niss_for(dt.date(1980, 1, 1))
    _fill(adult_network, psy_a, niss, start, rule.max_sessions)
    day = start + timedelta(days=7 * rule.max_sessions)
    with pytest.raises(Refusal):
        register(adult_network, psy_a, niss, day)
    extension = services.extension_grant(network=adult_network, niss=niss, function="F2", format_="individual",
                                         valid_from=day, valid_to=day + timedelta(days=60), extra_sessions=1,
                                         reason="Crisis follow-up", by=coordinator_a)
    assert register(adult_network, psy_a, niss, day).extension == extension
    with pytest.raises(Refusal):
        register(adult_network, psy_a, niss, day + timedelta(days=7))
    assert AuditEntry.objects.filter(action="billing.extension.granted").count() == 1


# ---- one per day, future dates, convention, bad NISS --------------------------------------------------------

def test_one_session_per_day(book, adult_network, psy_a):
    niss = niss_for(dt.date(1980, 1, 1))
    day = dt.date(2025, 2, 3)
    register(adult_network, psy_a, niss, day)
    with pytest.raises(Refusal) as exc:
        register(adult_network, psy_a, niss, day, function="F3")
    assert exc.value.rule == "ONE_PER_DAY" and exc.value.allowed_from == day + timedelta(days=1)


def test_future_date_refused(book, adult_network, psy_a):
    with pytest.raises(Refusal) as exc:
        register(adult_network, psy_a, niss_for(dt.date(1980, 1, 1)), TODAY + timedelta(days=1))
    assert exc.value.rule == "FUTURE_DATE"


def test_date_before_convention_refused(book, adult_network, psy_a):
    convention = psy_a.conventions.get()
    convention.start_on = dt.date(2025, 1, 1)
    convention.save()
    with pytest.raises(Refusal) as exc:
        register(adult_network, psy_a, niss_for(dt.date(1980, 1, 1)), dt.date(2024, 12, 31))
    assert exc.value.rule == "CONVENTION" and exc.value.allowed_from == dt.date(2025, 1, 1)


@pytest.mark.parametrize("bad", ["", "12345678901", "85073003327", "abc", "8507300332"])
def test_bad_national_number_refused_and_nothing_written(book, adult_network, psy_a, bad):
    with pytest.raises(Refusal) as exc:
        register(adult_network, psy_a, bad, dt.date(2025, 1, 6))
    assert exc.value.rule == "NISS"
    assert not CareSession.objects.exists()


def test_bis_number_accepted(book, adult_network, psy_a):
    body = "80" + "25" + "10" + "001"  # month + 20: BIS, sex unknown
    niss = body + f"{97 - int(body) % 97:02d}"
    assert register(adult_network, psy_a, niss, dt.date(2025, 1, 6)).patient.birth_date == dt.date(1980, 5, 10)


# ---- model change on 2024-04-01 and co-payment change on 2024-02-01 ----------------------------------------

@pytest.mark.parametrize("day, function, ok", [
    (dt.date(2024, 3, 31), "first_line", True), (dt.date(2024, 3, 31), "F2", False),
    (dt.date(2024, 4, 1), "first_line", False), (dt.date(2024, 4, 1), "F2", True),
])
def test_model_change_on_2024_04_01(book, adult_network, psy_a, day, function, ok):
    niss = niss_for(dt.date(1980, 1, 1))
    if ok:
        session = register(adult_network, psy_a, niss, day, function=function)
        fee = book.fee_rule(unit="session", model=session.model, day=day)
        assert session.fee_eur == fee.amount_eur
        assert session.model == book.model_on(day)
    else:
        with pytest.raises(Refusal) as exc:
            register(adult_network, psy_a, niss, day, function=function)
        assert exc.value.rule == "MODEL_FUNCTION"


def test_fee_changes_with_the_model(book, adult_network, psy_a):
    before = register(adult_network, psy_a, niss_for(dt.date(1980, 1, 1)), dt.date(2024, 3, 31), "first_line")
    after = register(adult_network, psy_a, niss_for(dt.date(1981, 1, 1)), dt.date(2024, 4, 1), "F2")
    assert before.fee_rule.valid_to == dt.date(2024, 3, 31)
    assert after.fee_rule.valid_from == dt.date(2024, 4, 1)


@pytest.mark.parametrize("day", [dt.date(2024, 1, 31), dt.date(2024, 2, 1)])
def test_youth_copay_change_on_2024_02_01(book, youth_network, psy_youth, day):
    niss = niss_for(born_aged(20, day))
    register(youth_network, psy_youth, niss, day - timedelta(days=20), function="first_line")  # first is free
    session = register(youth_network, psy_youth, niss, day, function="first_line")
    youth_free = CopayRule.objects.get(code="YOUTH_FREE")
    expected = copay("YOUTH_FREE", day) if youth_free.in_force_on(day) else copay("IND_STD", day)
    assert session.copay_eur == expected
    assert session.copay_rule.code == ("YOUTH_FREE" if youth_free.in_force_on(day) else "IND_STD")


def test_adult_copay_first_free_then_bim_or_standard(book, adult_network, psy_a):
    day = dt.date(2025, 1, 6)
    niss = niss_for(dt.date(1980, 1, 1))
    first = register(adult_network, psy_a, niss, day)
    assert first.is_first and first.copay_eur == copay("FIRST_FREE", day)
    second = register(adult_network, psy_a, niss, day + timedelta(days=7))
    assert second.copay_eur == copay("IND_STD", day)
    third = register(adult_network, psy_a, niss, day + timedelta(days=14), is_bim=True)
    assert third.copay_eur == copay("IND_BIM", day)
    assert services.bim_on(third.patient, day + timedelta(days=14)) is True
    assert services.bim_on(third.patient, day) is False


def test_lump_sum_on_first_session_of_the_year_only(book, adult_network, psy_a):
    niss = niss_for(dt.date(1980, 1, 1))
    lump = book.fee_rule(unit="patient_year", model="2024", day=dt.date(2024, 12, 1)).amount_eur
    assert register(adult_network, psy_a, niss, dt.date(2024, 12, 2)).lump_sum_eur == lump
    assert register(adult_network, psy_a, niss, dt.date(2024, 12, 9)).lump_sum_eur == 0
    assert register(adult_network, psy_a, niss, dt.date(2025, 1, 6)).lump_sum_eur == lump


def test_outreach_needs_a_place_of_the_network(book, adult_network, psy_a, place_a):
    niss = niss_for(dt.date(1980, 1, 1))
    with pytest.raises(Refusal) as exc:
        register(adult_network, psy_a, niss, dt.date(2025, 1, 6), setting="outreach")
    assert exc.value.rule == "OUTREACH_PLACE"
    session = register(adult_network, psy_a, niss, dt.date(2025, 1, 6), setting="outreach", place=place_a)
    assert session.place == place_a


# ---- group sessions ---------------------------------------------------------------------------------------

def _group(network, psychologist, book, count, day=dt.date(2025, 1, 6), function="F2", **kw):
    participants = [(niss_for(dt.date(1970 + i, 1, 1), counter=1), False) for i in range(count)]
    kw.setdefault("co_facilitator", "Partner educator")
    kw.setdefault("duration_minutes", param(book, "GROUP_DURATION_MINUTES", day))
    return services.group_session_register(
        network=network, psychologist=psychologist, date=day, function=function, setting="practice",
        fee_code="GRP_B", participants=participants, today=TODAY, **kw)


def test_group_size_edges(book, adult_network, psy_a):
    day = dt.date(2025, 1, 6)
    high = param(book, "GROUP_MAX_PARTICIPANTS", day)
    low = param(book, "GROUP_MIN_PARTICIPANTS", day)
    with pytest.raises(Refusal) as exc:
        _group(adult_network, psy_a, book, high + 1)
    assert exc.value.rule == "GROUP_SIZE"
    with pytest.raises(Refusal):
        _group(adult_network, psy_a, book, low - 1)
    assert not CareSession.objects.exists()
    group = _group(adult_network, psy_a, book, high)
    assert group.participants.count() == high
    assert group.fee_eur == FeeRule.objects.get(code="GRP_B").amount_eur
    assert {s.copay_eur for s in group.participants.all()} == {copay("GROUP", day)}


def test_group_needs_two_facilitators_and_two_hours(book, adult_network, psy_a):
    with pytest.raises(Refusal) as exc:
        _group(adult_network, psy_a, book, 5, co_facilitator="")
    assert exc.value.rule == "GROUP_FACILITATORS"
    with pytest.raises(Refusal) as exc:
        _group(adult_network, psy_a, book, 5, duration_minutes=60)
    assert exc.value.rule == "GROUP_DURATION"


def test_f1_community_session_counts_heads_not_patients(book, adult_network, psy_a):
    group = _group(adult_network, psy_a, book, 0, function="F1", head_count=23)
    assert group.head_count == 23 and group.participants.count() == 0


def test_one_refused_participant_refuses_the_whole_group(book, adult_network, psy_a):
    day = dt.date(2025, 1, 6)
    taken = niss_for(dt.date(1970, 1, 1), counter=1)
    register(adult_network, psy_a, taken, day)
    with pytest.raises(Refusal) as exc:
        _group(adult_network, psy_a, book, 5, day=day)
    assert "1" in exc.value.message
    assert CareSession.objects.count() == 1


def test_amounts_are_not_constants_in_code():
    """The rule engine, the services and the importer contain no number literal of the convention
    (amounts, ages, group sizes, quotas): every figure comes from a rule row."""
    import io
    import tokenize
    from pathlib import Path

    import billing

    forbidden = {"11", "2.50", "2.5", "4", "83", "75", "326", "400", "60", "23", "15", "20", "8", "10", "5", "120"}
    root = Path(billing.__file__).parent
    for name in ("rules.py", "services.py", "importer.py"):
        tokens = tokenize.generate_tokens(io.StringIO((root / name).read_text()).readline)
        numbers = {t.string for t in tokens if t.type == tokenize.NUMBER}
        assert not numbers & forbidden, (name, numbers & forbidden)
    assert Decimal("0") == 0
