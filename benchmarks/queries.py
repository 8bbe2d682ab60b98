"""Queries per page on the national-scale data, then with ten times the rows of the measured network."""
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
    for path in PAGES:  # warm-up: per-process and shared caches (content types, memberships) filled
        client.get(path)
    for path in PAGES:
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(path).status_code
        counts[path] = (status, len(ctx.captured_queries))
    return counts


def grow_tenfold():
    """Ten times the measured network's rows: psychologists with conventions, members, zones, organisations and
    audit entries (added, never deleted: the benchmark database is rebuilt by each `make bench`)."""
    import datetime as dt

    from psynet.audit import log_action
    from psynet.models import Convention, Membership, Organisation, Psychologist, Role, User, Zone

    email, network = scale_coordinator()
    n_psy = Convention.objects.filter(network=network).count() * 9
    n_members = Membership.objects.filter(network=network).count() * 9
    people = Psychologist.objects.bulk_create([
        Psychologist(first_name="Dix", last_name=f"Fois{i:06d}", email=f"x{i}@scale.example",
                     inami_number=f"8{i:07d}930", languages=["fr"]) for i in range(n_psy)])
    Convention.objects.bulk_create([
        Convention(psychologist=p, network=network, start_on=dt.date(2024, 4, 1), functions=["F2", "F3"],
                   age_groups=["adults"], article8_hours_per_year=40) for p in people])
    users = User.objects.bulk_create([User(email=f"tenfold{i}@scale.example") for i in range(n_members)])
    Membership.objects.bulk_create([Membership(user=u, network=network, role=Role.COMMITTEE_MEMBER) for u in users])
    for i in range(Zone.objects.filter(network=network).count() * 9):
        Zone.objects.create(network=network, name=f"Zone x{i}")
    Organisation.objects.bulk_create([Organisation(network=network, name=f"Org {i}", kind="school")
                                      for i in range(500)])
    members = list(Membership.objects.filter(network=network)[:50])
    for i in range(2000):
        log_action(members[i % len(members)], "bench.grow", by=None, after={"i": i})


if __name__ == "__main__":
    base = measure("1x")
    grow_tenfold()
    big = measure("10x")
    print("\nQueries per page (national scale → ten times the data)")
    print(f"{'page':32} {'status':>6} {'1x':>5} {'10x':>5}")
    for path in PAGES:
        print(f"{path:32} {base[path][0]:>6} {base[path][1]:>5} {big[path][1]:>5}")
