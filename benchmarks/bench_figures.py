"""Issue 9 figures on the national-scale bench database:
(a) one network-year's figures (figures.selectors.network_year_figures) — target ≤ 2 s — against the same totals
    from hand-written SQL (figures.sql.key_totals_sql) in the same run: equal totals, time ratio;
(b) the federal overview of every network (32): p95 with 20 concurrent clients (wrk, gunicorn 3 workers) —
    target ≤ 300 ms — and its query count with 3 and with all networks;
(c) the RSN 2024 PDF with its "Key figures" annex: time and peak memory of manage.py report_pdf (≤ 5 s, ≤ 400 MB).
"""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import session_cookie  # noqa: E402

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from figures import selectors  # noqa: E402
from figures.sql import key_totals_sql  # noqa: E402
from psynet.models import Network, User  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
LUA = str(Path(__file__).with_name("wrk_percentiles.lua"))
PORT = int(os.environ.get("BENCH_FIGURES_PORT", "8791"))
YEAR = 2024


def _best(fn, runs=3):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), max(times), result


def bench_network_year():
    from billing.models import CareSession

    from django.db.models.functions import ExtractYear

    # the busiest network-year of the generated data (the scale sessions cover the last twelve months)
    busiest = (CareSession.objects.annotate(y=ExtractYear("date")).values("network_id", "y").annotate(n=Count("pk"))
               .order_by("-n").first())
    cases = [(Network.objects.get(pk=busiest["network_id"]), busiest["y"])] if busiest else []
    rsn = Network.objects.filter(code="RSN").first()
    if rsn:
        cases.append((rsn, YEAR))
    rows = []
    for net, year in cases:
        with CaptureQueriesContext(connection) as queries:
            orm_best, orm_worst, figures = _best(lambda: selectors.network_year_figures(net, year))
        sql_best, _w, totals = _best(lambda: key_totals_sql(net, year))
        same = selectors.key_totals(figures) == totals
        rows.append((f"{net.code} {year}", figures["sessions"]["total"], orm_best, orm_worst, len(queries) // 3,
                     sql_best, orm_best / sql_best if sql_best else 0, same))
        if not same:
            print("  MISMATCH", net.code, selectors.key_totals(figures), totals)
    print("\n(a) figures of one network-year: ORM selector vs hand-written SQL (best of 3)")
    print(f"{'network year':14} {'sessions':>9} {'ORM s':>7} {'worst s':>8} {'queries':>8} {'SQL s':>7} {'ratio':>6} "
          f"{'same totals':>12} {'≤ 2 s':>6}")
    for code, n, best, worst, q, sql, ratio, same in rows:
        print(f"{code:14} {n:>9} {best:>7.3f} {worst:>8.3f} {q:>8} {sql:>7.3f} {ratio:>6.1f} {str(same):>12} "
              f"{'yes' if worst <= 2 else 'NO':>6}")


def _viewer():
    user, _c = User.objects.get_or_create(email="bench-federal@psynam.example",
                                          defaults={"is_federal_viewer": True})
    if not user.is_federal_viewer:
        user.is_federal_viewer = True
        user.save(update_fields=["is_federal_viewer"])
    return user


def overview_queries():
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(_viewer())
    url = f"/figures/federal/?year={YEAR}"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, len(queries), Network.objects.count()


def bench_overview(seconds=8):
    _viewer()
    cookie = session_cookie("bench-federal@psynam.example")
    env = {**os.environ}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "psynet.wsgi:application", "--bind",
                               f"127.0.0.1:{PORT}", "--workers", "3"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(60):
            probe = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                    f"http://127.0.0.1:{PORT}/health/ping/"], capture_output=True, text=True)
            if probe.stdout == "200":
                break
            time.sleep(0.5)
        url = f"http://127.0.0.1:{PORT}/figures/federal/?year={YEAR}"
        check = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Cookie: {cookie}", url],
                               capture_output=True, text=True).stdout
        out = subprocess.run(["wrk", "-t2", "-c20", f"-d{seconds}s", "-s", LUA, "-H", f"Cookie: {cookie}", url],
                             capture_output=True, text=True).stdout
        baseline = subprocess.run(["wrk", "-t2", "-c20", f"-d{seconds}s", "-s", LUA, "-H", f"Cookie: {cookie}",
                                   f"http://127.0.0.1:{PORT}/notifications/"], capture_output=True, text=True).stdout
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    m = re.search(r"RESULT requests=(\d+) errors=(\d+) p50_ms=([\d.]+) p95_ms=([\d.]+) rps=([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    status, queries, networks = overview_queries()
    print(f"\n(b) federal overview, {networks} networks, 20 concurrent clients, {seconds} s, gunicorn 3 workers "
          f"(first GET: HTTP {check})")
    print(f"{'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'queries':>8} {'≤ 300 ms':>9}")
    if m:
        errors = int(m.group(2)) + (int(non2xx.group(1)) if non2xx else 0)
        p95 = float(m.group(4))
        print(f"{m.group(1):>9} {errors:>7} {m.group(3):>8} {m.group(4):>8} {m.group(5):>8} {queries:>8} "
              f"{'yes' if p95 <= 300 else 'NO':>9}")
    else:
        print("wrk gave no result:", out[-500:])
    b = re.search(r"RESULT requests=(\d+) errors=(\d+) p50_ms=([\d.]+) p95_ms=([\d.]+) rps=([\d.]+)", baseline)
    if b:
        print(f"baseline, the simplest logged-in page (/notifications/): p50 {b.group(3)} ms, p95 {b.group(4)} ms, "
              f"{b.group(5)} req/s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def bench_pdf():
    out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", PYTHON, "manage.py", "report_pdf", "--network", "RSN",
                          "--year", str(YEAR), "--output", "/tmp/bench-figures-RSN.pdf"],
                         capture_output=True, text=True, cwd=ROOT)
    m = re.search(r"TIME ([\d.]+) (\d+)", out.stderr)
    print(f"\n(c) RSN {YEAR} PDF with the annex \"Key figures {YEAR}\" (manage.py report_pdf)")
    if out.returncode != 0 or not m:
        print("failed:", out.stderr[-1500:])
        return
    seconds, peak = float(m.group(1)), int(m.group(2)) / 1024
    pages = re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", "/tmp/bench-figures-RSN.pdf"],
                                                        capture_output=True, text=True).stdout)
    print(f"{'seconds':>8} {'peak MB':>8} {'pages':>6} {'≤ 5 s / 400 MB':>15}")
    print(f"{seconds:>8.2f} {peak:>8.0f} {pages.group(1) if pages else '?':>6} "
          f"{'yes' if seconds <= 5 and peak <= 400 else 'NO':>15}")


if __name__ == "__main__":
    bench_network_year()
    bench_overview()
    bench_pdf()
