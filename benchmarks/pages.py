"""p50/p95 of each page with 20 concurrent clients (wrk, 8 s per page), beside the trivial view."""
import argparse

from common import scale_coordinator, session_cookie, wrk

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
        r = wrk(args.base + path, cookie if auth else None, seconds=args.seconds)
        print(f"{label:40} {r['requests']:>9} {r['errors']:>7} {r['p50']:>8} {r['p95']:>8} {r['rps']:>8}")


if __name__ == "__main__":
    main()
