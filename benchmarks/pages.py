"""p50/p95 of each page with 20 concurrent clients (wrk, 8 s per page), beside the trivial view."""
import argparse
import re
import subprocess
from pathlib import Path

from common import scale_coordinator, session_cookie

PAGES = [
    ("trivial view (/health/ping/)", "/health/ping/", False),
    ("health", "/health/", False),
    ("login page", "/accounts/login/", False),
    ("home (network coordinator)", "/", True),
    ("zones", "/network/zones/", True),
    ("members", "/network/members/", True),
    ("psychologists", "/network/psychologists/", True),
    ("psychologists filtered", "/network/psychologists/?function=F3&q=Psy", True),
    ("organisations", "/network/organisations/", True),
    ("audit trail", "/network/audit/", True),
    ("invite form", "/network/members/invite/", True),
    ("zone form (municipalities)", "/network/zones/new/", True),
]
LUA = str(Path(__file__).with_name("wrk_percentiles.lua"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--extra", action="append", default=[], help="label|path|auth")
    args = parser.parse_args()
    email, network = scale_coordinator()
    cookie = session_cookie(email, network)
    pages = PAGES + [tuple(e.split("|")[:2]) + (e.split("|")[2] == "auth",) for e in args.extra]
    print(f"\nPages, 20 concurrent clients, {args.seconds} s each, gunicorn 3 workers, PostgreSQL, DEBUG off")
    print(f"{'page':40} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8}")
    for label, path, auth in pages:
        cmd = ["wrk", "-t2", "-c20", f"-d{args.seconds}s", "-s", LUA, args.base + path]
        if auth:
            cmd[1:1] = ["-H", f"Cookie: {cookie}"]
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        m = re.search(r"RESULT requests=(\d+) errors=(\d+) p50_ms=([\d.]+) p95_ms=([\d.]+) rps=([\d.]+)", out)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors = int(m.group(2)) + (int(non2xx.group(1)) if non2xx else 0)
        print(f"{label:40} {m.group(1):>9} {errors:>7} {m.group(3):>8} {m.group(4):>8} {m.group(5):>8}")


if __name__ == "__main__":
    main()
