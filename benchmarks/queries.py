"""Queries per page on the national-scale data, then with ten times the psychologists, members and audit entries."""
from common import scale_coordinator  # noqa: F401  (sets Django up)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PAGES = ["/", "/network/zones/", "/network/members/", "/network/psychologists/", "/network/organisations/",
         "/network/audit/", "/network/members/invite/", "/network/zones/new/"]


def measure(label):
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    email, network = scale_coordinator()
    client = Client()
    from psynet.models import User

    client.force_login(User.objects.get(email=email))
    session = client.session
    session["active_network_id"] = network.pk
    session.save()
    counts = {}
    for path in PAGES:
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(path).status_code
        counts[path] = (status, len(ctx.captured_queries))
    return counts


def grow_tenfold():
    import random

    from django.core.management import call_command

    from psynet.audit import log_action
    from psynet.models import Membership

    call_command("generate_scale_data", psychologists=40000, users=6000, stdout=open("/dev/null", "w"))
    email, network = scale_coordinator()
    memberships = list(Membership.objects.filter(network=network)[:50])
    rng = random.Random(1)
    for i in range(2000):
        log_action(rng.choice(memberships), "bench.grow", by=None, after={"i": i})


if __name__ == "__main__":
    base = measure("1x")
    grow_tenfold()
    big = measure("10x")
    from django.core.management import call_command

    call_command("generate_scale_data", stdout=open("/dev/null", "w"))  # back to national scale
    print("\nQueries per page (national scale → ten times the data)")
    print(f"{'page':32} {'status':>6} {'1x':>5} {'10x':>5}")
    for path in PAGES:
        print(f"{path:32} {base[path][0]:>6} {base[path][1]:>5} {big[path][1]:>5}")
