"""Demo data (a year of sessions for RSN and RSK through the real rules, statements for past months, a demo import
file) and national-scale data (300,000 patients, 2,000,000 sessions with PostgreSQL COPY)."""
import csv
import datetime as dt
import io
import os
import random
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from .loader import load_rules

DEMO_IMPORT = os.path.join(os.path.dirname(__file__), "data", "demo_import.csv")
HEADER = ["national_number", "session_date", "psychologist_inami", "function", "format", "setting", "bim",
          "group_ref", "fee_variant"]
# The demo networks' sessions carry the optional care-path column: a few patients and two groups are within the
# eating-disorder care path.
PATH_HEADER = HEADER + ["eating_disorder_path"]


def niss(birth, counter):
    body = f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}{counter:03d}"
    base = int(("2" if birth.year >= 2000 else "") + body)
    return body + f"{97 - base % 97:02d}"


def _birth(rng, today, low, high):
    return today - timedelta(days=rng.randint(low * 365 + 30, high * 365 - 30))


def _rows_for(network, psychologists, rng, today, patients=350):
    youth = network.kind == "children"
    rows = []
    settings = ["practice"] * 5 + ["outreach"] * 2 + ["home"] + ["video"] * 2
    for p in range(patients):
        birth = _birth(rng, today, 3 if youth else 16, 23 if youth else 80)
        number = niss(birth, 100 + p % 800)
        psychologist = rng.choice(psychologists)
        function = rng.choice(["F2", "F2", "F3"])
        bim = "yes" if rng.random() < 0.25 else "no"
        day = today - timedelta(days=rng.randint(20, 360))
        for _s in range(rng.randint(1, 9)):
            if day >= today:
                break
            rows.append([number, day.isoformat(), psychologist.inami_number, function, "individual",
                         rng.choice(settings), bim, "", "", "yes" if p % 25 == 3 else "no"])
            day += timedelta(days=rng.choice([7, 7, 14, 21]))
    for g in range(12):
        day = today - timedelta(days=rng.randint(10, 350))
        psychologist = rng.choice(psychologists)
        for k in range(rng.randint(4, 9)):
            birth = _birth(rng, today, 16 if not youth else 8, 23 if youth else 70)
            rows.append([niss(birth, 900 + (g * 9 + k) % 90), day.isoformat(), psychologist.inami_number, "F2",
                         "group", rng.choice(["practice", "outreach"]), "no", f"DEMO-{network.code}-{g}",
                         rng.choice(["326", "400"]), "yes" if g in (2, 7) else "no"])
    return rows


def _csv_bytes(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def build(stdout=None):
    from psynet.models import Network, Psychologist, User

    from .importer import run_import
    from .models import CareSession, Statement
    from .statements import statement_generate

    load_rules()
    _grant_admin_staff()
    today = timezone.localdate()
    for code in ("RSN", "RSK"):
        network = Network.objects.filter(code=code).first()
        if network is None:
            continue
        psychologists = list(Psychologist.objects.filter(conventions__network=network,
                                                         conventions__start_on__lte=today - timedelta(days=365),
                                                         conventions__end_on__isnull=True).distinct())
        if not psychologists:
            continue
        rng = random.Random(f"billing-{code}")
        rows = _rows_for(network, psychologists, rng, today)
        _demo_assessments(network, rows, psychologists)
        _report, counts = run_import(network=network, data=_csv_bytes(rows, PATH_HEADER), actor_label="demo")
        if stdout:
            stdout.write(f"billing demo {code}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        _community_sessions(network, psychologists, today)
        own = Psychologist.objects.filter(user=User.objects.filter(email=f"psychologist@{code.lower()}.example")
                                          .first()).first()
        chosen = ([own] if own else []) + [p for p in psychologists if p != own][:3]
        for psychologist in chosen:
            for back in (1, 2, 3):
                month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
                for _i in range(back - 1):
                    month = (month - timedelta(days=1)).replace(day=1)
                if CareSession.objects.filter(network=network, psychologist=psychologist,
                                              date__year=month.year, date__month=month.month).exists():
                    if not Statement.objects.filter(network=network, psychologist=psychologist, month=month).exists():
                        statement_generate(network=network, psychologist=psychologist, month=month)
    write_demo_import()


def _demo_assessments(network, rows, psychologists):
    """Functional assessments on the first F3 session of most demo patients; one patient in ten has none, so the
    import report shows the refusal of their later F3 sessions (issue 10)."""
    from .models import AssessmentOutcome, FunctionalAssessment
    from .services import patient_for_niss

    by_inami = {p.inami_number: p for p in psychologists}
    first = {}
    for number, day, inami, function, format_, *_rest in rows:
        if function == "F3" and format_ == "individual":
            first[number] = min(first.get(number, (day, inami)), (day, inami))
    assessments = []
    for index, (number, (day, inami)) in enumerate(sorted(first.items())):
        if index % 10 == 9:
            continue
        assessments.append(FunctionalAssessment(
            network=network, patient=patient_for_niss(number), date=dt.date.fromisoformat(day),
            psychologist=by_inami[inami], outcome=AssessmentOutcome.TREATMENT))
    FunctionalAssessment.objects.bulk_create(assessments, ignore_conflicts=True)


def build_outreach(stdout=None):
    """After the care-offer demo (which records the places' outreaching eligibility): a few outreaching sessions
    registered at eligible places through the rules, and, for the coordinator's list of sessions that break the rule
    (issue 10), a few older outreaching sessions that named no place recorded at the place the network has since
    declared ineligible (the history the list is for). Idempotent."""
    from care_offer.selectors import ineligible_outreach_places
    from psynet.models import Network, Psychologist

    from .models import CareSession, Setting
    from .rules import Refusal
    from .services import session_register

    today = timezone.localdate()
    for code in ("RSN", "RSK"):
        network = Network.objects.filter(code=code).first()
        if network is None:
            continue
        ineligible = ineligible_outreach_places(network).first()
        eligible = network.organisations.exclude(pk__in=ineligible_outreach_places(network).values("pk")).order_by(
            "pk").first()
        psychologist = next((p for p in Psychologist.objects.filter(
            conventions__network=network, conventions__end_on__isnull=True).distinct().order_by("pk")
            if any("F2" in c.functions for c in p.conventions.filter(network=network, end_on__isnull=True))), None)
        if eligible and psychologist:
            for i in range(3):
                try:
                    session_register(network=network, psychologist=psychologist,
                                     niss=niss(dt.date(1985, 1 + i, 10), 950 + i), date=today - timedelta(days=5 + i),
                                     function="F2", setting=Setting.OUTREACH, place=eligible, is_bim=False)
                except Refusal:
                    pass
        if ineligible and not CareSession.objects.filter(network=network, place=ineligible,
                                                         setting=Setting.OUTREACH).exists():
            legacy = list(CareSession.objects.filter(network=network, setting=Setting.OUTREACH, place__isnull=True,
                                                     group__isnull=True).order_by("date", "pk")
                          .values_list("pk", flat=True)[:4])
            CareSession.objects.filter(pk__in=legacy).update(place=ineligible)
        if stdout:
            stdout.write(f"billing demo {code}: outreaching sessions at eligible and ineligible places")


def _community_sessions(network, psychologists, today):
    from .models import GroupSession
    from .rules import RuleBook
    from .services import group_session_register

    f1 = [p for p in psychologists
          if any("F1" in c.functions for c in p.conventions.filter(network=network, end_on__isnull=True))]
    if not f1 or GroupSession.objects.filter(network=network, function="F1").exists():
        return
    book = RuleBook.load()
    for i in range(4):
        day = today - timedelta(days=30 + 60 * i)
        try:
            group_session_register(network=network, psychologist=f1[i % len(f1)], date=day, function="F1",
                                   setting="outreach", fee_code="GRP_B", head_count=12 + 3 * i,
                                   duration_minutes=book.int_parameter("GROUP_DURATION_MINUTES", day),
                                   co_facilitator="Éducatrice du partenaire", book=book,
                                   place=network.organisations.order_by("pk").first(), group_ref=f"F1-{i}")
        except Exception:  # a demo without F1 conventions on that date: skip
            continue


def _grant_admin_staff():
    """Demo admin staff may edit the rule tables in the Django admin."""
    from django.contrib.auth.models import Permission

    from psynet.models import User

    perms = Permission.objects.filter(content_type__app_label="billing",
                                      content_type__model__in=["feerule", "copayrule", "quotarule", "billingparameter"])
    for user in User.objects.filter(email__in=["admin@rsn.example", "admin@rsk.example"]):
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.user_permissions.add(*perms)


def write_demo_import():
    """billing/data/demo_import.csv: RSN rows, a few of them bad on purpose (see the last column comments)."""
    from psynet.models import Psychologist

    psychologist = Psychologist.objects.filter(conventions__network__code="RSN", user__email="psychologist@rsn.example"
                                               ).first() or Psychologist.objects.filter(
        conventions__network__code="RSN").first()
    if psychologist is None:
        return
    rng = random.Random(8)
    rows = []
    base = dt.date(2026, 1, 5)
    for i in range(24):
        number = niss(dt.date(1960 + i, 3, 1 + i), 500 + i)
        rows.append([number, (base + timedelta(days=7 * (i % 6))).isoformat(), psychologist.inami_number,
                     rng.choice(["F2", "F3"]), "individual", rng.choice(["practice", "video", "outreach"]),
                     "yes" if i % 4 == 0 else "no", "", ""])
    bad = [
        ["12345678901", "2026-02-02", psychologist.inami_number, "F2", "individual", "practice", "no", "", ""],
        [niss(dt.date(1970, 1, 1), 600), "2099-01-01", psychologist.inami_number, "F2", "individual", "practice",
         "no", "", ""],
        [niss(dt.date(1971, 1, 1), 601), "2026-02-03", "99999999999", "F2", "individual", "practice", "no", "", ""],
        [niss(dt.date(1972, 1, 1), 602), "2026-02-04", psychologist.inami_number, "first_line", "individual",
         "practice", "no", "", ""],
        [niss(dt.date(1973, 1, 1), 603), "2026-02-05", psychologist.inami_number, "F2", "individual", "home",
         "maybe", "", ""],
        [niss(dt.date(2015, 1, 1), 604), "2026-02-06", psychologist.inami_number, "F2", "individual", "practice",
         "no", "", ""],
    ]
    rows += bad + [rows[0]]  # and one duplicate of the first row
    content = _csv_bytes(rows)
    try:
        with open(DEMO_IMPORT, "rb") as handle:
            if handle.read() == content:
                return
    except OSError:
        pass
    try:
        with open(DEMO_IMPORT, "wb") as handle:
            handle.write(content)
    except OSError:  # a read-only install keeps the shipped file
        pass


# ---- national scale ---------------------------------------------------------------------------------------

SCALE_PATIENTS = int(os.environ.get("SCALE_BILLING_PATIENTS", 300_000))
SCALE_SESSIONS = int(os.environ.get("SCALE_BILLING_SESSIONS", 2_000_000))


def build_scale(*, networks, rng, stdout=None):
    """300,000 patients and 2,000,000 sessions spread over the generated networks, written with COPY.

    Synthetic volume for the benchmarks: amounts are taken from the rules in force, but the sessions are not
    evaluated one by one (the import benchmark does that). Skipped on SQLite or with SCALE_BILLING=0."""
    if connection.vendor != "postgresql" or os.environ.get("SCALE_BILLING", "1") == "0":
        if stdout:
            stdout.write("billing scale data skipped (PostgreSQL only; SCALE_BILLING=0)")
        return
    from psynet.models import Convention, Zone

    from .models import FeeRule, Patient, QuotaRule, Statement
    from .rules import RuleBook

    started = time.perf_counter()
    load_rules()
    book = RuleBook.load()
    today = timezone.localdate()
    with transaction.atomic():
        network_ids = [n.pk for n in networks]
        Statement.objects.filter(network_id__in=network_ids).delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM billing_caresession WHERE network_id = ANY(%s)", [network_ids])
            cursor.execute("DELETE FROM billing_groupsession WHERE network_id = ANY(%s)", [network_ids])
            cursor.execute("DELETE FROM billing_patient p WHERE pseudonym LIKE 'scale%%' AND NOT EXISTS "
                           "(SELECT 1 FROM billing_caresession s WHERE s.patient_id = p.id)")
        by_network = {}
        for c in Convention.objects.filter(network_id__in=network_ids).values("network_id", "psychologist_id"):
            by_network.setdefault(c["network_id"], []).append(c["psychologist_id"])
        zones = {}
        for z in Zone.objects.filter(network_id__in=network_ids).values("network_id", "pk"):
            zones.setdefault(z["network_id"], []).append(z["pk"])
        usable = [n for n in networks if by_network.get(n.pk)]
        copay_std = next(r for r in book.copays if r.code == "IND_STD")
        copay_youth = next(r for r in book.copays if r.code == "YOUTH_FREE")
        fee = book.fee_rule(unit=FeeRule.Unit.SESSION, model="2024", day=today)
        quotas = {(q.band, q.function): q for q in QuotaRule.objects.filter(model="2024", format="individual")}
        if not usable:
            return
        # The ids written below all exist (generated from the rows just read): skip the per-row deferred foreign-key
        # triggers, which would otherwise run 2,000,000 × 8 checks at COMMIT (needs a superuser; else they run).
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except Exception:  # not a superuser: keep the checks
            pass
        # patients
        start_pk = (Patient.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        with connection.cursor() as cursor:
            with cursor.cursor.copy("COPY billing_patient (id, pseudonym, birth_date, birth_precision, created_at) "
                                    "FROM STDIN") as copy:
                now = timezone.now()
                for i in range(SCALE_PATIENTS):
                    youth = usable[i % len(usable)].kind == "children"
                    birth = today - timedelta(days=rng.randint(6 * 365, 20 * 365) if youth
                                              else rng.randint(25 * 365, 80 * 365))
                    copy.write_row((start_pk + i, f"scale{start_pk + i:058d}", birth, "day", now))
            cursor.execute("SELECT setval(pg_get_serial_sequence('billing_patient', 'id'), %s)",
                           [start_pk + SCALE_PATIENTS])
        per_patient = SCALE_SESSIONS // SCALE_PATIENTS
        extra = SCALE_SESSIONS - per_patient * SCALE_PATIENTS
        written = 0
        first_day = today - timedelta(days=730)
        with connection.cursor() as cursor:
            columns = ("network_id, psychologist_id, patient_id, date, model, function, format, setting, zone_id, "
                       "band, age, is_bim, is_first, copay_rule_id, copay_eur, fee_rule_id, fee_eur, lump_sum_eur, "
                       "quota_rule_id, created_at")
            with cursor.cursor.copy(f"COPY billing_caresession ({columns}) FROM STDIN") as copy:
                now = timezone.now()
                settings = ["practice"] * 5 + ["outreach"] * 2 + ["home", "video", "video"]
                for i in range(SCALE_PATIENTS):
                    network = usable[i % len(usable)]
                    youth = network.kind == "children"
                    band = "youth_0_23" if youth else "adult_15_plus"
                    psychologist = rng.choice(by_network[network.pk])
                    zone = rng.choice(zones[network.pk]) if zones.get(network.pk) else None
                    function = "F3" if i % 3 == 0 else "F2"
                    quota = quotas.get((band, function))
                    count = per_patient + (1 if i < extra else 0)
                    day = first_day + timedelta(days=rng.randint(0, 500))
                    copay = copay_youth if youth else copay_std
                    is_bim = i % 4 == 0
                    for k in range(count):
                        copy.write_row((network.pk, psychologist, start_pk + i, day, "2024", function, "individual",
                                        settings[(i + k) % len(settings)], zone, band, 16 + i % 60, is_bim, k == 0,
                                        copay.pk, copay.amount_eur, fee.pk if fee else None,
                                        fee.amount_eur if fee else 0, 0, quota.pk if quota else None, now))
                        day += timedelta(days=7 + (i + k) % 14)
                        written += 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE billing_patient")
        cursor.execute("ANALYZE billing_caresession")
    if stdout:
        stdout.write(f"billing scale: {SCALE_PATIENTS} patients, {written} sessions in "
                     f"{time.perf_counter() - started:.0f} s")
