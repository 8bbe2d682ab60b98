"""National-scale generated data for benchmarks: 32 networks (12 children/adolescents on the provinces and
Brussels, 20 adults) with their zones over the 581 municipalities, 4,000 psychologists, 600 users, 150 partner
organisations per network and two years of audit trail (3,000 entries per network).
Domain apps extend it through builders registered with ``psynet.scale.register_scale``.
Meant for a dedicated benchmark database: when generated data is already there, nothing is done."""
import datetime as dt
import random
from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from psynet.audit import audit_entry
from psynet.models import (
    AuditEntry, Convention, Membership, Municipality, Network, NetworkKind, Organisation, OrganisationKind,
    Psychologist, Role, User, Zone,
)
from psynet.scale import run_scale_builders

PREFIX = "SCALE"


class Command(BaseCommand):
    help = "Generate national-scale data on a benchmark database (does nothing when it was already generated)."

    def add_arguments(self, parser):
        parser.add_argument("--psychologists", type=int, default=4000)
        parser.add_argument("--users", type=int, default=600)
        parser.add_argument("--organisations", type=int, default=150, help="per network")
        parser.add_argument("--audit-entries", type=int, default=3000, help="per network")
        parser.add_argument("--seed", type=int, default=32)

    def handle(self, *args, psychologists, users, organisations, audit_entries, seed, **options):
        rng = random.Random(seed)
        if Municipality.objects.count() < 581:
            call_command("import_municipalities", stdout=self.stdout)
        if Network.objects.filter(code__startswith=PREFIX).exists():
            self.stdout.write("national-scale data is already there (drop the benchmark database to regenerate)")
            return
        with transaction.atomic():
            networks = self.networks(rng)
            self.users(rng, networks, users)
            self.psychologists(rng, networks, psychologists)
            self.organisations(rng, networks, organisations)
            self.audit_trail(rng, networks, audit_entries)
        run_scale_builders(networks=networks, rng=rng, stdout=self.stdout)
        self.stdout.write(f"generated {len(networks)} networks, {users} users, {psychologists} psychologists")

    def networks(self, rng):
        municipalities = list(Municipality.objects.order_by("nis_code"))
        by_province = defaultdict(list)
        for m in municipalities:
            by_province[m.province_nis or "04000"].append(m)
        networks = []
        # 12 children/adolescents networks: one per province and Brussels (11), the largest split in two.
        provinces = sorted(by_province, key=lambda p: -len(by_province[p]))
        areas = [by_province[p] for p in provinces]
        big = areas.pop(0)
        areas += [big[: len(big) // 2], big[len(big) // 2:]]
        for i, area in enumerate(areas):
            networks.append(self.network(f"{PREFIX}K{i + 1:02d}", NetworkKind.CHILDREN, area, rng))
        # 20 adults networks: the municipalities cut in 20 contiguous slices of the NIS order.
        size = len(municipalities) // 20 + 1
        for i in range(20):
            networks.append(self.network(f"{PREFIX}A{i + 1:02d}", NetworkKind.ADULTS,
                                         municipalities[i * size:(i + 1) * size], rng))
        return networks

    def network(self, code, kind, area, rng):
        network = Network.objects.create(code=code, name=f"Réseau {code}", kind=kind,
                                         province_nis=area[0].province_nis if area else "",
                                         generic_email=f"info@{code.lower()}.scale.example")
        n_zones = max(1, min(6, len(area) // 8))
        for z in range(n_zones):
            zone = Zone.objects.create(network=network, name=f"Zone {z + 1}")
            zone.municipalities.set(area[z::n_zones])
        return network

    def users(self, rng, networks, count):
        password = make_password("scale-psynet")
        roles = [Role.NETWORK_COORDINATOR, Role.LOCAL_COORDINATOR, Role.LOCAL_COORDINATOR, Role.COMMITTEE_MEMBER,
                 Role.COMMITTEE_MEMBER, Role.ADMIN_STAFF, Role.PSYCHOLOGIST]
        users = User.objects.bulk_create([
            User(email=f"user{i:04d}@scale.example", first_name=f"Prénom{i}", last_name=f"Nom{i}",
                 password=password) for i in range(count)])
        zones = defaultdict(list)
        for zone in Zone.objects.filter(network__in=networks):
            zones[zone.network_id].append(zone)
        memberships = []
        for i, user in enumerate(users):
            network = networks[i % len(networks)]
            memberships.append(Membership(user=user, network=network, role=roles[(i // len(networks)) % len(roles)]))
        Membership.objects.bulk_create(memberships)
        through = Membership.zones.through
        through.objects.bulk_create([
            through(membership_id=m.pk, zone_id=rng.choice(zones[m.network_id]).pk)
            for m in Membership.objects.filter(network__in=networks, role=Role.LOCAL_COORDINATOR)])

    def psychologists(self, rng, networks, count):
        people = Psychologist.objects.bulk_create([
            Psychologist(first_name=f"Prénom{i}", last_name=f"Psy{i:05d}", email=f"psy{i}@scale.example",
                         inami_number=f"9{i:07d}930", languages=rng.choice([["fr"], ["nl"], ["fr", "nl"]]),
                         employment="independent")
            for i in range(count)])
        conventions = []
        for i, p in enumerate(people):
            network = networks[i % len(networks)]
            conventions.append(Convention(
                psychologist=p, network=network, start_on=dt.date(2024, 4, 1),
                functions=rng.choice([["F2", "F3"], ["F1", "F2", "F3"], ["F3"]]),
                age_groups=["children"] if network.kind == NetworkKind.CHILDREN else ["adults"],
                article8_hours_per_year=rng.choice([0, 40, 80, 120])))
        Convention.objects.bulk_create(conventions)

    def organisations(self, rng, networks, per_network):
        kinds = list(OrganisationKind.values)
        rows = []
        for network in networks:
            area = list(Municipality.objects.filter(zones__network=network).distinct())
            for i in range(per_network):
                municipality = rng.choice(area) if area else None
                rows.append(Organisation(
                    network=network, name=f"Partenaire {network.code} {i:04d}", kind=rng.choice(kinds),
                    municipality=municipality, address=f"Rue de l'Exemple {i + 1}",
                    email=f"partenaire{i}@{network.code.lower()}.scale.example"))
        Organisation.objects.bulk_create(rows, batch_size=2000)

    def audit_trail(self, rng, networks, per_network):
        """Two years of the core's audit actions (members invited and changed, zones, psychologists,
        organisations), spread over time, as the network coordinator's audit page reads them."""
        now = dt.datetime.now(dt.timezone.utc)
        entries = []
        for network in networks:
            members = list(Membership.objects.filter(network=network).select_related("user", "network"))
            actors = [m.user for m in members if m.role == Role.NETWORK_COORDINATOR] or [None]
            zones = list(Zone.objects.filter(network=network).select_related("network"))
            organisations = list(Organisation.objects.filter(network=network).select_related("network")[:200])
            for i in range(per_network):
                by = rng.choice(actors)
                kind = rng.random()
                if kind < 0.4 and members:
                    member = rng.choice(members)
                    entry = audit_entry(member, "psynet.membership.updated", by=by,
                                        before={"role": Role.COMMITTEE_MEMBER}, after={"role": member.role})
                elif kind < 0.55 and members:
                    member = rng.choice(members)
                    entry = audit_entry(member, "psynet.membership.created", by=by,
                                        after={"email": member.user.email, "role": member.role})
                elif kind < 0.7 and zones:
                    entry = audit_entry(rng.choice(zones), "psynet.zone.updated", by=by,
                                        before={"municipalities": [1]}, after={"municipalities": [1, 2]})
                else:
                    organisation = rng.choice(organisations)
                    entry = audit_entry(organisation, "psynet.organisation.saved", by=by,
                                        after={"name": organisation.name, "kind": organisation.kind})
                entry.at = now - dt.timedelta(minutes=rng.randint(1, 2 * 365 * 24 * 60))
                entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=5000)
