"""Every billing write: one transaction, one audit entry (STYLE.md §1, §5)."""
import hashlib
import json
import re
import weakref
from collections import namedtuple
from datetime import date as date_type
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from psynet.audit import audit_entry, log_action
from psynet.models import Convention, Psychologist, Zone

from . import pseudonym as pseudo
from .models import (
    AssessmentOutcome, BimStatus, CareSession, FeeRule, Format, FunctionalAssessment, GroupSession, Patient,
    PseudonymKey, QuotaExtension, RuleBookVersion, Setting,
)
from .rules import Extension, GROUP_ONLY_FUNCTIONS, Past, Refusal, RuleBook, add_months, check_group, evaluate


class BillingError(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


# ---- patients ---------------------------------------------------------------------------------------


def patient_for_niss(niss, *, create=True):
    """The pseudonymised patient of a national number (validated); created on first use."""
    number = pseudo.clean_niss(niss)
    birth, precision = pseudo.birth_of(number)
    value = pseudo.pseudonym(number)
    if not create:
        return Patient.objects.filter(pseudonym=value).first()
    patient, _created = Patient.objects.get_or_create(
        pseudonym=value, defaults={"birth_date": birth, "birth_precision": precision})
    return patient


def bim_on(patient, day):
    row = patient.bim_statuses.filter(valid_from__lte=day).order_by("-valid_from").first()
    return row.is_bim if row else False


def bim_record(*, patient, day, is_bim, by=None):
    """BIM is a dated attribute: record a change from ``day`` when the declared status differs."""
    current = patient.bim_statuses.filter(valid_from__lte=day).order_by("-valid_from").first()
    _bim_write(patient, day, is_bim, by, current=current.is_bim if current else None)


@transaction.atomic
def pseudonym_key_rotate(*, old, new):
    """Re-key every stored pseudonym: HMAC(new, previous pseudonym). ``old`` must be the current key."""
    last = PseudonymKey.objects.select_for_update().order_by("-generation").first()
    if last is None:
        PseudonymKey.objects.create(generation=1, fingerprint=pseudo.fingerprint(old))
        last = PseudonymKey.objects.get(generation=1)
    if last.fingerprint != pseudo.fingerprint(old):
        raise BillingError("The old key is not the current pseudonym key.")
    if old == new:
        raise BillingError("The new key must differ from the old one.")
    count = 0
    for patient in Patient.objects.select_for_update().only("pk", "pseudonym").iterator(chunk_size=2000):
        patient.pseudonym = pseudo.chain_step(new, patient.pseudonym)
        patient.save(update_fields=["pseudonym"])
        count += 1
    PseudonymKey.objects.create(generation=last.generation + 1, fingerprint=pseudo.fingerprint(new))
    pseudo._checked.clear()
    log_action(None, "billing.pseudonym_key.rotated", actor_label="manage.py rotate_pseudonym_key",
               after={"generation": last.generation + 1, "patients": count})
    return count


# ---- rule inputs loaded from the database -------------------------------------------------------------


def conventions_of(psychologist, network):
    return [(c.start_on, c.end_on, c.functions, c.age_groups)
            for c in Convention.objects.filter(psychologist=psychologist, network=network)]


def history_of(patient_ids, first, last):
    """{patient_id: [Past]} for sessions between ``first`` and ``last`` (one query)."""
    out = {pid: [] for pid in patient_ids}
    rows = CareSession.objects.filter(patient_id__in=patient_ids, date__gte=first, date__lte=last).values_list(
        "patient_id", "date", "model", "function", "format", "band", "network_id", "lump_sum_eur")
    for pid, day, model, function, format_, band, network_id, lump in rows:
        out[pid].append(Past(day, model, function, format_, band, network_id, bool(lump)))
    return out


def history_bounds(day):
    """Sessions that can matter for ``day``: 13 months back (window, category lock), 12 months on, same year."""
    return min(add_months(day, -13), day.replace(month=1, day=1)), add_months(day, 12)


def extensions_of(patient_ids, network):
    out = {pid: [] for pid in patient_ids}
    for e in QuotaExtension.objects.filter(patient_id__in=patient_ids, network=network):
        out[e.patient_id].append(Extension(e.function, e.format, e.valid_from, e.valid_to, e.extra_sessions, e))
    return out


def assessments_of(patient_ids, last):
    """{patient_id: [dates of functional assessments up to ``last``]} (one query)."""
    out = {pid: [] for pid in patient_ids}
    for pid, day in FunctionalAssessment.objects.filter(patient_id__in=patient_ids, date__lte=last).values_list(
            "patient_id", "date"):
        out[pid].append(day)
    return out


def zone_for(network, place, psychologist):
    if place is not None and place.municipality_id:
        zone = network.zones.filter(municipalities=place.municipality_id).order_by("pk").first()
        if zone:
            return zone
    convention = Convention.objects.filter(psychologist=psychologist, network=network).prefetch_related("zones")
    for c in convention:
        zones = sorted(c.zones.all(), key=lambda z: z.pk)
        if zones:
            return zones[0]
    return None


def _check_setting(setting, place, network):
    """The place of an outreaching session must be a partner of the network where sessions may count as
    outreaching (issue 10, seed 003: not labelled mental health, outside the private practice, services dedicated
    to mental-health care and what other funding covers). The eligibility is data kept by care_offer (types of
    place and per-place decisions); the refusal quotes the rule applied."""
    if setting == Setting.OUTREACH and place is None:
        raise Refusal("OUTREACH_PLACE", _("An outreaching session needs the partner place."), field="place")
    if place is not None and place.network_id != network.pk:
        raise Refusal("OUTREACH_PLACE", _("The place is not a partner of this network."), field="place")
    if setting == Setting.OUTREACH:
        from care_offer.services import outreach_place_check

        eligible, rule_text = outreach_place_check(place)
        if not eligible:
            raise Refusal("OUTREACH_ELIGIBILITY", _(
                "Sessions at %(place)s do not count as outreaching (rule: %(rule)s). Choose an eligible place "
                "or another setting.") % {"place": place.name, "rule": rule_text}, field="place")


# ---- individual sessions ---------------------------------------------------------------------------------


def session_register(*, network, psychologist, niss, date, function, setting, is_bim, by=None, place=None,
                     today=None, book=None, eating_disorder_path=False):
    """Register one individual session after every rule; raise Refusal (rule + allowed date) otherwise.

    The race on the last allowed session is closed by locking the patient row, reading the history after the lock
    and inserting in one transaction; the unique (patient, date) constraint backs the one-per-day rule. On
    PostgreSQL every rule input is read in one round trip (registration_inputs) and the session and its audit entry
    are written in a second, whatever the patient's history."""
    today = today or timezone.localdate()
    _check_setting(setting, place, network)
    try:
        number = pseudo.clean_niss(niss)
        birth, precision = pseudo.birth_of(number)
    except pseudo.ValidationError as exc:
        raise Refusal("NISS", exc.messages[0], field="national_number")
    value = pseudo.pseudonym(number)
    # Outside any transaction (a registration from a page, the bench), the COMMIT travels with the session's INSERT
    # (see _insert): the transaction then ends in the same round trip, and the atomic block's own commit finds
    # nothing left to commit. Inside a caller's transaction (the import, the tests), the caller commits.
    outermost = not transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic():
            inputs = registration_inputs(pseudonym=value, birth=birth, precision=precision, network=network,
                                         psychologist=psychologist, day=date, place=place)
            patient = inputs.patient
            book = book or RuleBook.cached(version=inputs.rules_version)
            decision = evaluate(
                book, day=date, today=today, network_id=network.pk, network_kind=network.kind, function=function,
                format_=Format.INDIVIDUAL, is_bim=is_bim, birth=patient.birth_date, conventions=inputs.conventions,
                history=inputs.history, extensions=inputs.extensions, assessments=inputs.assessments)
            _bim_write(patient, date, is_bim, by, current=inputs.bim)
            session = CareSession(
                pk=inputs.session_id, network=network, psychologist=psychologist, patient=patient, date=date,
                model=decision.model, function=function, format=Format.INDIVIDUAL, setting=setting, place=place,
                zone_id=inputs.zone_id, band=decision.band, age=decision.age,
                is_bim=is_bim, is_first=decision.is_first, copay_rule=decision.copay_rule,
                copay_eur=decision.copay_eur, fee_rule=decision.fee_rule, fee_eur=decision.fee_eur,
                lump_sum_eur=decision.lump_sum_eur, quota_rule=decision.quota_rule,
                extension=decision.extension, registered_by=by, eating_disorder_path=eating_disorder_path,
                import_key=import_key(patient.pk, date, psychologist.pk))
            rows = [session]
            if session.pk is None:  # no sequence to draw the id from (SQLite): the row first, for its id
                _insert(*rows)
                rows = []
            # the audit entry of the one audit helper, written with the session: one round trip on PostgreSQL
            _insert(*rows, audit_entry(session, "billing.session.registered", by=by, network=network,
                                       after=_session_summary(session)), commit=outermost)
    except IntegrityError:
        # the patient row is locked and its sessions read after the lock, so only a writer that bypasses the lock
        # can get here: the unique (patient, date) constraint refuses the second session of the day
        if CareSession.objects.filter(patient__pseudonym=value, date=date).exists():
            raise Refusal("ONE_PER_DAY", _("This patient already has a session on that day."),
                          allowed_from=date + timedelta(days=1), field="date")
        raise
    return session


_INSERTS = {}


def _insert(*objs, commit=False):
    """INSERT the new rows ``objs`` as Model.save(force_insert=True) writes them (the same columns and database
    values, the primary key read back), without the save machinery: each statement is built once per model and
    database, and on PostgreSQL all of them travel in one round trip. For models without save signals only
    (sessions and audit entries have none; the importer writes sessions with COPY).

    ``commit`` (PostgreSQL, the last statement of an outermost atomic block only): COMMIT ends the same string.
    If an INSERT fails, PostgreSQL skips the rest of the string, COMMIT included, and the block rolls back as
    usual; when they all succeed the block's commit finds the connection idle and sends nothing."""
    conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: field adapters query it many times
    statements = []
    for obj in objs:
        model, with_pk = type(obj), obj.pk is not None
        key = (conn.vendor, model, with_pk)
        if key not in _INSERTS:
            qn = conn.ops.quote_name
            fields = [f for f in model._meta.concrete_fields if with_pk or f is not model._meta.auto_field]
            _INSERTS[key] = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
                             f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(model._meta.pk.column)}",
                             fields)
        sql, fields = _INSERTS[key]
        statements.append((sql, [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]))
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql" and (len(statements) > 1 or commit):
            cursor.execute(";\n".join([sql for sql, _params in statements] + (["COMMIT"] if commit else [])),
                           [p for _sql, params in statements for p in params])
            results = [cursor.fetchone()[0]]
            for _next in statements[1:]:
                cursor.nextset()
                results.append(cursor.fetchone()[0])
        else:
            results = []
            for sql, params in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchone()[0])
    for obj, pk in zip(objs, results):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, conn.alias
    return objs


# ---- one registration's rule inputs: three statements, one round trip ------------------------------------------

_MARKER = re.compile(r"@(\w+)@")
_PREPARED = weakref.WeakKeyDictionary()  # PostgreSQL connection -> "ready" / "unknown" (names of prepared statements)


def _converters(fields):
    """The database converters of ``fields`` (what the ORM applies to a column: dates on SQLite, JSON...)."""
    out = []
    for f in fields:
        col = f.get_col(f.model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + f.get_db_converters(connection)))
    return out


def _convert(row, converters):
    conn = connections[DEFAULT_DB_ALIAS]
    values = []
    for value, (col, functions) in zip(row, converters):
        for function in functions:
            value = function(value, col, conn)
        values.append(value)
    return values


class _Statement:
    """A statement written with named parameters (``@name@``): rendered with ``%s`` for a plain execution, and on
    PostgreSQL as a prepared statement (``$1``…, planned once per connection, run with EXECUTE)."""

    def __init__(self, name, template, pg_casts=None):
        self.template = template
        self.order = list(dict.fromkeys(_MARKER.findall(template)))
        self.plain = _MARKER.sub("%s", template)
        numbered = {n: f"${i}" + (pg_casts or {}).get(n, "") for i, n in enumerate(self.order, start=1)}
        self.prepared = _MARKER.sub(lambda m: numbered[m.group(1)], template)
        digest = hashlib.sha1(self.prepared.encode()).hexdigest()[:12]
        self.name = f"billing_{name}_{digest}"

    def plain_params(self, values):
        return [values[n] for n in _MARKER.findall(self.template)]

    def execute(self, values):
        return f"EXECUTE {self.name}({', '.join(['%s'] * len(self.order))})", [values[n] for n in self.order]


_READS = {}


def _registration_reads():
    """The three statements of registration_inputs, built once per database vendor from the models' tables."""
    key = connection.vendor
    if key in _READS:
        return _READS[key]
    qn = connection.ops.quote_name
    pg = key == "postgresql"
    agg, arr, jsoncol = (("json_agg", "json_build_array", "") if pg else ("json_group_array", "json_array", "json"))

    def t(model):
        return qn(model._meta.db_table)

    def c(model, name, alias):
        return f"{alias}.{qn(model._meta.get_field(name).column)}"

    patient_fields = list(Patient._meta.concrete_fields)
    pid = f"(SELECT p.{qn('id')} FROM {t(Patient)} p WHERE p.{qn('pseudonym')} = @pseudonym@)"
    insert = _Statement("register_patient", (
        f"INSERT INTO {t(Patient)} ({qn('pseudonym')}, {qn('birth_date')}, {qn('birth_precision')}, "
        f"{qn('created_at')}) SELECT @pseudonym@, @birth@, @precision@, @now@ WHERE NOT EXISTS (SELECT 1 FROM "
        f"{t(Patient)} WHERE {qn('pseudonym')} = @pseudonym@) ON CONFLICT ({qn('pseudonym')}) DO NOTHING"),
        pg_casts={"pseudonym": "::varchar", "birth": "::date", "precision": "::varchar", "now": "::timestamptz"})
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    patient = _Statement("register_lock", (
        f"SELECT {', '.join(qn(f.column) for f in patient_fields)} FROM {t(Patient)} "
        f"WHERE {qn('pseudonym')} = @pseudonym@{lock}"))
    S, E, A, B, V = CareSession, QuotaExtension, FunctionalAssessment, BimStatus, RuleBookVersion
    through, members = Convention.zones.through, Zone.municipalities.through
    history = ", ".join(c(S, n, "s") for n in ("date", "model", "function", "format", "band", "network"))
    extension = ", ".join(c(E, n, "e") for n in ("id", "function", "format", "valid_from", "valid_to",
                                                 "extra_sessions"))
    convention = ", ".join([c(Convention, "id", "c"), c(Convention, "start_on", "c"), c(Convention, "end_on", "c"),
                            f"{jsoncol}({c(Convention, 'functions', 'c')})",
                            f"{jsoncol}({c(Convention, 'age_groups', 'c')})"])
    read = _Statement("register_read", (
        f"SELECT (SELECT {agg}({arr}({history}, {c(S, 'lump_sum_eur', 's')} <> 0)) FROM {t(S)} s "
        f"WHERE {c(S, 'patient', 's')} = {pid} AND {c(S, 'date', 's')} >= @first@ AND {c(S, 'date', 's')} <= @last@), "
        f"(SELECT {agg}({arr}({extension})) FROM {t(E)} e WHERE {c(E, 'patient', 'e')} = {pid} "
        f"AND {c(E, 'network', 'e')} = @network@), "
        f"(SELECT {agg}({c(A, 'date', 'a')}) FROM {t(A)} a WHERE {c(A, 'patient', 'a')} = {pid} "
        f"AND {c(A, 'date', 'a')} <= @day@), "
        f"(SELECT {c(B, 'is_bim', 'b')} FROM {t(B)} b WHERE {c(B, 'patient', 'b')} = {pid} "
        f"AND {c(B, 'valid_from', 'b')} <= @day@ ORDER BY {c(B, 'valid_from', 'b')} DESC LIMIT 1), "
        f"(SELECT {agg}({arr}({convention}, (SELECT min(cz.{qn(through._meta.get_field('zone').column)}) "
        f"FROM {t(through)} cz WHERE cz.{qn(through._meta.get_field('convention').column)} = c.{qn('id')}))) "
        f"FROM {t(Convention)} c WHERE {c(Convention, 'psychologist', 'c')} = @psychologist@ "
        f"AND {c(Convention, 'network', 'c')} = @network@), "
        f"(SELECT z.{qn('id')} FROM {t(Zone)} z JOIN {t(members)} zm ON zm.{qn('zone_id')} = z.{qn('id')} "
        f"WHERE z.{qn('network_id')} = @network@ AND zm.{qn('municipality_id')} = @municipality@ "
        f"ORDER BY z.{qn('id')} LIMIT 1), "
        f"(SELECT v.{qn('token')} FROM {t(V)} v ORDER BY v.{qn('id')} LIMIT 1), "
        # the id of the session about to be written, drawn from its sequence (PostgreSQL), so that the session and
        # its audit entry go in one round trip; SQLite has no sequence: the session is written first
        + (f"nextval(pg_get_serial_sequence('{S._meta.db_table}', '{S._meta.pk.column}'))" if pg else "NULL")))
    _READS[key] = {"statements": [insert, patient, read], "patient_fields": [f.attname for f in patient_fields],
                   "patient_converters": _converters(patient_fields),
                   "bim_converters": _converters([B._meta.get_field("is_bim")])}
    return _READS[key]


def _run(statements, values):
    """Run the statements in order and return the rows of the last two. On PostgreSQL: prepared statements sent
    as one multi-statement string, one round trip; in READ COMMITTED every statement still takes its own snapshot,
    so the read that follows the row lock sees everything the previous holder of the lock committed. Elsewhere
    (SQLite) one by one."""
    conn = connections[DEFAULT_DB_ALIAS]
    with conn.cursor() as cursor:
        if conn.vendor != "postgresql":
            out = []
            for statement in statements:
                cursor.execute(statement.plain, statement.plain_params(values))
                out.append(cursor.fetchall() if cursor.description is not None else [])
            return out[1:]
        raw = conn.connection
        state = _PREPARED.get(raw)
        missing = []
        if state != "ready":
            existing = set()
            if state == "unknown":  # an earlier batch failed after some PREPAREs: ask the server
                cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE %s", ["billing\\_%"])
                existing = {name for (name,) in cursor.fetchall()}
            missing = [f"PREPARE {s.name} AS {s.prepared}" for s in statements if s.name not in existing]
        calls = [s.execute(values) for s in statements]
        try:
            cursor.execute(";\n".join(missing + [sql for sql, _params in calls]),
                           [p for _sql, params in calls for p in params])
        except Exception:
            _PREPARED[raw] = "unknown"
            raise
        _PREPARED[raw] = "ready"
        for _skip in range(len(missing) + 1):  # PREPAREs and the INSERT return no rows
            cursor.nextset()
        locked = cursor.fetchall()
        cursor.nextset()
        return [locked, cursor.fetchall()]


def _json(value):
    if value is None:
        return []
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _day(value):
    return value if value is None or isinstance(value, date_type) else date_type.fromisoformat(value)


RegistrationInputs = namedtuple(
    "RegistrationInputs", "patient conventions zone_id history extensions assessments bim rules_version session_id")


def registration_inputs(*, pseudonym, birth, precision, network, psychologist, day, place=None):
    """Everything the rules need for one patient's session on ``day``: three statements, one round trip on
    PostgreSQL (inside the caller's transaction), in this order:

    1. the pseudonymised patient, inserted when new (a concurrent insert of the same pseudonym waits for the other
       transaction and then does nothing);
    2. the patient row locked (FOR UPDATE): a concurrent registration for the same patient waits here until the
       other transaction ends;
    3. after the lock, one read: the patient's sessions around ``day`` (history_bounds), the coordinator's
       extensions, the functional assessments, the increased-reimbursement status in force, the psychologist's
       conventions with the network (with their first zone), the zone of the place, the token of the rules in
       force (RuleBook.cached) and, on PostgreSQL, the id the session will have.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    sql = _registration_reads()
    ops = conn.ops
    first, last = history_bounds(day)
    values = {"pseudonym": pseudonym, "birth": ops.adapt_datefield_value(birth), "precision": precision,
              "now": ops.adapt_datetimefield_value(timezone.now()), "first": ops.adapt_datefield_value(first),
              "last": ops.adapt_datefield_value(last), "day": ops.adapt_datefield_value(day), "network": network.pk,
              "psychologist": psychologist.pk,
              "municipality": place.municipality_id if place is not None and place.municipality_id else None}
    locked, read = _run(sql["statements"], values)
    patient = Patient.from_db(conn.alias, sql["patient_fields"], _convert(locked[0], sql["patient_converters"]))
    history, extensions, assessments, bim, conventions, place_zone, token, session_id = read[0]
    # (id, start, end, functions, age groups, first zone), latest convention first as before
    conventions = sorted(((pk, _day(start), _day(end), _json(functions), _json(groups), zone)
                          for pk, start, end, functions, groups, zone in _json(conventions)),
                         key=lambda c: (-c[1].toordinal(), c[0]))
    zone_id = place_zone or next((zone for *_c, zone in conventions if zone is not None), None)
    names = ["id", "function", "format", "valid_from", "valid_to", "extra_sessions"]
    extensions = [QuotaExtension.from_db(conn.alias, names, [pk, f, fmt_, _day(a), _day(b), extra])
                  for pk, f, fmt_, a, b, extra in _json(extensions)]
    return RegistrationInputs(
        patient=patient,
        conventions=[(start, end, functions, groups) for _pk, start, end, functions, groups, _z in conventions],
        zone_id=zone_id,
        history=[Past(_day(d), model, function, format_, band, network_id, bool(lump))
                 for d, model, function, format_, band, network_id, lump in _json(history)],
        extensions=[Extension(e.function, e.format, e.valid_from, e.valid_to, e.extra_sessions, e)
                    for e in extensions],
        assessments=[_day(d) for d in _json(assessments)],
        bim=None if bim is None else _convert([bim], sql["bim_converters"])[0],
        rules_version=token or "",
        session_id=session_id,
    )


def _bim_write(patient, day, is_bim, by, *, current):
    """bim_record with the status in force already read (``current``: True/False, None when never declared)."""
    if current is None and not is_bim:
        return
    if current is None or current != is_bim:
        BimStatus.objects.update_or_create(patient=patient, valid_from=day,
                                           defaults={"is_bim": is_bim, "declared_by": by})


def _session_summary(session):
    return {"patient": str(session.patient), "date": session.date.isoformat(), "function": session.function,
            "format": session.format, "setting": session.setting, "copay_eur": str(session.copay_eur),
            "fee_eur": str(session.fee_eur), "lump_sum_eur": str(session.lump_sum_eur)}


def import_key(patient_id, date, psychologist_id):
    import hashlib

    return hashlib.sha256(f"{patient_id}|{date.isoformat()}|{psychologist_id}".encode()).hexdigest()


# ---- group sessions --------------------------------------------------------------------------------------


def group_session_register(*, network, psychologist, date, function, setting, fee_code, duration_minutes,
                           participants=(), head_count=None, co_psychologist=None, co_facilitator="", place=None,
                           by=None, today=None, book=None, group_ref="", eating_disorder_path=False):
    """A group session: group rules (size, length, two facilitators), then every participant through the same
    rules as an individual session (format group). All or nothing: one refused participant refuses the group,
    naming the participant's line."""
    today = today or timezone.localdate()
    book = book or RuleBook.cached()
    _check_setting(setting, place, network)
    check_group(book, day=date, participants=len(participants), head_count=head_count, duration=duration_minutes,
                has_co_facilitator=bool(co_psychologist or co_facilitator.strip()), function=function)
    if date > today:
        raise Refusal("FUTURE_DATE", _("The session date is in the future."), allowed_from=date, field="date")
    model = book.model_on(date)
    fee = book.fee_rule(unit=FeeRule.Unit.GROUP_SESSION, model=model, day=date, code=fee_code)
    if fee is None:
        raise Refusal("GROUP_FEE", _("Choose the group fee variant in force on that date."), field="fee_code")
    conventions = conventions_of(psychologist, network)
    patients = []
    for line, (niss, is_bim) in enumerate(participants, start=1):
        try:
            patients.append((patient_for_niss(niss), is_bim, line))
        except pseudo.ValidationError as exc:
            raise Refusal("NISS", _("Participant %(line)s: %(message)s") % {"line": line, "message": exc.messages[0]},
                          field="participants")
    if len({p.pk for p, _b, _l in patients}) != len(patients):
        raise Refusal("GROUP_DUPLICATE", _("The same person is listed twice."), field="participants")
    with transaction.atomic():
        locked = {p.pk: p for p in Patient.objects.select_for_update().filter(pk__in=[p.pk for p, _b, _l in patients])
                  .order_by("pk")}
        first, last = history_bounds(date)
        histories = history_of(list(locked), first, last)
        extensions = extensions_of(list(locked), network)
        assessments = assessments_of(list(locked), date)
        if function in GROUP_ONLY_FUNCTIONS:
            from .rules import check_convention
            if model != "2024":
                raise Refusal("MODEL_FUNCTION", _("F1 exists from the 2024 model on."), field="function")
            check_convention(conventions, day=date, function=function, network_kind=network.kind)
        group = GroupSession.objects.create(
            network=network, psychologist=psychologist, co_psychologist=co_psychologist,
            co_facilitator=co_facilitator, date=date, model=model, function=function, setting=setting, place=place,
            zone=zone_for(network, place, psychologist), duration_minutes=duration_minutes, fee_rule=fee,
            fee_eur=fee.amount_eur, head_count=head_count if function in GROUP_ONLY_FUNCTIONS else len(patients),
            group_ref=group_ref, registered_by=by, eating_disorder_path=eating_disorder_path)
        rows = []
        for patient, is_bim, line in patients:
            patient = locked[patient.pk]
            try:
                decision = evaluate(
                    book, day=date, today=today, network_id=network.pk, network_kind=network.kind,
                    function=function, format_=Format.GROUP, is_bim=is_bim, birth=patient.birth_date,
                    conventions=conventions, history=histories[patient.pk], extensions=extensions[patient.pk],
                    assessments=assessments[patient.pk])
            except Refusal as exc:
                exc.message = _("Participant %(line)s: %(message)s") % {"line": line, "message": exc.message}
                exc.field = "participants"
                raise
            bim_record(patient=patient, day=date, is_bim=is_bim, by=by)
            rows.append(CareSession(
                network=network, psychologist=psychologist, patient=patient, date=date, model=model,
                function=function, format=Format.GROUP, setting=setting, place=place, zone=group.zone, group=group,
                band=decision.band, age=decision.age, is_bim=is_bim, is_first=False, copay_rule=decision.copay_rule,
                copay_eur=decision.copay_eur, fee_rule=None, fee_eur=0, lump_sum_eur=decision.lump_sum_eur,
                quota_rule=decision.quota_rule, extension=decision.extension, registered_by=by,
                eating_disorder_path=eating_disorder_path, import_key=import_key(patient.pk, date, psychologist.pk)))
        try:
            with transaction.atomic():
                CareSession.objects.bulk_create(rows)
        except IntegrityError:
            raise Refusal("ONE_PER_DAY", _("A participant already has a session on that day."),
                          allowed_from=date + timedelta(days=1), field="participants")
        log_action(group, "billing.group_session.registered", by=by, network=network,
                   after={"date": date.isoformat(), "function": function, "participants": len(rows),
                          "head_count": group.head_count, "fee_eur": str(group.fee_eur)})
    return group


# ---- extensions ------------------------------------------------------------------------------------------


@transaction.atomic
def extension_grant(*, network, niss, function, format_, valid_from, valid_to, extra_sessions, reason, by):
    """A dated, justified override of the quota by the network coordinator (domain-facts §3.4)."""
    if not reason.strip():
        raise BillingError(_("Give the reason for the extension."), field="reason")
    if valid_to < valid_from:
        raise BillingError(_("The end date is before the start date."), field="valid_to")
    try:
        patient = patient_for_niss(niss)
    except pseudo.ValidationError as exc:
        raise BillingError(exc.messages[0], field="national_number")
    extension = QuotaExtension.objects.create(
        network=network, patient=patient, function=function, format=format_, valid_from=valid_from,
        valid_to=valid_to, extra_sessions=extra_sessions, reason=reason.strip(), granted_by=by)
    log_action(extension, "billing.extension.granted", by=by, network=network,
               after={"patient": str(patient), "function": function, "format": format_,
                      "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat(),
                      "extra_sessions": extra_sessions, "reason": reason.strip()})
    return extension


# ---- functional assessments (issue 10) ----------------------------------------------------------------------


@transaction.atomic
def functional_assessment_record(*, network, psychologist, niss, date, outcome, by, today=None):
    """Record a patient's functional assessment (bilan fonctionnel): the date, the psychologist who did it and the
    outcome. It unlocks the sessions that need it (rules.check_assessment) from its date on."""
    today = today or timezone.localdate()
    if outcome not in AssessmentOutcome.values:
        raise BillingError(_("Choose the outcome of the assessment."), field="outcome")
    if date > today:
        raise BillingError(_("The assessment is recorded once it took place: the date is in the future."),
                           field="date")
    if not Convention.objects.filter(psychologist=psychologist, network=network, start_on__lte=date).exists():
        raise BillingError(_("The psychologist has no convention with the network on that date."),
                           field="psychologist")
    try:
        patient = patient_for_niss(niss)
    except pseudo.ValidationError as exc:
        raise BillingError(exc.messages[0], field="national_number")
    if FunctionalAssessment.objects.filter(patient=patient, psychologist=psychologist, date=date).exists():
        raise BillingError(_("This assessment is already recorded (same patient, psychologist and date)."),
                           field="date")
    assessment = FunctionalAssessment.objects.create(network=network, patient=patient, date=date,
                                                     psychologist=psychologist, outcome=outcome, recorded_by=by)
    log_action(assessment, "billing.assessment.recorded", by=by, network=network,
               after={"patient": str(patient), "date": date.isoformat(), "psychologist": psychologist.pk,
                      "outcome": outcome})
    return assessment


def psychologists_of(network, on=None):
    qs = Psychologist.objects.filter(conventions__network=network).distinct()
    return qs.order_by("last_name", "first_name")
