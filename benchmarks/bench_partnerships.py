"""Partnerships figures (issue 5), on the national-scale bench database (20,000 requests, 5,000 agreements):

1. public form submission with 50 concurrent submitters on PostgreSQL, p95 of the POST (target ≤ 150 ms), and the
   proof that none is lost: submitted (answered with the thanks page) = stored = acknowledged (the acknowledgement
   e-mails counted in a file e-mail backend, written by a real Celery worker as in production);
2. the coordinators' request list with 20,000 requests in the database (5,000 in the benchmarked network):
   p95 with 20 concurrent users (target ≤ 200 ms) and the queries per page (bounded: the same at any size).

Load model of (1). Each of the 50 submitters opens the form (GET: CSRF cookie and the signed start time), fills it
in (think time: the minimum fill time plus 0–3 s, the production default of 3 s kept) and sends it; 6 rounds each.
Then a burst: the 50 send an already open form at the same instant, 3 times. The POST latency is measured on the
client, queueing included. The rate limit is relaxed for the bench only (PARTNERSHIP_RATE_LIMIT, all submitters
share 127.0.0.1); every other defence stays on.

Run by `make bench` after gunicorn stops; it starts its own gunicorn (4 workers) on BENCH_PARTNERSHIPS_PORT
(default 8768) and one Celery worker on the bench Redis. It adds the submitted requests to the bench database
and removes them at the end."""
import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from common import paced, scale_coordinator, session_cookie, wrk

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_PARTNERSHIPS_PORT", "8768"))
SUBMITTERS = int(os.environ.get("BENCH_PARTNERSHIPS_SUBMITTERS", "50"))
ROUNDS = int(os.environ.get("BENCH_PARTNERSHIPS_ROUNDS", "6"))
BURSTS = int(os.environ.get("BENCH_PARTNERSHIPS_BURSTS", "3"))
MIN_FILL = float(os.environ.get("BENCH_PARTNERSHIPS_MIN_FILL", "3"))
SECONDS = int(os.environ.get("BENCH_PARTNERSHIPS_SECONDS", "8"))
DOMAIN = "bench.example"
SEPARATOR = "\n" + "-" * 79 + "\n"


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


class Submitter:
    """One person with a browser: a keep-alive connection, the CSRF cookie, the form's hidden fields."""

    def __init__(self, n, municipality):
        self.n = n
        self.municipality = municipality
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        self.cookie = ""
        self.fields = {}

    def request(self, method, path, body=None, headers=None):
        headers = {"Host": "127.0.0.1", "Accept-Language": "fr-BE,fr;q=0.9", **(headers or {})}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.cookie = value.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", data

    def open_form(self):
        status, _location, html = self.request("GET", "/collaboration/")
        html = html.decode()
        self.fields = {
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1),
            "started": re.search(r'name="started" value="([^"]+)"', html).group(1),
        }
        return status

    def submit(self, k):
        data = {
            **self.fields, "organisation_name": f"Organisation du banc d'essai {self.n}-{k}", "place_type": "cpas",
            "municipality_text": self.municipality, "contact_name": f"Contact {self.n}",
            "contact_email": f"bench-{self.n}-{k}@{DOMAIN}", "age_groups": "24_64",
            "needs": "Un soutien psychologique pour les personnes que nous accompagnons.",
            "offers": ["outreaching", "group"], "employ_interest": "no", "consent": "on", "website": "",
        }
        body = urllib.parse.urlencode(data, doseq=True)
        started = time.perf_counter()
        status, location, _html = self.request("POST", "/collaboration/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{PORT}/collaboration/"})
        elapsed = time.perf_counter() - started
        ok = status == 302 and "/collaboration/thanks/?s=" in location
        return elapsed, ok, status


def run_submitters(municipality):
    latencies = {"paced": [], "burst": []}
    outcomes = {"submitted": 0, "refused": []}
    lock = threading.Lock()
    barrier = threading.Barrier(SUBMITTERS)

    def person(n):
        rng = random.Random(n)
        submitter = Submitter(n, municipality)
        time.sleep(rng.uniform(0, MIN_FILL + 3))  # people do not all arrive at the same second
        for k in range(ROUNDS):
            submitter.open_form()
            time.sleep(MIN_FILL + rng.uniform(0.2, 3))
            elapsed, ok, status = submitter.submit(k)
            with lock:
                latencies["paced"].append(elapsed)
                outcomes["submitted"] += ok
                if not ok:
                    outcomes["refused"].append(status)
        for b in range(BURSTS):
            submitter.open_form()
            time.sleep(MIN_FILL + 0.5)
            barrier.wait()
            elapsed, ok, status = submitter.submit(ROUNDS + b)
            with lock:
                latencies["burst"].append(elapsed)
                outcomes["submitted"] += ok
                if not ok:
                    outcomes["refused"].append(status)

    threads = [threading.Thread(target=person, args=(n,)) for n in range(SUBMITTERS)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, outcomes, time.time() - started


def count_acknowledgements(mail_dir):
    """Distinct bench addresses that received an e-mail holding a private follow-up link."""
    acknowledged = set()
    for path in Path(mail_dir).glob("*.log"):
        for message in path.read_text(errors="replace").split(SEPARATOR):
            to = re.search(r"^To: (bench-[\d-]+@" + re.escape(DOMAIN) + ")", message, re.MULTILINE)
            if to and "/collaboration/follow/" in message:
                acknowledged.add(to.group(1))
    return acknowledged


def wait_for(condition, timeout):
    deadline = time.time() + timeout
    value = condition()
    while not value and time.time() < deadline:
        time.sleep(0.5)
        value = condition()
    return value


def page_queries(email, network, path):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from psynet.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=email))
    session = client.session
    session["active_network_id"] = network.pk
    session.save()
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, len(queries)


def bench_municipality(network):
    """A municipality name of the network's zones that the form recognises without ambiguity."""
    from partnerships import municipalities
    from psynet.models import Municipality

    for m in Municipality.objects.filter(zones__network=network).distinct().order_by("nis_code"):
        try:
            if municipalities.find(m.name_fr) == m:
                return m.name_fr
        except municipalities.MunicipalityNotFound:
            continue
    raise SystemExit(f"no unambiguous municipality in the zones of {network.code}")


def start(cmd, env, log):
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def main():
    from django.db import connection

    from partnerships.models import Agreement, CollaborationRequest

    load = os.getloadavg()  # other work on the machine, before this bench adds its own
    email, network = scale_coordinator()
    total_requests, total_agreements = CollaborationRequest.objects.count(), Agreement.objects.count()
    in_network = CollaborationRequest.objects.filter(network=network).count()
    if total_requests < 20_000:
        print(f"partnerships bench: only {total_requests} requests; run `manage.py generate_scale_data` first")
        return 1
    CollaborationRequest.objects.filter(contact_email__endswith="@" + DOMAIN).delete()
    municipality = bench_municipality(network)
    list_paths = [("list, open requests (default)", "/partnerships/"),
                  ("list, overdue", "/partnerships/?due=overdue"),
                  ("list, text search", "/partnerships/?q=Partenaire+g%C3%A9n%C3%A9r%C3%A9+01"),
                  ("list, closed, page 40", "/partnerships/?status=closed&page=40"),
                  ("triage list", "/partnerships/triage/")]
    queries = {label: page_queries(email, network, path) for label, path in list_paths}
    other = CollaborationRequest.objects.exclude(network=network).values("network").first()
    from psynet.models import Membership, Network, Role

    small = Network.objects.get(pk=other["network"])
    small_email = Membership.objects.filter(network=small, role=Role.NETWORK_COORDINATOR).first().user.email
    small_queries = page_queries(small_email, small, "/partnerships/")
    small_count = CollaborationRequest.objects.filter(network=small).count()
    cookie = session_cookie(email, network)
    connection.close()

    mail_dir = tempfile.mkdtemp(prefix="psynet-bench-mail-")
    with_worker = bool(os.environ.get("REDIS_URL"))  # without a broker, the e-mails go out inside the requests
    env = {**os.environ, "EMAIL_FILE_PATH": mail_dir, "PARTNERSHIP_RATE_LIMIT": "1000000/60",
           "PARTNERSHIP_MIN_FILL_SECONDS": str(MIN_FILL), "CELERY_EAGER": "False" if with_worker else "True",
           "CELERY_QUEUE": f"bench-partnerships-{os.getpid()}"}
    log = open(Path(mail_dir).with_suffix(".log"), "w")  # noqa: SIM115 (closed in the finally below)
    server = start([str(ROOT / ".venv/bin/gunicorn"), "psynet.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
                    "--workers", "4", "--log-level", "warning"], env, log)
    worker = start([str(ROOT / ".venv/bin/celery"), "-A", "psynet", "worker", "--pool", "prefork", "--concurrency",
                    "1", "-Q", env["CELERY_QUEUE"], "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
                   env, log) if with_worker else None
    try:
        for _ in range(100):
            if subprocess.run(["curl", "-sf", f"http://127.0.0.1:{PORT}/health/ping/"], capture_output=True,
                              check=False).returncode == 0:
                break
            time.sleep(0.2)
        latencies, outcomes, duration = run_submitters(municipality)

        def stored():
            return CollaborationRequest.objects.filter(contact_email__endswith="@" + DOMAIN).count()

        def acknowledged_db():
            return CollaborationRequest.objects.filter(contact_email__endswith="@" + DOMAIN,
                                                       acknowledged_at__isnull=False).count()

        stored_count = stored()
        wait_for(lambda: acknowledged_db() >= stored_count, 180)
        acknowledged = wait_for(lambda: (len(count_acknowledgements(mail_dir)) >= stored_count
                                         and count_acknowledgements(mail_dir)), 60) or count_acknowledgements(mail_dir)
        acknowledged_in_db = acknowledged_db()
        connection.close()
        time.sleep(1)
        baseline = wrk(f"http://127.0.0.1:{PORT}/health/ping/", cookie, seconds=SECONDS)
        single = wrk(f"http://127.0.0.1:{PORT}{list_paths[0][1]}", cookie, connections=1, seconds=SECONDS)
        working = {label: paced(f"http://127.0.0.1:{PORT}{path}", cookie, seconds=SECONDS) for label, path in list_paths}
        lists = {label: wrk(f"http://127.0.0.1:{PORT}{path}", cookie, seconds=SECONDS) for label, path in list_paths}
    finally:
        server.terminate()
        server.wait(timeout=20)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        log.close()
    CollaborationRequest.objects.filter(contact_email__endswith="@" + DOMAIN).delete()
    shutil.rmtree(mail_dir, ignore_errors=True)

    everything = latencies["paced"] + latencies["burst"]
    p95_paced = percentile(latencies["paced"], 95) * 1000
    p95_all = percentile(everything, 95) * 1000
    p95_burst = percentile(latencies["burst"], 95) * 1000
    print(f"\nPartnerships (issue 5), {os.cpu_count()} CPUs, load average {load[0]:.1f} (1 min) / {load[1]:.1f} (5 min) before the "
          f"run: {total_requests:,} requests and {total_agreements:,} agreements in the database; "
          f"{network.code}: {in_network:,} requests")
    print("e-mails sent by " + ("a Celery worker (Redis), as in production" if with_worker else
                                "the web workers themselves (eager Celery: no REDIS_URL)"))
    print(f"{'figure':66} {'value':>14} {'target':>10}")
    rows = [
        (f"form: {SUBMITTERS} submitters x {ROUNDS} rounds, POST p95 (ms)", f"{p95_paced:.1f}", "≤ 150"),
        ("form: POST p50 (ms)", f"{statistics.median(latencies['paced']) * 1000:.1f}", ""),
        (f"form: {SUBMITTERS} sending at the same instant x {BURSTS}, POST p95 (ms)", f"{p95_burst:.1f}", ""),
        ("form: all submissions, POST p95 (ms)", f"{p95_all:.1f}", ""),
        ("form: submitted (thanks page) / refused", f"{outcomes['submitted']} / {len(outcomes['refused'])}",
         "0 refused"),
        ("form: stored in the database", str(stored_count), "= submitted"),
        ("form: acknowledged (e-mails with the private link, file backend)", str(len(acknowledged)),
         "= stored"),
        ("form: acknowledged_at set in the database", str(acknowledged_in_db), "= stored"),
        ("form: run time (s) / submissions per second",
         f"{duration:.0f} / {len(everything) / duration:.1f}", ""),
    ]
    rows.append(("baseline: trivial view (/health/ping/), p95 with 20 concurrent users (ms)", f"{baseline['p95']:.1f}",
                 ""))
    rows.append(("list, open requests: one user alone, p50 / p95 (ms)", f"{single['p50']:.1f} / {single['p95']:.1f}",
                 ""))
    for label, path in list_paths:
        r = lists[label]
        status, count = queries[label]
        w = working[label]
        rows += [(f"{label}: p95, 20 users each opening it every second (ms)", f"{w['p95']:.1f}", "≤ 200"),
                 (f"{label}: p50 (ms) / requests / errors", f"{w['p50']:.1f} / {w['requests']} / {w['errors']}", ""),
                 (f"{label}: p95, 20 connections back to back (ms)", f"{r['p95']:.1f}", "(saturation)"),
                 (f"{label}: p50 (ms) / req/s / errors", f"{r['p50']:.1f} / {r['rps']:.0f} / {r['errors']}", ""),
                 (f"{label}: queries per page (status {status})", str(count), "bounded")]
    rows.append((f"list in {small.code} ({small_count} requests): queries per page (status {small_queries[0]})",
                 str(small_queries[1]), "the same"))
    for label, value, target in rows:
        print(f"{label:66} {value:>14} {target:>10}")
    lost = not (outcomes["submitted"] == stored_count == len(acknowledged) == acknowledged_in_db)
    if lost:
        print("LOST SUBMISSIONS: submitted, stored and acknowledged differ")
    return 1 if lost or outcomes["refused"] else 0


if __name__ == "__main__":
    sys.exit(main())
