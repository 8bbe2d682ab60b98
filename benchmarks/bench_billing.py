"""Billing figures (issue 8), on the national-scale bench database:

1. quota-checked session registration p95 and its ratio to a plain insert of the same row (target ≤ 2×);
2. CSV import throughput for a 200,000-row file (target ≥ 2,000 rows/s) and the importer's peak memory;
3. dashboard p95 with 20 concurrent users (target ≤ 200 ms) and its ratio to the same aggregate as one SQL query.

Run by `make bench` after gunicorn stops; it starts its own gunicorn on BENCH_BILLING_PORT (default 8765).
Registrations are made on fresh pseudonymised patients of the first generated adults network and removed at the
end; the import runs with --dry-run (one transaction, rolled back), so the bench database is left as it was.
"""
import csv
import datetime as dt
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import paced, scale_coordinator, session_cookie, wrk

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_BILLING_PORT", 8765))
IMPORT_ROWS = int(os.environ.get("BENCH_BILLING_IMPORT_ROWS", 200_000))
REGISTRATIONS = int(os.environ.get("BENCH_BILLING_REGISTRATIONS", 300))


def p95(values):
    values = sorted(values)
    return values[max(0, int(round(0.95 * len(values))) - 1)]


def niss(birth, counter):
    body = f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}{counter:03d}"
    base = int(("2" if birth.year >= 2000 else "") + body)
    return body + f"{97 - base % 97:02d}"


def setup():
    from django.utils import timezone

    from billing.loader import load_rules
    from psynet.models import Convention

    load_rules()
    email, network = scale_coordinator()
    today = timezone.localdate()
    conventions = [c for c in Convention.objects.filter(network=network, start_on__lte=today - dt.timedelta(days=400))
                   .select_related("psychologist") if "F2" in c.functions and (c.end_on is None or c.end_on >= today)]
    if not conventions:
        for c in Convention.objects.filter(network=network).select_related("psychologist")[:20]:
            c.functions = sorted(set(c.functions) | {"F2", "F3"})
            c.start_on = min(c.start_on, dt.date(2024, 4, 1))
            c.end_on = None
            c.save()
            conventions.append(c)
    return email, network, [c.psychologist for c in conventions], today


def bench_registration(network, psychologists, today):
    from django.db import connection, transaction

    from billing import services
    from billing.models import CareSession, Patient
    rng = random.Random(5)
    numbers = [niss(dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 15000)), 700 + i % 290)
               for i in range(REGISTRATIONS)]
    numbers = list(dict.fromkeys(numbers))
    first_day = today - dt.timedelta(days=60)
    created = []
    for n in numbers:  # one session each first: the timed registration then has a history to check
        created.append(services.session_register(network=network, psychologist=psychologists[0], niss=n,
                                                 date=first_day, function="F2", setting="practice", is_bim=False))
    checked, plain = [], []
    for i, n in enumerate(numbers):
        psychologist = psychologists[i % len(psychologists)]
        started = time.perf_counter()
        session = services.session_register(network=network, psychologist=psychologist, niss=n,
                                            date=first_day + dt.timedelta(days=7), function="F2",
                                            setting="practice", is_bim=False)
        checked.append(time.perf_counter() - started)
        created.append(session)
        row = CareSession(**{f.attname: getattr(session, f.attname) for f in CareSession._meta.concrete_fields
                             if f.attname != "id"})
        row.date, row.import_key = first_day + dt.timedelta(days=14), None
        started = time.perf_counter()
        with transaction.atomic():
            row.save(force_insert=True)
        plain.append(time.perf_counter() - started)
        created.append(row)
    patient_ids = {s.patient_id for s in created}
    ids = [s.pk for s in created]
    with transaction.atomic():
        CareSession.objects.filter(pk__in=ids).delete()
        Patient.objects.filter(pk__in=patient_ids, sessions__isnull=True).delete()
    connection.close()
    return p95(checked) * 1000, p95(plain) * 1000, statistics.median(checked) * 1000


def write_import_file(path, network, psychologists, today):
    rng = random.Random(9)
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["national_number", "session_date", "psychologist_inami", "function", "format", "setting",
                         "bim", "group_ref", "fee_variant"])
        patient = 0
        while rows < IMPORT_ROWS:
            patient += 1
            birth = dt.date(1945, 1, 1) + dt.timedelta(days=(patient * 37) % 21000)
            number = niss(birth, patient % 997 + 1)
            psychologist = psychologists[patient % len(psychologists)]
            day = today - dt.timedelta(days=rng.randint(30, 350))
            for _k in range(rng.randint(1, 9)):
                if day >= today or rows >= IMPORT_ROWS:
                    break
                writer.writerow([number, day.isoformat(), psychologist.inami_number, rng.choice(["F2", "F3"]),
                                 "individual", rng.choice(["practice", "video", "outreach", "home"]),
                                 "yes" if patient % 4 == 0 else "no", "", ""])
                rows += 1
                day += dt.timedelta(days=7)
    return rows


def bench_import(network, psychologists, today):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "import.csv"
        rows = write_import_file(path, network, psychologists, today)
        started = time.perf_counter()
        out = subprocess.run([sys.executable, str(ROOT / "manage.py"), "import_sessions", str(path), "--network",
                              network.code, "--dry-run", "--report", str(Path(tmp) / "report.csv")],
                             capture_output=True, text=True, env=os.environ.copy())
        elapsed = time.perf_counter() - started
        if out.returncode:
            print(out.stderr[-2000:])
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        lines = out.stdout.strip().splitlines()
        inner = [float(line.split()[0]) for line in lines if "rows/s" in line]
        return rows, (inner[0] if inner else rows / elapsed), rows / elapsed, peak_mb, lines[:1]


def bench_dashboard(email, network):
    from django.db import connection

    from billing import dashboard

    cookie = session_cookie(email, network)
    env = {**os.environ}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "psynet.wsgi:application", "--bind",
                               f"127.0.0.1:{PORT}", "--workers", "3", "--chdir", str(ROOT)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{PORT}/health/ping/"], check=True,
                               timeout=2)
                break
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                time.sleep(0.3)
        url = f"http://127.0.0.1:{PORT}/billing/"
        # warm-up: each gunicorn worker computes the figures once (per-process cache without Redis)
        wrk(url, cookie, seconds=3)
        working = paced(url, cookie, seconds=8)
        time.sleep(1)
        saturated = wrk(url, cookie, seconds=8)
        home = wrk(f"http://127.0.0.1:{PORT}/", cookie, seconds=8)
    finally:
        server.terminate()
        server.wait()
    # the same main aggregate (care budget by month over 12 months) as one SQL query, run serially
    start = dashboard.add_months(dt.date.today().replace(day=1), -11)
    sql = ("SELECT date_trunc('month', date) m, sum(fee_eur + lump_sum_eur) FROM billing_caresession "
           "WHERE network_id = %s AND date >= %s GROUP BY 1")
    times = []
    with connection.cursor() as cursor:
        for _ in range(30):
            t = time.perf_counter()
            cursor.execute(sql, [network.pk, start])
            cursor.fetchall()
            times.append(time.perf_counter() - t)
    t = time.perf_counter()
    dashboard.compute(network)
    uncached = (time.perf_counter() - t) * 1000
    return working, saturated, p95(times) * 1000, uncached, home["p95"]


def main():
    from billing.models import CareSession, Patient

    email, network, psychologists, today = setup()
    print(f"\nBilling, network {network.code}: {Patient.objects.count():,} patients, "
          f"{CareSession.objects.count():,} sessions in the database")
    checked, plain, median = bench_registration(network, psychologists, today)
    if "registration" in sys.argv[1:]:  # only the registration figure: `bench_billing.py registration`
        print(f"{'figure':58} {'value':>12} {'target':>10}")
        print(f"{'registration p95 (quota-checked), ms':58} {checked:>12.2f}")
        print(f"{'registration median, ms':58} {median:>12.2f}")
        print(f"{'plain insert of the same row p95, ms':58} {plain:>12.2f}")
        print(f"{'ratio registration / plain insert (p95)':58} {checked / plain:>12.1f} {'≤ 2':>10}")
        return
    rows, rate, rate_total, peak, summary = bench_import(network, psychologists, today)
    working, saturated, sql95, uncached, home95 = bench_dashboard(email, network)
    d95 = working["p95"]
    print(f"{'figure':58} {'value':>12} {'target':>10}")
    print(f"{'registration p95 (quota-checked), ms':58} {checked:>12.2f}")
    print(f"{'registration median, ms':58} {median:>12.2f}")
    print(f"{'plain insert of the same row p95, ms':58} {plain:>12.2f}")
    print(f"{'ratio registration / plain insert (p95)':58} {checked / plain:>12.1f} {'≤ 2':>10}")
    print(f"{f'CSV import {rows:,} rows (dry run), rows/s':58} {rate:>12.0f} {'≥ 2000':>10}")
    print(f"{'same, including process start and file read, rows/s':58} {rate_total:>12.0f}")
    print(f"{'CSV import peak memory (RSS of the process), MB':58} {peak:>12.0f}")
    print(f"{'dashboard p95, 20 users each opening it every second, ms':58} {d95:>12.1f} {'≤ 200':>10}")
    print(f"{'dashboard p50, ms / requests / errors':58} "
          f"{working['p50']:>6.1f} / {working['requests']} / {working['errors']}")
    print(f"{'dashboard p95, 20 connections back to back, ms':58} {saturated['p95']:>12.1f} {'saturation':>10}")
    print(f"{'dashboard p50, ms / req/s / errors':58} "
          f"{saturated['p50']:>6.1f} / {saturated['rps']:.0f} / {saturated['errors']}")
    print(f"{'reference: home page p95, 20 connections back to back, ms':58} {home95:>12.1f}")
    print(f"{'same aggregate as one SQL query p95, ms':58} {sql95:>12.2f}")
    print(f"{'ratio dashboard p95 / one SQL query p95':58} {d95 / sql95:>12.1f}")
    print(f"{'dashboard figures computed without cache, ms':58} {uncached:>12.1f}")
    if summary:
        print("import:", summary[0])


if __name__ == "__main__":
    main()
