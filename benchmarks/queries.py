"""Queries per page on the national-scale data, then with ten times the rows of the measured network."""
from common import scale_coordinator  # noqa: F401  (sets Django up)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from pages import PAGES, scale_members  # noqa: E402  (the latency table's pages, with who opens them)

AUTHENTICATED = [(label, path, who) for label, path, who in PAGES if who and "?" not in path]


def clients():
    """A logged-in client per role of the first generated network, its network chosen."""
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    network, members, ids = scale_members()
    out = {}
    for role, user in members.items():
        client = Client()
        client.force_login(user)
        session = client.session
        session["active_network_id"] = network.pk
        session.save()
        out[role] = client
    return out, ids


def measure(by_role, ids):
    counts = {}
    for _label, path, who in AUTHENTICATED:  # warm-up: per-process and shared caches filled
        by_role[who].get(path.format(**ids))
    for label, path, who in AUTHENTICATED:
        with CaptureQueriesContext(connection) as ctx:
            status = by_role[who].get(path.format(**ids)).status_code
        counts[label] = (status, len(ctx.captured_queries))
    return counts


def grow_tenfold():
    """Ten times the measured network's rows: psychologists with conventions, members, zones, organisations and
    audit entries (added, never deleted: the benchmark database is rebuilt by each `make bench`)."""
    import datetime as dt

    from psynet.audit import audit_entry
    from psynet.models import (
        AuditEntry, Convention, Membership, Organisation, Psychologist, Role, User, Zone,
    )

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
    Organisation.objects.bulk_create([
        Organisation(network=network, name=f"Org {i}", kind="school")
        for i in range(Organisation.objects.filter(network=network).count() * 9)])
    members = list(Membership.objects.filter(network=network).select_related("network")[:50])
    n_entries = AuditEntry.objects.filter(network=network).count() * 9
    AuditEntry.objects.bulk_create([audit_entry(members[i % len(members)], "bench.grow", after={"i": i})
                                    for i in range(n_entries)], batch_size=5000)


def volumes():
    from psynet.models import AuditEntry, Convention, Membership, Organisation, Zone

    _email, network = scale_coordinator()
    return (f"{Convention.objects.filter(network=network).count()} psychologists with a convention, "
            f"{Membership.objects.filter(network=network).count()} members, {Zone.objects.filter(network=network).count()}"
            f" zones, {Organisation.objects.filter(network=network).count()} organisations, "
            f"{AuditEntry.objects.filter(network=network).count()} audit entries")


if __name__ == "__main__":
    by_role, ids = clients()
    base, before = measure(by_role, ids), volumes()
    grow_tenfold()
    big, after = measure(by_role, ids), volumes()
    print("\nQueries per page (national scale → ten times the data of the measured network)")
    print(f"1x: {before}\n10x: {after}")
    print(f"{'page':40} {'status':>6} {'1x':>5} {'10x':>5}")
    for label, _path, _who in AUTHENTICATED:
        print(f"{label:40} {base[label][0]:>6} {base[label][1]:>5} {big[label][1]:>5}")
