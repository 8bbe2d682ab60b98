"""Article 8 figures (issue 7), on the national-scale bench database (10,000 missions, 50,000 activities):

1. dashboard p95 with 20 concurrent users (target ≤ 200 ms), its queries (bounded, independent of data size);
2. the dashboard aggregates (ORM selector) against the same figures from one hand-written SQL query, as a ratio
   (target ≤ 1.5×), and whether the totals are the same;
3. the public offer page p95 with 20 concurrent users (target ≤ 100 ms, cached).

Run by `make bench` after gunicorn stops; it starts its own gunicorn on BENCH_ARTICLE8_PORT (default 8767).
Read-only: the bench database is left as it was.
"""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import paced, scale_coordinator, session_cookie, wrk

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_ARTICLE8_PORT", 8767))
SECONDS = int(os.environ.get("BENCH_ARTICLE8_SECONDS", 8))
ROUNDS = int(os.environ.get("BENCH_ARTICLE8_ROUNDS", 300))


def aggregates(network, year):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from article8 import selectors

    connection.ensure_connection()
    with CaptureQueriesContext(connection) as queries:
        orm = selectors.hours_figures(network, year)
    with CaptureQueriesContext(connection) as sql_queries:
        sql = selectors.dashboard_figures_sql(network, year)
    keys = ["capacity_hours", "reserved_hours", "delivered_hours", "reserved_eur", "delivered_eur"]
    same = all(orm[k] == sql[k] for k in keys) and all(
        [(r["key"], r["reserved"], r["delivered"]) for r in orm[d]]
        == [(r["key"], r["reserved"], r["delivered"]) for r in sql[d]]
        for d in ("by_place_kind", "by_zone", "by_mission_type", "by_month"))
    timings = {"orm": [], "sql": []}
    for _ in range(20):  # warm-up
        selectors.hours_figures(network, year)
        selectors.dashboard_figures_sql(network, year)
    for i in range(ROUNDS):
        for name, fn in (("orm", selectors.hours_figures), ("sql", selectors.dashboard_figures_sql))[
                ::(1 if i % 2 else -1)]:
            started = time.perf_counter()
            fn(network, year)
            timings[name].append(time.perf_counter() - started)
    reset_queries()
    orm_ms = statistics.median(timings["orm"]) * 1000
    sql_ms = statistics.median(timings["sql"]) * 1000
    return {"orm_ms": orm_ms, "sql_ms": sql_ms, "ratio": orm_ms / sql_ms, "same": same,
            "queries": len(queries), "sql_queries": len(sql_queries), "orm": orm}


def page_queries(email, network, path):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from psynet.models import User

    from django.core.cache import cache

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=email))
    session = client.session
    session["active_network_id"] = network.pk
    session.save()
    client.get(path)
    cache.clear()
    with CaptureQueriesContext(connection) as uncached:
        status = client.get(path).status_code
    with CaptureQueriesContext(connection) as cached:
        client.get(path)
    return status, len(uncached), len(cached)


def main():
    from django.db import connection
    from django.utils import timezone

    from article8.models import Activity, Mission

    email, network = scale_coordinator()
    year = timezone.localdate().year
    missions, activities = Mission.objects.count(), Activity.objects.count()
    network_missions = Mission.objects.filter(network=network, year=year).count()
    agg = aggregates(network, year)
    dash_path = f"/article8/dashboard/?year={year}"
    public_path = f"/article8/offer/{network.code}/?lang=fr"
    dash_status, dash_queries, dash_cached_queries = page_queries(email, network, dash_path)
    cookie = session_cookie(email, network)
    connection.close()

    env = {**os.environ}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "psynet.wsgi:application", "--bind",
                               f"127.0.0.1:{PORT}", "--workers", "3", "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            if subprocess.run(["curl", "-sf", f"{base}/health/ping/"], capture_output=True).returncode == 0:
                break
            time.sleep(0.2)
        subprocess.run(["curl", "-sf", "-o", "/dev/null", base + public_path])
        public = wrk(base + public_path, seconds=SECONDS)
        time.sleep(2)
        working = paced(base + dash_path, cookie, seconds=SECONDS)
        time.sleep(1)
        dashboard = wrk(base + dash_path, cookie, seconds=SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=20)

    o = agg["orm"]
    print(f"\nArticle 8 (issue 7): {missions:,} missions, {activities:,} activities in the database; "
          f"network {network.code}: {network_missions} missions in {year}")
    print(f"{'figure':58} {'value':>12} {'target':>10}")
    rows = [
        ("dashboard p95, 20 users each opening it every second (ms)", f"{working['p95']:.1f}", "≤ 200"),
        ("dashboard p50 (ms) / requests / errors", f"{working['p50']:.1f} / {working['requests']} / "
                                                   f"{working['errors']}", "0 errors"),
        ("dashboard p95, 20 connections back to back (ms)", f"{dashboard['p95']:.1f}", "saturation"),
        ("dashboard p50 (ms) / req/s / errors", f"{dashboard['p50']:.1f} / {dashboard['rps']:.0f} / "
                                                f"{dashboard['errors']}", "0 errors"),
        ("dashboard page queries, figures not cached (status %s)" % dash_status, str(dash_queries), "bounded"),
        ("dashboard page queries, figures cached", str(dash_cached_queries), "bounded"),
        ("aggregates ORM median (ms)", f"{agg['orm_ms']:.2f}", ""),
        ("aggregates one hand-written SQL query median (ms)", f"{agg['sql_ms']:.2f}", ""),
        ("ratio ORM / SQL", f"{agg['ratio']:.2f}×", "≤ 1.5×"),
        ("same totals and breakdowns", "yes" if agg["same"] else "NO", "yes"),
        ("public offer page p95, 20 concurrent users (ms)", f"{public['p95']:.1f}", "≤ 100"),
        ("public offer page p50 (ms)", f"{public['p50']:.1f}", ""),
        ("public requests / errors", f"{public['requests']} / {public['errors']}", "0 errors"),
    ]
    for label, value, target in rows:
        print(f"{label:58} {value:>12} {target:>10}")
    print(f"totals {network.code} {year}: contract {o['capacity_hours']} h, reserved {o['reserved_hours']} h, "
          f"delivered {o['delivered_hours']} h, {o['delivered_eur']:.2f} EUR delivered")
    return 0 if agg["same"] else 1


if __name__ == "__main__":
    sys.exit(main())
