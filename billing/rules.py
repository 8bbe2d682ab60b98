"""The rule engine: pure functions over the rules in force (loaded from the database once) and a patient's history
held in memory. The single registration (services.session_register) and the batched import use the same
``evaluate``; only how the history is loaded and how rows are written differ.

Nothing here is a figure of the convention: amounts, limits, ages, group sizes and model dates all come from rule
rows (FeeRule, CopayRule, QuotaRule, BillingParameter).
"""
import calendar
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from psynet.models import NetworkKind

from .models import Band, BillingParameter, CopayRule, FeeRule, Format, QuotaRule, RuleBookVersion

FUNCTIONS_BY_MODEL = {"2021": ("first_line", "specialised"), "2024": ("F1", "F2", "F3")}
GROUP_ONLY_FUNCTIONS = {"F1"}
AGE_GROUP_OF_KIND = {NetworkKind.CHILDREN: "children", NetworkKind.ADULTS: "adults"}
BAND_OF_KIND = {NetworkKind.CHILDREN: Band.YOUTH, NetworkKind.ADULTS: Band.ADULT}


def add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def fmt(day):
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


class Refusal(Exception):
    """A session the rules do not allow: ``rule`` names the rule, ``allowed_from`` the first day it would pass."""

    def __init__(self, rule, message, allowed_from=None, field=None):
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.allowed_from = allowed_from
        self.field = field

    @property
    def full_message(self):
        if self.allowed_from:
            return _("%(message)s Allowed from %(date)s.") % {"message": self.message, "date": fmt(self.allowed_from)}
        return self.message


@dataclass
class Past:
    """A session already registered for the patient (or accepted earlier in the same import batch)."""

    date: date
    model: str
    function: str
    format: str
    band: str
    network_id: int
    has_lump_sum: bool = False


@dataclass
class Decision:
    model: str
    band: str
    age: int
    is_first: bool
    copay_rule: object
    copay_eur: Decimal
    fee_rule: object
    fee_eur: Decimal
    lump_sum_eur: Decimal
    quota_rule: object
    extension: object = None
    notes: list = field(default_factory=list)


Extension = namedtuple("Extension", "function format valid_from valid_to extra obj")


def _in_force(rows, day):
    return [r for r in rows
            if (r.valid_from is None or r.valid_from <= day) and (r.valid_to is None or day <= r.valid_to)]


class RuleBook:
    """All rule rows in memory (a few dozen): evaluation needs no query."""

    def __init__(self, fees, copays, quotas, parameters):
        self.fees, self.copays, self.quotas, self.parameters = fees, copays, quotas, parameters
        self._memo = {}

    def _memoized(self, key, compute):
        """Rules are fixed for the life of a book: day-dependent lookups are computed once per key."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    @classmethod
    def cached(cls, version=None):
        """The rule book, rebuilt when a rule row changes (the token of RuleBookVersion, changed by the
        post_save/post_delete handlers connected in billing.apps in the rule's own transaction) or after
        ``_BOOK_SECONDS`` at most. ``version``: the token when the caller has already read it (a registration reads
        it with its other inputs); otherwise it is read here."""
        import time

        if version is None:
            version = current_rules_version()
        now = time.monotonic()
        held = _BOOK.get("book")
        if held is None or _BOOK.get("version") != version or now - _BOOK.get("at", 0) > _BOOK_SECONDS:
            held = cls.load()
            _BOOK.update(book=held, version=version, at=now)
        return held

    @classmethod
    def load(cls):
        return cls(list(FeeRule.objects.all()), list(CopayRule.objects.order_by("position")),
                   list(QuotaRule.objects.all()), list(BillingParameter.objects.all()))

    # ---- parameters ------------------------------------------------------------------------------
    def parameter(self, code, day):
        return self._memoized(("parameter", code, day), lambda: self._parameter(code, day))

    def _parameter(self, code, day):
        rows = sorted(_in_force([p for p in self.parameters if p.code == code], day),
                      key=lambda p: p.valid_from or date.min)
        if not rows:
            raise Refusal("PARAMETER_" + code, _("No rule “%(code)s” is in force on %(date)s.") % {
                "code": code, "date": fmt(day)})
        return rows[-1].value

    def int_parameter(self, code, day):
        return int(self.parameter(code, day))

    def model_on(self, day):
        """The convention model in force on ``day``: the latest MODEL_<year>_FROM parameter already started."""
        return self._memoized(("model", day), lambda: self._model_on(day))

    def _model_on(self, day):
        started = []
        for p in self.parameters:
            if p.code.startswith("MODEL_") and p.code.endswith("_FROM"):
                first = date.fromisoformat(p.value)
                if first <= day and (p.valid_to is None or day <= p.valid_to):
                    started.append((first, p.code.split("_")[1]))
        return max(started)[1] if started else None

    # ---- rules -----------------------------------------------------------------------------------
    def quota_rule(self, model, band, function, format_, day):
        return self._memoized(("quota", model, band, function, format_, day),
                              lambda: self._quota_rule(model, band, function, format_, day))

    def _quota_rule(self, model, band, function, format_, day):
        candidates = [q for q in _in_force(self.quotas, day) if q.model == model and q.format == format_
                      and q.band in (band, Band.ANY) and q.function in (function, "any")]
        # the most specific row wins: exact band and function before "any"
        candidates.sort(key=lambda q: (q.band == Band.ANY, q.function == "any"))
        return candidates[0] if candidates else None

    def copay_rule(self, *, day, format_, function, is_bim, age, is_first):
        copays = self._memoized(("copays", day), lambda: _in_force(self.copays, day))
        for rule in copays:
            if rule.format == "group_f1":
                if not (format_ == Format.GROUP and function in GROUP_ONLY_FUNCTIONS):
                    continue
            elif rule.format not in ("any", format_):
                continue
            if rule.bim != "any" and rule.bim != ("yes" if is_bim else "no"):
                continue
            if rule.age_max is not None and age > rule.age_max:
                continue
            if rule.first_session != "any" and rule.first_session != ("yes" if is_first else "no"):
                continue
            return rule
        raise Refusal("COPAY", _("No co-payment rule applies on %(date)s.") % {"date": fmt(day)})

    def fee_rule(self, *, unit, model, day, code=None):
        return self._memoized(("fee", unit, model, day, code), lambda: self._fee_rule(unit, model, day, code))

    def _fee_rule(self, unit, model, day, code):
        rows = [f for f in _in_force(self.fees, day) if f.unit == unit and f.amount_eur is not None
                and (code is None or f.code == code) and (unit == FeeRule.Unit.PATIENT_YEAR or f.model == model
                                                          or code is not None)]
        rows.sort(key=lambda f: f.valid_from or date.min)
        return rows[-1] if rows else None

    def group_fee_codes(self, day):
        return sorted({f.code for f in _in_force(self.fees, day) if f.unit == FeeRule.Unit.GROUP_SESSION})


_BOOK = {}
_BOOK_SECONDS = 30


def current_rules_version():
    return RuleBookVersion.objects.values_list("token", flat=True).first() or ""


def invalidate_cached_book(**kwargs):
    """A rule row changed: drop this process's book and give the rules a new token, in the same transaction, so
    every other process rebuilds its book at its next use (and never before the change is committed)."""
    import uuid

    _BOOK.clear()
    token = uuid.uuid4().hex
    if not RuleBookVersion.objects.filter(pk=1).update(token=token):
        RuleBookVersion.objects.get_or_create(pk=1, defaults={"token": token})


def window_start(rule, day):
    """First day of the quota period that ends on ``day`` (inclusive)."""
    if rule.period == QuotaRule.Period.ROLLING_12_MONTHS:
        return add_months(day, -12) + timedelta(days=1)
    if rule.period == QuotaRule.Period.CALENDAR_YEAR:
        return date(day.year, 1, 1)
    return None


def _scoped(rule, history):
    return sorted(p.date for p in history if p.model == rule.model and p.format == rule.format
                  and (rule.function == "any" or p.function == rule.function))


def check_quota(rule, day, history, extra=0):
    """Raise Refusal when one more session on ``day`` exceeds the quota in any period containing ``day``."""
    if rule is None or rule.max_sessions is None or rule.period == QuotaRule.Period.NONE:
        return
    limit = rule.max_sessions + extra
    dates = _scoped(rule, history)
    start = window_start(rule, day)
    in_window = [d for d in dates if start <= d <= day]
    if len(in_window) + 1 > limit:
        drop = in_window[len(in_window) - limit]  # the session that must leave the period first
        if rule.period == QuotaRule.Period.ROLLING_12_MONTHS:
            allowed = add_months(drop, 12)
        else:
            allowed = date(day.year + 1, 1, 1)
        raise Refusal(rule.code, _("Quota reached: %(count)s of %(max)s sessions (%(function)s, %(format)s) in the "
                                   "period from %(start)s to %(end)s.") % {
            "count": len(in_window), "max": limit, "function": rule.function, "format": rule.format,
            "start": fmt(start), "end": fmt(day)}, allowed_from=allowed)
    # a session registered after later ones must not overfill the periods of those later sessions
    for later in [d for d in dates if d > day]:
        later_start = window_start(rule, later)
        if later_start > day:
            break
        if len([d for d in dates if later_start <= d <= later]) + 1 > limit:
            raise Refusal(rule.code, _("Quota: this session would exceed the quota of the period that ends on "
                                       "%(date)s (sessions already registered later).") % {"date": fmt(later)})


def check_assessment(rule, day, history, assessments):
    """The functional assessment (bilan fonctionnel, issue 10) before specialised (2021) or treatment (F3) sessions
    beyond the first. Which rows need it, and after how many sessions, is data: ``QuotaRule.assessment_after``
    (quota.csv). Sessions counted: the patient's sessions of the rule's model and function (any format) in the
    rule's period, before ``day``. ``assessments``: the dates of the patient's recorded assessments; one on or
    before ``day`` lets the session through."""
    after = getattr(rule, "assessment_after", None)
    if rule is None or after is None:
        return
    start = window_start(rule, day) or date.min
    earlier = [p for p in history if p.model == rule.model and start <= p.date < day
               and (rule.function == "any" or p.function == rule.function)]
    if len(earlier) < after or any(a <= day for a in assessments):
        return
    raise Refusal(f"ASSESSMENT_{rule.model}_{rule.function}".upper(), _(
        "Functional assessment missing: beyond the first %(count)s %(function)s session(s) in the period, the "
        "functional assessment (bilan fonctionnel) must be recorded on or before the session date. Record it "
        "under Billing › Functional assessments, then register the session again.") % {
        "count": after, "function": rule.function})


def evaluate(book, *, day, today, network_id, network_kind, function, format_, is_bim, birth, conventions,
             history, extensions=(), fee_code=None, assessments=()):
    """Check one patient session against every rule; return a Decision or raise Refusal.

    ``conventions``: the psychologist's conventions with this network [(start_on, end_on, functions, age_groups)].
    ``history``: Past sessions of this patient around ``day``. ``extensions``: (function, format, from, to, extra).
    ``assessments``: dates of the patient's functional assessments (check_assessment).
    """
    if day > today:
        raise Refusal("FUTURE_DATE", _("The session date is in the future."), allowed_from=day, field="date")
    model = book.model_on(day)
    if model is None or model not in FUNCTIONS_BY_MODEL:
        raise Refusal("MODEL", _("No convention model covers %(date)s.") % {"date": fmt(day)}, field="date")
    if function not in FUNCTIONS_BY_MODEL[model]:
        raise Refusal("MODEL_FUNCTION", _("Function “%(function)s” does not exist in the %(model)s model on "
                                          "%(date)s.") % {"function": function, "model": model, "date": fmt(day)},
                      field="function")
    if function in GROUP_ONLY_FUNCTIONS and format_ != Format.GROUP:
        raise Refusal("F1_GROUP_ONLY", _("F1 community interventions are group sessions only."), field="format")
    check_convention(conventions, day=day, function=function, network_kind=network_kind)

    age = age_on(birth, day)
    band = BAND_OF_KIND[network_kind]
    youth_max, adult_min = book.int_parameter("YOUTH_MAX_AGE", day), book.int_parameter("ADULT_MIN_AGE", day)
    if band == Band.YOUTH and age > youth_max:
        raise Refusal("AGE_BAND", _("The patient is %(age)s on the session date; this network takes people up to "
                                    "%(max)s.") % {"age": age, "max": youth_max})
    if band == Band.ADULT and age < adult_min:
        raise Refusal("AGE_BAND", _("The patient is %(age)s on the session date; this network takes people from "
                                    "%(min)s.") % {"age": age, "min": adult_min},
                      allowed_from=add_months(birth, 12 * adult_min))
    if adult_min <= age <= youth_max:
        lock = book.int_parameter("CATEGORY_LOCK_MONTHS", day)
        other = [p.date for p in history if p.band != band
                 and add_months(p.date, -lock) < day < add_months(p.date, lock)]
        if other:
            raise Refusal("CATEGORY", _("A person aged %(min)s to %(max)s stays in one category for %(months)s "
                                        "months: this patient had a session in the other category on %(date)s.") % {
                "min": adult_min, "max": youth_max, "months": lock, "date": fmt(max(other))},
                allowed_from=add_months(max(other), lock))

    per_day = book.int_parameter("SESSIONS_PER_DAY", day)
    if sum(1 for p in history if p.date == day) >= per_day:
        raise Refusal("ONE_PER_DAY", _("This patient already has a session on %(date)s.") % {"date": fmt(day)},
                      allowed_from=day + timedelta(days=1), field="date")

    quota = book.quota_rule(model, band, function, format_, day)
    if quota is None:
        raise Refusal("NO_QUOTA_RULE", _("No quota rule covers %(function)s %(format)s for this age band on "
                                         "%(date)s.") % {"function": function, "format": format_, "date": fmt(day)})
    granted = [e for e in extensions if e.function == function and e.format == format_
               and e.valid_from <= day <= e.valid_to]
    extra = sum(e.extra for e in granted)
    check_quota(quota, day, history, extra=extra)
    extension = None
    if granted:
        try:
            check_quota(quota, day, history)
        except Refusal:
            extension = granted[0].obj
    check_assessment(quota, day, history, assessments)

    first_start = add_months(day, -12) + timedelta(days=1)
    is_first = format_ == Format.INDIVIDUAL and not any(
        p.format == Format.INDIVIDUAL and first_start <= p.date <= day for p in history)
    copay = book.copay_rule(day=day, format_=format_, function=function, is_bim=is_bim, age=age, is_first=is_first)

    if format_ == Format.INDIVIDUAL:
        fee = book.fee_rule(unit=FeeRule.Unit.SESSION, model=model, day=day)
        if fee is None:
            raise Refusal("FEE", _("No individual session fee is in force on %(date)s.") % {"date": fmt(day)})
        fee_eur = fee.amount_eur
    else:
        fee, fee_eur = None, Decimal("0.00")  # the group fee is paid once per group session
    lump = book.fee_rule(unit=FeeRule.Unit.PATIENT_YEAR, model=model, day=day)
    has_lump = any(p.has_lump_sum and p.date.year == day.year and p.network_id == network_id for p in history)
    lump_eur = lump.amount_eur if lump and not has_lump else Decimal("0.00")
    return Decision(model=model, band=band, age=age, is_first=is_first, copay_rule=copay, copay_eur=copay.amount_eur,
                    fee_rule=fee, fee_eur=fee_eur, lump_sum_eur=lump_eur, quota_rule=quota, extension=extension)


def check_convention(conventions, *, day, function, network_kind):
    age_group = AGE_GROUP_OF_KIND[network_kind]
    active = [c for c in conventions if c[0] <= day and (c[1] is None or day <= c[1])]
    if not active:
        starts = sorted(c[0] for c in conventions if c[0] > day)
        raise Refusal("CONVENTION", _("The psychologist has no convention with the network on %(date)s.") % {
            "date": fmt(day)}, allowed_from=starts[0] if starts else None, field="date")
    if not any(function in c[2] and (not c[3] or age_group in c[3]) for c in active):
        raise Refusal("CONVENTION_FUNCTION", _("The psychologist's convention does not cover %(function)s for this "
                                               "network's age group on %(date)s.") % {
            "function": function, "date": fmt(day)}, field="function")


def check_group(book, *, day, participants, head_count, duration, has_co_facilitator, function):
    """Group-level rules (seed 003): participants, length, two facilitators."""
    low, high = book.int_parameter("GROUP_MIN_PARTICIPANTS", day), book.int_parameter("GROUP_MAX_PARTICIPANTS", day)
    count = head_count if function in GROUP_ONLY_FUNCTIONS else participants
    if function in GROUP_ONLY_FUNCTIONS:
        if not count:
            raise Refusal("F1_HEAD_COUNT", _("Give the number of people present."), field="head_count")
    elif not low <= count <= high:
        raise Refusal("GROUP_SIZE", _("A group session has %(min)s to %(max)s participants, not %(count)s.") % {
            "min": low, "max": high, "count": count}, field="participants")
    minutes = book.int_parameter("GROUP_DURATION_MINUTES", day)
    if duration != minutes:
        raise Refusal("GROUP_DURATION", _("A group session lasts %(minutes)s minutes.") % {"minutes": minutes},
                      field="duration_minutes")
    if book.int_parameter("GROUP_MIN_FACILITATORS", day) > 1 and not has_co_facilitator:
        raise Refusal("GROUP_FACILITATORS", _("A group session has two facilitators: name the co-facilitator."),
                      field="co_facilitator")
