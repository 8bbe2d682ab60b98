"""Every billing write: one transaction, one audit entry (STYLE.md §1, §5)."""
from collections import namedtuple
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from psynet.audit import log_action
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
                     today=None, book=None):
    """Register one individual session after every rule; raise Refusal (rule + allowed date) otherwise.

    The race on the last allowed session is closed by locking the patient row, reading the history after the lock
    and inserting in one transaction; the unique (patient, date) constraint backs the one-per-day rule. Every rule
    input is read in one round trip on PostgreSQL (registration_inputs), then the session and its audit entry are
    written: three statements in all whatever the patient's history."""
    today = today or timezone.localdate()
    _check_setting(setting, place, network)
    try:
        number = pseudo.clean_niss(niss)
        birth, precision = pseudo.birth_of(number)
    except pseudo.ValidationError as exc:
        raise Refusal("NISS", exc.messages[0], field="national_number")
    value = pseudo.pseudonym(number)
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
            session = CareSession.objects.create(
                network=network, psychologist=psychologist, patient=patient, date=date, model=decision.model,
                function=function, format=Format.INDIVIDUAL, setting=setting, place=place,
                zone_id=inputs.zone_id, band=decision.band, age=decision.age,
                is_bim=is_bim, is_first=decision.is_first, copay_rule=decision.copay_rule,
                copay_eur=decision.copay_eur, fee_rule=decision.fee_rule, fee_eur=decision.fee_eur,
                lump_sum_eur=decision.lump_sum_eur, quota_rule=decision.quota_rule,
                extension=decision.extension, registered_by=by,
                import_key=import_key(patient.pk, date, psychologist.pk))
            log_action(session, "billing.session.registered", by=by, network=network,
                       after=_session_summary(session))
    except IntegrityError:
        # the patient row is locked and its sessions read after the lock, so only a writer that bypasses the lock
        # can get here: the unique (patient, date) constraint refuses the second session of the day
        if CareSession.objects.filter(patient__pseudonym=value, date=date).exists():
            raise Refusal("ONE_PER_DAY", _("This patient already has a session on that day."),
                          allowed_from=date + timedelta(days=1), field="date")
        raise
    return session


def _fetch(statements):
    """Run ``[(sql, params)]`` in order and return each statement's rows. On PostgreSQL they are sent as one
    multi-statement string: one round trip, and in READ COMMITTED each statement still takes its own snapshot, so a
    read placed after a row lock sees everything the previous holder of the lock committed. Elsewhere (SQLite) they
    run one by one."""
    out = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(";\n".join(sql for sql, _params in statements),
                           [p for _sql, params in statements for p in params])
            while True:
                out.append(cursor.fetchall() if cursor.description is not None else [])
                if not cursor.nextset():
                    break
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
                out.append(cursor.fetchall() if cursor.description is not None else [])
    return out


def _converters(fields):
    """The database converters of ``fields`` (what the ORM applies to a column: dates on SQLite, JSON...)."""
    out = []
    for f in fields:
        col = f.get_col(f.model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + f.get_db_converters(connection)))
    return out


def _convert(rows, converters):
    result = []
    for row in rows:
        values = []
        for value, (col, functions) in zip(row, converters):
            for function in functions:
                value = function(value, col, connection)
            values.append(value)
        result.append(values)
    return result


_READS = {}


def _registration_reads():
    """The SQL of registration_inputs, built once per database vendor from the models' tables and columns (no
    queryset compiled per registration). Each entry: (name, sql, fields whose converters apply)."""
    key = connection.vendor
    if key in _READS:
        return _READS[key]
    qn = connection.ops.quote_name

    def t(model):
        return qn(model._meta.db_table)

    def cols(model, names, alias=None):
        fields = [model._meta.get_field(n) for n in names]
        prefix = f"{alias}." if alias else ""
        return ", ".join(prefix + qn(f.column) for f in fields), fields

    patient_cols = [f.attname for f in Patient._meta.concrete_fields]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    pid = f"(SELECT {qn('id')} FROM {t(Patient)} WHERE {qn('pseudonym')} = %s)"
    reads = {}
    sql, fields = cols(Patient, patient_cols)
    reads["patient"] = (f"SELECT {sql} FROM {t(Patient)} WHERE {qn('pseudonym')} = %s{lock}", fields)
    sql, fields = cols(CareSession, ["date", "model", "function", "format", "band", "network", "lump_sum_eur"])
    reads["history"] = (f"SELECT {sql} FROM {t(CareSession)} WHERE {qn('patient_id')} = {pid} "
                        f"AND {qn('date')} >= %s AND {qn('date')} <= %s", fields)
    sql, fields = cols(QuotaExtension, [f.name for f in QuotaExtension._meta.concrete_fields])
    reads["extensions"] = (f"SELECT {sql} FROM {t(QuotaExtension)} WHERE {qn('patient_id')} = {pid} "
                           f"AND {qn('network_id')} = %s", fields)
    sql, fields = cols(FunctionalAssessment, ["date"])
    reads["assessments"] = (f"SELECT {sql} FROM {t(FunctionalAssessment)} WHERE {qn('patient_id')} = {pid} "
                            f"AND {qn('date')} <= %s", fields)
    sql, fields = cols(BimStatus, ["is_bim"])
    reads["bim"] = (f"SELECT {sql} FROM {t(BimStatus)} WHERE {qn('patient_id')} = {pid} AND {qn('valid_from')} <= %s "
                    f"ORDER BY {qn('valid_from')} DESC LIMIT 1", fields)
    through = Convention.zones.through
    sql, fields = cols(Convention, ["id", "start_on", "end_on", "functions", "age_groups"], "c")
    zone_col = through._meta.get_field("zone")
    reads["conventions"] = (
        f"SELECT {sql}, cz.{qn(zone_col.column)} FROM {t(Convention)} c LEFT JOIN {t(through)} cz ON "
        f"cz.{qn(through._meta.get_field('convention').column)} = c.{qn('id')} WHERE c.{qn('psychologist_id')} = %s "
        f"AND c.{qn('network_id')} = %s ORDER BY c.{qn('start_on')} DESC, c.{qn('id')}, cz.{qn(zone_col.column)}",
        fields + [zone_col])
    members = Zone.municipalities.through
    reads["place_zone"] = (
        f"SELECT z.{qn('id')} FROM {t(Zone)} z JOIN {t(members)} zm ON zm.{qn('zone_id')} = z.{qn('id')} "
        f"WHERE z.{qn('network_id')} = %s AND zm.{qn('municipality_id')} = %s ORDER BY z.{qn('id')} LIMIT 1",
        [Zone._meta.get_field("id")])
    reads["rules_version"] = (f"SELECT {qn('token')} FROM {t(RuleBookVersion)} ORDER BY {qn('id')} LIMIT 1",
                              [RuleBookVersion._meta.get_field("token")])
    insert = (f"INSERT INTO {t(Patient)} ({qn('pseudonym')}, {qn('birth_date')}, {qn('birth_precision')}, "
              f"{qn('created_at')}) SELECT %s, %s, %s, %s WHERE NOT EXISTS (SELECT 1 FROM {t(Patient)} WHERE "
              f"{qn('pseudonym')} = %s) ON CONFLICT ({qn('pseudonym')}) DO NOTHING")
    _READS[key] = {"insert": insert, "patient_fields": patient_cols,
                   **{name: (sql, _converters(fields)) for name, (sql, fields) in reads.items()}}
    return _READS[key]


RegistrationInputs = namedtuple(
    "RegistrationInputs", "patient conventions zone_id history extensions assessments bim rules_version")


def registration_inputs(*, pseudonym, birth, precision, network, psychologist, day, place=None):
    """Everything the rules need for one patient's session on ``day``, in one round trip on PostgreSQL (inside the
    caller's transaction), in this order:

    1. the pseudonymised patient, inserted when new (a concurrent insert of the same pseudonym waits for the other
       transaction and then does nothing);
    2. the patient row locked (FOR UPDATE): a concurrent registration for the same patient waits here until the
       other transaction ends;
    3. after the lock, the patient's sessions around ``day`` (history_bounds), the coordinator's extensions, the
       functional assessments and the increased-reimbursement status in force;
    4. the psychologist's conventions with the network and their zones, the token of the rules in force
       (RuleBook.cached) and the zone of the place.
    """
    sql = _registration_reads()
    ops = connection.ops
    first, last = history_bounds(day)
    statements = [
        (sql["insert"], [pseudonym, ops.adapt_datefield_value(birth), precision,
                         ops.adapt_datetimefield_value(timezone.now()), pseudonym]),
        (sql["patient"][0], [pseudonym]),
        (sql["history"][0], [pseudonym, ops.adapt_datefield_value(first), ops.adapt_datefield_value(last)]),
        (sql["extensions"][0], [pseudonym, network.pk]),
        (sql["assessments"][0], [pseudonym, ops.adapt_datefield_value(day)]),
        (sql["bim"][0], [pseudonym, ops.adapt_datefield_value(day)]),
        (sql["conventions"][0], [psychologist.pk, network.pk]),
        (sql["rules_version"][0], []),
    ]
    if place is not None and place.municipality_id:
        statements.append((sql["place_zone"][0], [network.pk, place.municipality_id]))
    raw = _fetch(statements)
    names = ["insert", "patient", "history", "extensions", "assessments", "bim", "conventions", "rules_version",
             "place_zone"]
    rows = {name: _convert(result, sql[name][1]) for name, result in zip(names[1:], raw[1:])}
    patient = Patient.from_db(connection.alias, sql["patient_fields"], rows["patient"][0])
    conventions, zones = [], {}
    for convention_id, start_on, end_on, functions, age_groups, zone_id in rows["conventions"]:
        if convention_id not in zones:
            conventions.append((start_on, end_on, functions, age_groups))
            zones[convention_id] = zone_id  # the convention's zones come in pk order: the first is the lowest
    zone_id = rows["place_zone"][0][0] if rows.get("place_zone") else None
    if zone_id is None:
        zone_id = next((z for z in zones.values() if z is not None), None)
    extension_fields = [f.attname for f in QuotaExtension._meta.concrete_fields]
    extensions = [QuotaExtension.from_db(connection.alias, extension_fields, row) for row in rows["extensions"]]
    return RegistrationInputs(
        patient=patient,
        conventions=conventions,
        zone_id=zone_id,
        history=[Past(d, model, function, format_, band, network_id, bool(lump))
                 for d, model, function, format_, band, network_id, lump in rows["history"]],
        extensions=[Extension(e.function, e.format, e.valid_from, e.valid_to, e.extra_sessions, e)
                    for e in extensions],
        assessments=[d for (d,) in rows["assessments"]],
        bim=rows["bim"][0][0] if rows["bim"] else None,
        rules_version=rows["rules_version"][0][0] if rows["rules_version"] else "",
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
                           by=None, today=None, book=None, group_ref=""):
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
            group_ref=group_ref, registered_by=by)
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
                import_key=import_key(patient.pk, date, psychologist.pk)))
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
