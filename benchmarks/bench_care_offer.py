"""Care offer figures (issue 10), on the national-scale bench database:

1. the supply/demand page p95 with 20 concurrent users (target ≤ 200 ms) for the coordinator of the busiest
   generated network (SCALEA01: a quarter of the 20,000 partnership requests);
2. its queries, counted for that network and for a small one (bounded: the same number whatever the volume);
3. the selector alone (median ms), and the clairvision list and priority pages p95.

Starts its own gunicorn on BENCH_CARE_OFFER_PORT (default 8771). Read-only: the database is left as it was.
"""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import paced, scale_coordinator, session_cookie, wrk

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_CARE_OFFER_PORT", 8771))
SECONDS = int(os.environ.get("BENCH_CARE_OFFER_SECONDS", 8))


def page_queries(email, network, path):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from psynet.middleware import SESSION_KEY
    from psynet.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=email))
    session = client.session
    session[SESSION_KEY] = network.pk
    session.save()
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, len(queries)


def selector_ms(network, rounds=50):
    from care_offer import selectors

    for _ in range(5):
        selectors.supply_demand(network)
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        selectors.supply_demand(network)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main():
    from django.db import connection

    from care_offer.models import Clairvision
    from partnerships.choices import OPEN_STATUSES
    from partnerships.models import CollaborationRequest
    from psynet.models import Convention, Membership, Role

    email, network = scale_coordinator()
    open_requests = CollaborationRequest.objects.filter(network=network, status__in=OPEN_STATUSES).count()
    conventions = Convention.objects.filter(network=network).count()
    small = (Membership.objects.filter(network__code__startswith="SCALE", role=Role.NETWORK_COORDINATOR)
             .exclude(network=network).select_related("user", "network").order_by("network__code").last())
    path = "/care-offer/supply-demand/"
    status, queries = page_queries(email, network, path)
    small_status, small_queries = page_queries(small.user.email, small.network, path)
    small_open = CollaborationRequest.objects.filter(network=small.network, status__in=OPEN_STATUSES).count()
    median = selector_ms(network)
    cookie = session_cookie(email, network)
    clairvisions = Clairvision.objects.count()
    connection.close()

    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "psynet.wsgi:application", "--bind",
                               f"127.0.0.1:{PORT}", "--workers", "3", "--log-level", "warning"], cwd=ROOT,
                              env={**os.environ})
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            if subprocess.run(["curl", "-sf", f"{base}/health/ping/"], capture_output=True).returncode == 0:
                break
            time.sleep(0.2)
        working = paced(base + path, cookie, seconds=SECONDS)
        time.sleep(1)
        supply = wrk(base + path, cookie, seconds=SECONDS)
        time.sleep(1)
        clair = wrk(base + "/care-offer/clairvisions/", cookie, seconds=SECONDS)
        time.sleep(1)
        prio = wrk(base + "/care-offer/priorities/", cookie, seconds=SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=20)

    print(f"\nCare offer (issue 10): network {network.code}: {open_requests:,} open requests, {conventions:,} "
          f"conventions; {clairvisions:,} clairvisions in the database")
    print(f"{'figure':62} {'value':>12} {'target':>10}")
    rows = [
        ("supply/demand p95, 20 users each opening it every second (ms)", f"{working['p95']:.1f}", "≤ 200"),
        ("supply/demand p50 (ms) / requests / errors", f"{working['p50']:.1f} / {working['requests']} / "
                                                       f"{working['errors']}", "0 errors"),
        ("supply/demand p95, 20 connections back to back (ms)", f"{supply['p95']:.1f}", "saturation"),
        ("supply/demand p50 (ms) / req/s / errors", f"{supply['p50']:.1f} / {supply['rps']:.0f} / "
                                                    f"{supply['errors']}", "0 errors"),
        (f"supply/demand page queries, {network.code} (status {status})", str(queries), "bounded"),
        (f"supply/demand page queries, {small.network.code}: {small_open} open (status {small_status})",
         str(small_queries), "same"),
        ("supply_demand() selector median (ms)", f"{median:.1f}", ""),
        ("clairvision list p95 (ms)", f"{clair['p95']:.1f}", ""),
        ("priorities with activity p95 (ms)", f"{prio['p95']:.1f}", ""),
        ("clairvisions / priorities requests / errors",
         f"{clair['requests']}+{prio['requests']} / {clair['errors'] + prio['errors']}", "0 errors"),
    ]
    for label, value, target in rows:
        print(f"{label:62} {value:>12} {target:>10}")
    ok = working["p95"] <= 200 and queries == small_queries and not (working["errors"] or supply["errors"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
