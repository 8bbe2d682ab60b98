"""Annual report figures (issue 4), on the national-scale data (32 networks × 2022–2024, ~250 words per answer):

(a) the full RSN 2024 PDF (demo report) and a generated 2024 report with ~250 words on every question: render
    time and peak memory of ``manage.py report_pdf`` (targets ≤ 5 s, ≤ 400 MB), and the same HTML printed by
    headless Chromium, as a ratio (target ≤ 2.5×);
(b) autosave p95 latency with 20 concurrent editors through gunicorn (3 workers) on PostgreSQL (target ≤ 100 ms):
    at a typing pace of 1 save/s each, the editors staggered over the second as independent typists are, then all
    20 in step (a burst of 20 saves every second, the worst case of that pace), then back to back (saturation);
    and the statements of one autosave;
(c) queries of the report overview and chapter pages: few vs all answers, 1 vs 3 years (bounded and equal).
"""
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import http.client
from pathlib import Path
from urllib.parse import urlencode

from common import session_cookie  # sets Django up

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from annual_reports import pdf  # noqa: E402
from annual_reports.models import AnnualReport, Answer  # noqa: E402
from psynet.models import Membership, Role  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_REPORTS_PORT", "8791"))
EDITORS = 20
SAVES_PER_EDITOR = int(os.environ.get("BENCH_SAVES", "20"))
HOST = "127.0.0.1"


def _report(code, year=2024):
    return AnnualReport.objects.select_related("network", "template").get(network__code=code, year=year)


# ---- (a) PDF ---------------------------------------------------------------------------------------------


def _timed(cmd):
    """(seconds, peak MB) of a subprocess measured by GNU time."""
    out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", *cmd], capture_output=True, text=True, cwd=ROOT)
    m = re.search(r"TIME ([\d.]+) (\d+)", out.stderr)
    if out.returncode != 0 or not m:
        raise RuntimeError(f"{cmd[0]} failed:\n{out.stderr[-2000:]}")
    return float(m.group(1)), int(m.group(2)) / 1024


def bench_pdf(code):
    report = _report(code)
    out_pdf, html_file, chrome_pdf = f"/tmp/bench-{code}.pdf", f"/tmp/bench-{code}.html", f"/tmp/bench-{code}-chromium.pdf"
    seconds, peak_mb = _timed([PYTHON, "manage.py", "report_pdf", "--network", code, "--year", "2024",
                               "--output", out_pdf])
    Path(html_file).write_text(pdf.render_html(report, "fr"), encoding="utf-8")  # the renderer's HTML step
    Path(chrome_pdf).unlink(missing_ok=True)
    chrome_seconds, chrome_mb = _timed(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                        "--no-pdf-header-footer", f"--print-to-pdf={chrome_pdf}",
                                        f"file://{html_file}"])
    pages = _pages(out_pdf)
    return {"network": code, "seconds": seconds, "peak_mb": peak_mb, "pages": pages,
            "size_kb": Path(out_pdf).stat().st_size / 1024, "chrome_seconds": chrome_seconds,
            "chrome_pages": _pages(chrome_pdf), "ratio": seconds / chrome_seconds if chrome_seconds else 0}


def _pages(path):
    out = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    m = re.search(r"Pages:\s+(\d+)", out)
    return int(m.group(1)) if m else 0


# ---- (b) autosave ----------------------------------------------------------------------------------------


def _editors():
    """20 (email, network, report, question) with edit rights, each on its own question: no conflicts."""
    memberships = (Membership.objects.filter(network__code__startswith="SCALE", is_active=True,
                                             role__in=[Role.NETWORK_COORDINATOR, Role.LOCAL_COORDINATOR])
                   .select_related("user", "network").order_by("network__code", "pk"))
    reports = {r.network_id: r for r in AnnualReport.objects.filter(network__code__startswith="SCALE", year=2024)
               .select_related("template")}
    editors, used = [], {}
    for m in memberships:
        report = reports.get(m.network_id)
        if report is None:
            continue
        n = used.get(report.pk, 0)
        question = [q for q in report.template.structure.questions.values() if q.kind == "long_text"][n]
        used[report.pk] = n + 1
        editors.append((m.user.email, m.network, report, question.code))
        if len(editors) == EDITORS:
            break
    return editors


def _request(method, path, cookie, body=None, headers=None):
    conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
    conn.request(method, path, body=body, headers={"Cookie": cookie, "Host": f"{HOST}:{PORT}", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def _editor_run(editor, latencies, errors, barrier, period, offset=0.0):
    email, network, report, code = editor
    cookie = session_cookie(email, network)
    chapter = report.template.structure.questions[code].chapter_code
    response, page = _request("GET", reverse("annual_reports:chapter", args=[report.pk, chapter]), cookie)
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    block = page.decode()[page.decode().index(f'id="q-{code}"'):]
    version = int(re.search(r'name="version" value="(\d+)"', block).group(1))
    cookie = f"{cookie}; csrftoken={csrf}"
    url = reverse("annual_reports:answer", args=[report.pk, code])
    base_text = Answer.objects.filter(report=report, question_code=code).values_list("value", flat=True).first() or ""
    barrier.wait()
    time.sleep(offset)
    for i in range(SAVES_PER_EDITOR):
        if period and i:
            time.sleep(max(0.0, period - (time.perf_counter() - started)))
        body = urlencode({"value": f"{base_text}\nÉdition {i} par {email}.", "version": version})
        started = time.perf_counter()
        response, _data = _request("POST", url, cookie, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf, "HX-Request": "true",
            "Referer": f"http://{HOST}:{PORT}/"})
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status == 200 and response.getheader("X-Psynet-Saved"):
            version = int(response.getheader("X-Psynet-Saved"))
        else:
            errors.append(response.status)


def bench_autosave(period, staggered=False):
    """``period``: seconds between two saves of one editor (0: back to back, the saturation case). ``staggered``:
    editor k starts k/20 of a period after the first, as people typing independently do; otherwise all 20 save at
    the same instant every period (a burst of 20 requests on 3 workers, the worst case of that pace)."""
    editors = _editors()
    log = open("/tmp/bench-reports-gunicorn.log", "w")
    gunicorn = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "psynet.wsgi:application", "--bind",
                                 f"{HOST}:{PORT}", "--workers", "3", "--log-level", "warning"],
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                _request("GET", "/health/ping/", "")
                break
            except OSError:
                time.sleep(0.1)
        latencies, errors = [], []
        barrier = threading.Barrier(len(editors))
        threads = [threading.Thread(target=_editor_run, args=(e, latencies, errors, barrier, period,
                                                              k * period / len(editors) if staggered else 0.0))
                   for k, e in enumerate(editors)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=20)
        log.close()
    if not latencies:
        raise RuntimeError("no autosave answered: see /tmp/bench-reports-gunicorn.log")
    latencies.sort()
    return {"editors": len(editors), "saves": len(latencies), "errors": len(errors),
            "p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))],
            "max": latencies[-1], "rps": len(latencies) / elapsed}


def _client(email, network):
    client = Client(HTTP_HOST="127.0.0.1")
    name, key = session_cookie(email, network).split("=", 1)
    client.cookies[name] = key
    return client


def autosave_queries():
    """Statements sent to the database by one autosave, counted at the cursor (``execute_wrapper``): the query log
    of CaptureQueriesContext is emptied by Django at the start of each request and miscounts a test-client request."""
    email, network, report, code = _editors()[0]
    client = _client(email, network)
    url = reverse("annual_reports:answer", args=[report.pk, code])
    for _warm_then_measure in range(2):  # the first request also fills per-process caches (content types)
        version = Answer.objects.get(report=report, question_code=code).version
        response, statements = _counted(lambda: client.post(
            url, {"value": f"Texte mesuré {time.time()}", "version": version}, HTTP_HX_REQUEST="true"))
    assert response.status_code == 200, response.status_code
    return len(statements)


def _counted(call):
    """(result, statements) of ``call()``, the statements counted as the cursor sends them."""
    statements = []

    def wrapper(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        return call(), statements


# ---- (c) page queries ------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def page_queries():
    """Queries of the overview and a chapter page for one generated network's 2024 report, in four states made
    inside a rolled-back transaction: all answers or three, with the three years of reports or 2024 only."""
    report = _report("SCALEA02")
    m = Membership.objects.filter(network=report.network, role=Role.NETWORK_COORDINATOR).select_related("user").first()
    chapter = report.template.structure.chapters[2].code
    client = _client(m.user.email, report.network)
    for url in (report.get_absolute_url(), reverse("annual_reports:chapter", args=[report.pk, chapter])):
        client.get(url)  # warm the per-process caches (content types, template loader) before counting
    rows = []
    for answers in ("all", "few"):
        for years in (3, 1):
            try:
                with transaction.atomic():
                    if answers == "few":
                        keep = list(Answer.objects.filter(report=report).order_by("pk").values_list("pk", flat=True)[:3])
                        Answer.objects.filter(report=report).exclude(pk__in=keep).delete()
                    if years == 1:
                        AnnualReport.objects.filter(network=report.network).exclude(pk=report.pk).delete()
                    n_answers = Answer.objects.filter(report=report).count()
                    counts = []
                    for url in (report.get_absolute_url(), reverse("annual_reports:chapter", args=[report.pk, chapter])):
                        response, statements = _counted(lambda: client.get(url))
                        assert response.status_code == 200, (url, response.status_code)
                        counts.append(len(statements))
                    rows.append((answers, n_answers, years, *counts))
                    raise _Rollback
            except _Rollback:
                pass
    return rows


def main():
    only = set(sys.argv[1:]) or {"a", "b", "c"}
    assert not settings.DEBUG or os.environ.get("BENCH_ALLOW_DEBUG"), "run with DEBUG=False"
    n_reports = AnnualReport.objects.filter(network__code__startswith="SCALE").count()
    n_answers = Answer.objects.filter(report__network__code__startswith="SCALE").count()
    print(f"\nAnnual reports – {n_reports} generated reports, {n_answers} answers (~250 words each)")

    print("\n(a) PDF of a 2024 report: manage.py report_pdf (WeasyPrint, PDF/UA) vs headless Chromium on the same HTML")
    print(f"{'report':28} {'pages':>6} {'KB':>7} {'s':>6} {'peak MB':>8} {'chromium s':>11} {'ratio':>6}  targets ≤5 s, ≤400 MB, ≤2.5×")
    for code, label in () if "a" not in only else (("RSN", "RSN 2024 (demo, complete)"), ("SCALEA01", "SCALEA01 2024 (~250 w/answer)")):
        if not AnnualReport.objects.filter(network__code=code, year=2024).exists():
            print(f"{label:28} (no report)")
            continue
        r = bench_pdf(code)
        print(f"{label:28} {r['pages']:>6} {r['size_kb']:>7.0f} {r['seconds']:>6.2f} {r['peak_mb']:>8.0f} "
              f"{r['chrome_seconds']:>11.2f} {r['ratio']:>5.2f}×")

    print(f"\n(b) Autosave, {EDITORS} concurrent editors × {SAVES_PER_EDITOR} saves of ~250 words, gunicorn 3 workers, "
          f"PostgreSQL ({os.cpu_count()} CPUs)")
    print(f"{'pace':34} {'saves':>6} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'saves/s':>8}  target p95 ≤100 ms")
    for label, period, staggered in (("typing: 1 save/s each, staggered", 1.0, True),
                                     ("typing: 1 save/s, all 20 in step", 1.0, False),
                                     ("back to back (saturation)", 0.0, False)):
        if "b" not in only:
            break
        a = bench_autosave(period, staggered)
        print(f"{label:34} {a['saves']:>6} {a['errors']:>7} {a['p50']:>8.1f} {a['p95']:>8.1f} {a['max']:>8.1f} "
              f"{a['rps']:>8.1f}")
    print(f"queries per autosave (counted at the cursor, transaction control aside): {autosave_queries()}")

    print("\n(c) Queries per page (SCALEA02 2024 report)")
    print(f"{'answers':>8} {'rows':>5} {'years':>6} {'overview':>9} {'chapter':>8}")
    rows = page_queries()
    for answers, n, years, overview, chapter in rows:
        print(f"{answers:>8} {n:>5} {years:>6} {overview:>9} {chapter:>8}")
    same = len({(o, c) for *_rest, o, c in rows}) == 1
    print("bounded and equal in all four cases" if same else "NOT equal across cases")


if __name__ == "__main__":
    main()
