"""CSV import of sessions in the portal's documented layout (billing/data/IMPORT_FORMAT.md).

The file is checked whole first (size, UTF-8, exact header, column count on every line): a malformed file is
refused with one clear message and nothing is written. Rows are then applied in date order through the same rule
engine as a registration in the browser (billing.rules.evaluate), in chunks: the chunk's patients are locked
(select_for_update), their sessions around the chunk's dates loaded in one query, every row evaluated in memory
and the accepted ones written with one bulk_create. The whole import is one transaction, so a crash or a dry run
leaves the data as it was. The layout has no place column: an individual outreaching row is accepted as before
(the place, and so its outreaching eligibility, is not known), a group row goes through group_session_register,
which checks the place like a registration in the browser. Each row has an import key (patient + date + psychologist): importing the same file
again reports every row as a duplicate and creates nothing.
"""
import csv
import hashlib
import io
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from psynet.audit import log_action
from psynet.models import Convention, Psychologist

from . import pseudonym as pseudo
from .models import BimStatus, CareSession, FeeRule, Format, FunctionalAssessment, GroupSession, Patient, Setting
from .rules import Extension, FUNCTIONS_BY_MODEL, Past, Refusal, RuleBook, add_months, evaluate
from .services import group_session_register, import_key

COLUMNS = ["national_number", "session_date", "psychologist_inami", "function", "format", "setting", "bim",
           "group_ref", "fee_variant"]
# An optional last column: yes for a session within the eating-disorder care path (a file without it is read as no).
OPTIONAL_COLUMNS = ["eating_disorder_path"]
REPORT_COLUMNS = ["row", "status", "rule", "copay_eur", "fee_eur", "message"]
CHUNK = 2000
ALL_FUNCTIONS = {f for functions in FUNCTIONS_BY_MODEL.values() for f in functions}


class ImportRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def max_bytes():
    return getattr(settings, "BILLING_IMPORT_MAX_MB", 50) * 1024 * 1024


def progress_key(batch_id):
    return f"billing:import-progress:{batch_id}"


def parse(data):
    """Bytes → list of (line, dict). Raises ImportRefused for a malformed file (nothing is applied)."""
    if len(data) > max_bytes():
        raise ImportRefused(_("The file is too large (%(size)s MB; at most %(max)s MB).") % {
            "size": round(len(data) / 1024 / 1024, 1), "max": max_bytes() // 1024 // 1024})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(_("The file is not UTF-8 text (byte %(position)s). Save it as CSV UTF-8.") % {
            "position": exc.start})
    if "\x00" in text:
        raise ImportRefused(_("The file is not a CSV text file."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused(_("The file is empty."))
    except csv.Error:
        raise ImportRefused(_("The file is not a readable CSV file."))
    header = [h.strip().lower() for h in header]
    if header not in (COLUMNS, COLUMNS + OPTIONAL_COLUMNS):
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS + OPTIONAL_COLUMNS]
        raise ImportRefused(_("Wrong columns. Expected: %(expected)s. Missing: %(missing)s. Unknown: %(extra)s.") % {
            "expected": ",".join(COLUMNS), "missing": ",".join(missing) or "-", "extra": ",".join(extra) or "-"})
    columns = header
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                raise ImportRefused(_("Line %(line)s has %(count)s columns instead of %(expected)s.") % {
                    "line": line, "count": len(values), "expected": len(columns)})
            rows.append((line, dict(zip(columns, (v.strip() for v in values)))))
    except csv.Error as exc:
        raise ImportRefused(_("The CSV file cannot be read near line %(line)s (%(error)s).") % {
            "line": reader.line_num, "error": exc})
    if not rows:
        raise ImportRefused(_("The file has no session rows."))
    return rows


def _date(value):
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            pass
    raise Refusal("ROW_FORMAT", _("“%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY).") % {"value": value})


def _bool(value, column="bim"):
    value = value.lower()
    if value in ("yes", "oui", "ja", "1", "true"):
        return True
    if value in ("no", "non", "nee", "0", "false", ""):
        return False
    raise Refusal("ROW_FORMAT", _("%(column)s must be yes or no, not “%(value)s”.") % {"column": column,
                                                                                        "value": value})


class Row:
    __slots__ = ("line", "raw", "day", "number", "psychologist", "function", "format", "setting", "is_bim",
                 "group_ref", "fee_variant", "eating_disorder_path", "result")

    def __init__(self, line, raw):
        self.line, self.raw, self.result = line, raw, None


def _prepare(row, psychologists):
    raw = row.raw
    row.day = _date(raw["session_date"])
    try:
        row.number = pseudo.clean_niss(raw["national_number"])
    except pseudo.ValidationError as exc:
        raise Refusal("NISS", exc.messages[0])
    inami = "".join(ch for ch in raw["psychologist_inami"] if ch.isdigit())
    row.psychologist = psychologists.get(inami)
    if row.psychologist is None:
        raise Refusal("PSYCHOLOGIST", _("No psychologist with INAMI number %(number)s has a convention with this "
                                        "network.") % {"number": raw["psychologist_inami"]})
    if raw["function"] not in ALL_FUNCTIONS:
        raise Refusal("ROW_FORMAT", _("Unknown function “%(value)s”.") % {"value": raw["function"]})
    if raw["format"] not in Format.values:
        raise Refusal("ROW_FORMAT", _("Unknown format “%(value)s”.") % {"value": raw["format"]})
    if raw["setting"] not in Setting.values:
        raise Refusal("ROW_FORMAT", _("Unknown setting “%(value)s”.") % {"value": raw["setting"]})
    row.function, row.format, row.setting = raw["function"], raw["format"], raw["setting"]
    row.is_bim = _bool(raw["bim"])
    row.eating_disorder_path = _bool(raw.get("eating_disorder_path", ""), column="eating_disorder_path")
    row.group_ref, row.fee_variant = raw["group_ref"], raw["fee_variant"]
    if row.format == Format.GROUP and not row.group_ref:
        raise Refusal("ROW_FORMAT", _("A group row needs a group_ref."))


def _fee_code(book, variant, day):
    """A group fee variant given as a fee code (GRP_A) or as the amount of a group fee rule in force."""
    for rule in book.fees:
        if rule.unit == FeeRule.Unit.GROUP_SESSION and rule.in_force_on(day):
            if variant == rule.code or (rule.amount_eur is not None and variant.replace(",", ".")
                                        and _same_amount(variant, rule.amount_eur)):
                return rule.code
    return None


def _same_amount(text, amount):
    try:
        return Decimal(text.replace(",", ".")) == amount
    except ArithmeticError:
        return False


def run_import(*, network, data, by=None, dry_run=False, batch_id=None, today=None, actor_label=""):
    """Apply a CSV file; returns (report rows, counts). Raises ImportRefused for a malformed file."""
    today = today or timezone.localdate()
    parsed = parse(data)
    rows = [Row(line, raw) for line, raw in parsed]
    book = RuleBook.load()
    psychologists = {p.inami_number: p for p in Psychologist.objects.filter(conventions__network=network).distinct()}
    conventions = defaultdict(list)
    zones = {}
    for c in Convention.objects.filter(network=network).prefetch_related("zones").order_by("start_on"):
        conventions[c.psychologist_id].append((c.start_on, c.end_on, c.functions, c.age_groups))
        first_zone = min((z.pk for z in c.zones.all()), default=None)
        if first_zone and c.psychologist_id not in zones:
            zones[c.psychologist_id] = first_zone
    valid = []
    for row in rows:
        try:
            _prepare(row, psychologists)
            valid.append(row)
        except Refusal as exc:
            row.result = ("refused", exc.rule, "", "", exc.full_message)
    valid.sort(key=lambda r: (r.day, r.line))
    total = len(rows)
    done = total - len(valid)
    cache.set(progress_key(batch_id), (done, total), 3600) if batch_id else None

    with transaction.atomic():
        keys_by_number = {}
        for row in valid:
            keys_by_number.setdefault(row.number, None)
        _ensure_patients(keys_by_number)
        groups = defaultdict(list)
        for row in valid:
            if row.format == Format.GROUP:
                groups[(row.group_ref, row.day, row.psychologist.pk)].append(row)
        handled_groups = set()
        for start in range(0, len(valid), CHUNK):
            chunk = valid[start:start + CHUNK]
            _apply_chunk(chunk, network=network, book=book, conventions=conventions, zones=zones,
                         patients=keys_by_number,
                         groups=groups, handled_groups=handled_groups, by=by, today=today)
            done += len(chunk)
            if batch_id:
                cache.set(progress_key(batch_id), (done, total), 3600)
        counts = defaultdict(int)
        for row in rows:
            counts[row.result[0]] += 1
        if not dry_run:
            log_action(network, "billing.import.applied", by=by, actor_label=actor_label, network=network,
                       after={"rows": total, **counts})
        if dry_run:
            transaction.set_rollback(True)
    report = [[row.line, *row.result] for row in sorted(rows, key=lambda r: r.line)]
    return report, dict(counts)


def _ensure_patients(patients):
    """{number: patient_id}: existing pseudonyms fetched, missing ones bulk-created (birth date from the NISS)."""
    by_pseudonym = {pseudo.pseudonym(number): number for number in patients}
    found = dict(Patient.objects.filter(pseudonym__in=list(by_pseudonym)).values_list("pseudonym", "pk"))
    missing = []
    for value, number in by_pseudonym.items():
        if value not in found:
            try:
                birth, precision = pseudo.birth_of(number)
            except pseudo.ValidationError:
                continue
            missing.append(Patient(pseudonym=value, birth_date=birth, birth_precision=precision))
    if missing:
        Patient.objects.bulk_create(missing, batch_size=CHUNK, ignore_conflicts=True)
        found.update(Patient.objects.filter(pseudonym__in=[p.pseudonym for p in missing])
                     .values_list("pseudonym", "pk"))
    for value, number in by_pseudonym.items():
        patients[number] = found.get(value)


def _apply_chunk(chunk, *, network, book, conventions, zones, patients, groups, handled_groups, by, today):
    ids = sorted({patients[r.number] for r in chunk if patients.get(r.number)})
    births = dict(Patient.objects.select_for_update().filter(pk__in=ids).order_by("pk")
                  .values_list("pk", "birth_date"))
    first = min(add_months(chunk[0].day, -13), chunk[0].day.replace(month=1, day=1))
    last = add_months(chunk[-1].day, 12)
    history = defaultdict(list)
    for pid, day, model, function, format_, band, network_id, lump in CareSession.objects.filter(
            patient_id__in=ids, date__gte=first, date__lte=last).values_list(
            "patient_id", "date", "model", "function", "format", "band", "network_id", "lump_sum_eur"):
        history[pid].append(Past(day, model, function, format_, band, network_id, bool(lump)))
    extensions = defaultdict(list)
    from .models import QuotaExtension
    for e in QuotaExtension.objects.filter(patient_id__in=ids, network=network):
        extensions[e.patient_id].append(Extension(e.function, e.format, e.valid_from, e.valid_to, e.extra_sessions, e))
    assessments = defaultdict(list)
    for pid, day in FunctionalAssessment.objects.filter(patient_id__in=ids, date__lte=chunk[-1].day).values_list(
            "patient_id", "date"):
        assessments[pid].append(day)
    bim_known = defaultdict(list)
    for pid, valid_from, is_bim in BimStatus.objects.filter(patient_id__in=ids).values_list(
            "patient_id", "valid_from", "is_bim"):
        bim_known[pid].append((valid_from, is_bim))
    keys = {}
    for row in chunk:
        if row.format == Format.INDIVIDUAL and patients.get(row.number):
            keys[row] = import_key(patients[row.number], row.day, row.psychologist.pk)
    existing = set(CareSession.objects.filter(import_key__in=list(keys.values())).values_list("import_key", flat=True))
    pending, bims = [], []
    now = timezone.now()

    def flush():
        if pending:
            write_sessions(pending)
            pending.clear()

    for row in chunk:
        pid = patients.get(row.number)
        if pid is None:
            row.result = ("refused", "NISS", "", "", _("This national number carries no birth year."))
            continue
        if row.format == Format.GROUP:
            group_key = (row.group_ref, row.day, row.psychologist.pk)
            if group_key in handled_groups:
                continue
            handled_groups.add(group_key)
            flush()
            _apply_group(groups[group_key], network=network, book=book, by=by, today=today, history=history,
                         patients=patients)
            continue
        key = keys[row]
        if key in existing:
            row.result = ("duplicate", "IMPORT_KEY", "", "", _("Already registered (same patient, date and "
                                                               "psychologist)."))
            continue
        try:
            is_bim_before = _bim_on(bim_known[pid], row.day)
            decision = evaluate(book, day=row.day, today=today, network_id=network.pk, network_kind=network.kind,
                                function=row.function, format_=Format.INDIVIDUAL, is_bim=row.is_bim,
                                birth=births[pid], conventions=conventions[row.psychologist.pk],
                                history=history[pid], extensions=extensions[pid], assessments=assessments[pid])
        except Refusal as exc:
            row.result = ("refused", exc.rule, "", "", exc.full_message)
            continue
        existing.add(key)
        if row.is_bim != is_bim_before:
            bims.append(BimStatus(patient_id=pid, valid_from=row.day, is_bim=row.is_bim, declared_by=by))
            bim_known[pid].append((row.day, row.is_bim))
        history[pid].append(Past(row.day, decision.model, row.function, Format.INDIVIDUAL, decision.band, network.pk,
                                 bool(decision.lump_sum_eur)))
        pending.append((
            network.pk, row.psychologist.pk, pid, row.day, decision.model, row.function, Format.INDIVIDUAL,
            row.setting, zones.get(row.psychologist.pk), decision.band, decision.age, row.is_bim, decision.is_first,
            decision.copay_rule.pk, decision.copay_eur, decision.fee_rule.pk if decision.fee_rule else None,
            decision.fee_eur, decision.lump_sum_eur, decision.quota_rule.pk,
            decision.extension.pk if decision.extension else None, key, by.pk if by else None, now,
            row.eating_disorder_path))
        message = _("lump sum %(amount)s included") % {"amount": decision.lump_sum_eur} if decision.lump_sum_eur else ""
        row.result = ("accepted", decision.quota_rule.code, str(decision.copay_eur),
                      str(decision.fee_eur + decision.lump_sum_eur), message)
    flush()
    if bims:
        BimStatus.objects.bulk_create(bims, ignore_conflicts=True)


SESSION_COLUMNS = ("network_id", "psychologist_id", "patient_id", "date", "model", "function", "format", "setting",
                   "zone_id", "band", "age", "is_bim", "is_first", "copay_rule_id", "copay_eur", "fee_rule_id",
                   "fee_eur", "lump_sum_eur", "quota_rule_id", "extension_id", "import_key", "registered_by_id",
                   "created_at", "eating_disorder_path")


def write_sessions(rows):
    """Accepted rows, already evaluated: PostgreSQL COPY (no model instances), else bulk_create."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY billing_caresession ({', '.join(SESSION_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        CareSession.objects.bulk_create([CareSession(**dict(zip(SESSION_COLUMNS, row))) for row in rows],
                                        batch_size=CHUNK)


def _bim_on(known, day):
    rows = [r for r in known if r[0] <= day]
    return max(rows)[1] if rows else False


def _apply_group(rows, *, network, book, by, today, history, patients):
    head = rows[0]
    key = hashlib.sha256(f"{network.pk}|{head.group_ref}|{head.day.isoformat()}|{head.psychologist.pk}".encode()
                         ).hexdigest()
    if GroupSession.objects.filter(import_key=key).exists():
        for row in rows:
            row.result = ("duplicate", "IMPORT_KEY", "", "", _("Group session already imported."))
        return
    fee_code = _fee_code(book, head.fee_variant, head.day)
    try:
        if fee_code is None:
            raise Refusal("GROUP_FEE", _("Unknown group fee variant “%(value)s”.") % {"value": head.fee_variant})
        with transaction.atomic():
            group = group_session_register(
                network=network, psychologist=head.psychologist, date=head.day, function=head.function,
                setting=head.setting, fee_code=fee_code, today=today, book=book, by=by, group_ref=head.group_ref,
                duration_minutes=book.int_parameter("GROUP_DURATION_MINUTES", head.day),
                co_facilitator=_("co-facilitator (import)"), participants=[(r.raw["national_number"], r.is_bim)
                                                                           for r in rows],
                eating_disorder_path=any(r.eating_disorder_path for r in rows))
            GroupSession.objects.filter(pk=group.pk).update(import_key=key)
    except Refusal as exc:
        for row in rows:
            row.result = ("refused", exc.rule, "", "", exc.full_message)
        return
    sessions = {s.patient_id: s for s in group.participants.all()}
    for index, row in enumerate(rows):
        session = sessions.get(patients.get(row.number))
        fee = group.fee_eur if index == 0 else Decimal("0.00")
        if session:
            history[session.patient_id].append(Past(row.day, session.model, row.function, Format.GROUP, session.band,
                                                    network.pk, bool(session.lump_sum_eur)))
        row.result = ("accepted", "GROUP", str(session.copay_eur if session else ""),
                      str(fee + (session.lump_sum_eur if session else 0)),
                      _("group session %(ref)s") % {"ref": head.group_ref})


def report_csv(report):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(report)
    return out.getvalue()



def batch_run(batch_id):
    """Run a stored ImportBatch (Celery task body): status, progress, report file."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from .models import ImportBatch

    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PENDING).update(
        status=ImportBatch.Status.RUNNING)
    if not claimed:
        return None
    batch = ImportBatch.objects.select_related("network", "uploaded_by").get(pk=batch_id)
    with batch.file.open("rb") as handle:
        data = handle.read()
    try:
        report, counts = run_import(network=batch.network, data=data, by=batch.uploaded_by, dry_run=batch.dry_run,
                                    batch_id=batch.pk)
    except ImportRefused as exc:
        batch.status, batch.message = ImportBatch.Status.REFUSED, exc.message
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "message", "finished_at"])
        return batch
    batch.report.save(f"import-{batch.pk}-report.csv", ContentFile(report_csv(report).encode("utf-8")), save=False)
    batch.status, batch.counts = ImportBatch.Status.DONE, counts
    batch.total_rows = batch.processed_rows = len(report)
    batch.finished_at = timezone.now()
    batch.save()
    return batch
