"""Shared by the benchmark scripts: Django setup and a session cookie for a user, without the login form."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psynet.settings")

import django  # noqa: E402

django.setup()


def session_cookie(email, network=None):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from psynet.middleware import SESSION_KEY as NETWORK_KEY
    from psynet.models import User

    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if network is not None:
        session[NETWORK_KEY] = network.pk
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def scale_coordinator():
    """The network coordinator of the first generated network: national-scale pages as they would see them."""
    from psynet.models import Membership, Role

    m = Membership.objects.filter(network__code="SCALEA01", role=Role.NETWORK_COORDINATOR).select_related(
        "user", "network").first()
    return m.user.email, m.network


LUA = str(Path(__file__).with_name("wrk_percentiles.lua"))


def wrk(url, cookie=None, connections=20, seconds=8):
    """Saturation: ``connections`` clients sending back to back (no pause), measured by wrk."""
    import re
    import subprocess

    threads = min(2, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", LUA, url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    m = re.search(r"RESULT requests=(\d+) errors=(\d+) p50_ms=([\d.]+) p95_ms=([\d.]+) rps=([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests": int(m.group(1)), "errors": int(m.group(2)) + (int(non2xx.group(1)) if non2xx else 0),
            "p50": float(m.group(3)), "p95": float(m.group(4)), "rps": float(m.group(5))}


def paced(url, cookie=None, users=20, period=1.0, seconds=10):
    """``users`` people working at once, each opening the page every ``period`` seconds (their starts spread
    over the first period), each on their own keep-alive connection: latency p50/p95 as they see it."""
    import http.client
    import statistics
    import threading
    import time
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies, errors, lock = [], [], threading.Lock()
    start = time.perf_counter() + 0.2

    def user(i):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        n = 0
        while True:
            due = start + i * period / users + n * period
            if due > start + seconds:
                break
            time.sleep(max(0.0, due - time.perf_counter()))
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                ok = False
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)
                if not ok:
                    errors.append(i)
            n += 1
        conn.close()

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {"requests": len(latencies), "errors": len(errors), "p50": statistics.median(latencies),
            "p95": latencies[max(0, int(round(0.95 * len(latencies))) - 1)], "rps": len(latencies) / seconds}
