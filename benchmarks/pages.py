"""p50/p95 of each page with 20 concurrent clients, beside the trivial view, measured two ways: 20 people working
(each opens the page once a second, `common.paced`) and saturation (20 connections back to back, wrk)."""
import argparse

from common import paced, session_cookie, wrk

# (label, path, who): who is None for an anonymous page, else the role of the generated network's member who
# opens it. {zone}, {member}, {psychologist} are filled with that network's objects.
PAGES = [
    ("trivial view (/health/ping/)", "/health/ping/", None),
    ("health", "/health/", None),
    ("login page", "/accounts/login/", None),
    ("password reset form", "/accounts/password/reset/", None),
    ("home (network coordinator)", "/", "network_coordinator"),
    ("home (local coordinator)", "/", "local_coordinator"),
    ("home (committee member)", "/", "committee_member"),
    ("home (admin staff)", "/", "admin_staff"),
    ("home (psychologist)", "/", "psychologist"),
    ("notifications", "/notifications/", "network_coordinator"),
    ("zones", "/network/zones/", "network_coordinator"),
    ("zone form (municipalities)", "/network/zones/new/", "network_coordinator"),
    ("zone edit", "/network/zones/{zone}/", "network_coordinator"),
    ("members", "/network/members/", "network_coordinator"),
    ("member edit", "/network/members/{member}/", "network_coordinator"),
    ("invite form", "/network/members/invite/", "network_coordinator"),
    ("psychologists", "/network/psychologists/", "network_coordinator"),
    ("psychologists filtered", "/network/psychologists/?function=F3&q=Psy", "network_coordinator"),
    ("psychologist detail", "/network/psychologists/{psychologist}/", "network_coordinator"),
    ("psychologist edit", "/network/psychologists/{psychologist}/edit/", "network_coordinator"),
    ("organisations", "/network/organisations/", "network_coordinator"),
    ("audit trail", "/network/audit/", "network_coordinator"),
]


def scale_members():
    """The first generated network, one active member per role, and the ids its pages need."""
    from psynet.models import Convention, Membership, Network, Zone

    network = Network.objects.get(code="SCALEA01")
    members = {}
    for m in Membership.objects.filter(network=network, is_active=True).select_related("user").order_by("pk"):
        members.setdefault(m.role, m.user)
    ids = {
        "zone": Zone.objects.filter(network=network).order_by("pk").values_list("pk", flat=True).first(),
        "member": Membership.objects.filter(network=network).order_by("pk").values_list("pk", flat=True).last(),
        "psychologist": Convention.objects.filter(network=network).order_by("pk")
        .values_list("psychologist_id", flat=True).first(),
    }
    return network, members, ids


def scale_context():
    """Session cookies of one member per role of the first generated network, and the ids its pages need."""
    network, members, ids = scale_members()
    return {role: session_cookie(user.email, network) for role, user in members.items()}, ids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--paced-seconds", type=int, default=6)
    args = parser.parse_args()
    cookies, ids = scale_context()
    print(f"\nPages, 20 concurrent clients, gunicorn 3 workers, PostgreSQL, DEBUG off. 'working': 20 people each"
          f" opening the page once a second for {args.paced_seconds} s; 'saturation': 20 connections back to back"
          f" for {args.seconds} s (wrk).")
    print(f"{'page':40} {'working p50':>11} {'p95 ms':>7} {'errors':>6} | {'saturation p50':>14} {'p95 ms':>7}"
          f" {'req/s':>7} {'errors':>6}")
    for label, path, who in PAGES:
        if who is not None and who not in cookies:
            print(f"{label:40} (no {who} in the generated network)")
            continue
        url = args.base + path.format(**ids)
        cookie = cookies[who] if who else None
        w = paced(url, cookie, seconds=args.paced_seconds)
        r = wrk(url, cookie, seconds=args.seconds)
        print(f"{label:40} {w['p50']:>11.1f} {w['p95']:>7.1f} {w['errors']:>6} | {r['p50']:>14} {r['p95']:>7}"
              f" {r['rps']:>7} {r['errors']:>6}")

if __name__ == "__main__":
    main()
