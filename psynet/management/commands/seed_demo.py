"""The PSYNAM case of seed 003 with invented people: networks RSK (children/adolescents) and RSN (adults)
on the 38 municipalities of the Namur province, zones Namur Ouest and Namur Est sharing the city of Namur.
Idempotent: running it again changes nothing. Every address ends in .example and never reaches a mailbox."""
import datetime as dt
import random

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from psynet import demo
from psynet.models import (
    Convention, Membership, Municipality, Network, NetworkKind, Organisation, OrganisationKind, Psychologist, Role,
    User, Zone,
)

PASSWORD = "demo-psynet"
NAMUR = "92094"
# Namur Ouest: the Sambre valley and the Philippeville arrondissement; Namur Est: the Meuse upstream,
# the Hesbaye and the Dinant arrondissement. The city of Namur is shared by both local coordinators.
WEST = {"92045", "92048", "92087", "92101", "92114", "92137", "92140", "92141", "92142",
        "93010", "93014", "93018", "93022", "93056", "93088", "93090", NAMUR}

NETWORKS = [
    {"code": "RSK", "name": "Réseau Santé Kirikou", "kind": NetworkKind.CHILDREN, "province_nis": "90000",
     "generic_email": "info@rsk.example", "website": "https://www.rsk.example",
     "collecting_institution": "Hôpital du Parc (demo)", "b4_hospital": "Clinique des Tilleuls (demo)"},
    {"code": "RSN", "name": "Réseau Santé Namur", "kind": NetworkKind.ADULTS, "province_nis": "90000",
     "generic_email": "info@rsn.example", "website": "https://www.rsn.example",
     "collecting_institution": "Hôpital du Parc (demo)", "b4_hospital": "Centre hospitalier du Val (demo)"},
]

PEOPLE = {  # role: (local part, first name, last name)
    Role.NETWORK_COORDINATOR: ("coordinator", "Aline", "Dumont"),
    Role.LOCAL_COORDINATOR: ("local", "Margaux", "Lefèvre"),
    Role.COMMITTEE_MEMBER: ("committee", "Bernard", "Lambotte"),
    Role.ADMIN_STAFF: ("admin", "Sophie", "Gérard"),
    Role.PSYCHOLOGIST: ("psychologist", "Julie", "Renard"),
}
SECOND_NAMES = {"RSK": {"coordinator": ("Thomas", "Collard"), "local": ("Nadia", "Piron"),
                        "committee": ("Hélène", "Masson"), "admin": ("Lucas", "Delvaux"),
                        "psychologist": ("Camille", "Hubert")}}

FIRST_NAMES = ["Amélie", "Benoît", "Chloé", "David", "Elise", "François", "Gaëlle", "Hugo", "Inès", "Jérôme",
               "Laura", "Maxime", "Noémie", "Olivier", "Pauline", "Quentin", "Romane", "Simon", "Tania", "Victor",
               "Wendy", "Yves"]
LAST_NAMES = ["Adam", "Bodart", "Charlier", "Denis", "Evrard", "Fontaine", "Georges", "Henrard", "Jacquet",
              "Kaiser", "Leroy", "Mathieu", "Noël", "Olivier", "Pirard", "Quinet", "Rousseau", "Simon",
              "Thiry", "Urbain", "Vandeput", "Wauthier"]

ORGANISATIONS = [
    ("Maison médicale du Pont (demo)", OrganisationKind.MEDICAL_HOUSE, "92094"),
    ("Cabinet médical des Quatre Vents (demo)", OrganisationKind.GP_PRACTICE, "92142"),
    ("Cabinet de médecine générale La Source (demo)", OrganisationKind.GP_PRACTICE, "91034"),
    ("Athénée royal du Confluent (demo)", OrganisationKind.SCHOOL, "92094"),
    ("Institut Sainte-Claire (demo)", OrganisationKind.SCHOOL, "93088"),
    ("Centre PMS de la Haute-Meuse (demo)", OrganisationKind.CPMS, "91034"),
    ("Service d'accompagnement étudiant Hautes Écoles Namur (demo)", OrganisationKind.STUDENT_SERVICE, "92094"),
    ("AMO Le Tremplin (demo)", OrganisationKind.YOUTH_AID, "92137"),
    ("AMO Passages (demo)", OrganisationKind.YOUTH_AID, "91114"),
    ("CPAS d'Andenne – service social (demo)", OrganisationKind.CPAS, "92003"),
    ("Consultation ONE des Sept Collines (demo)", OrganisationKind.ONE, "93014"),
    ("Centre de services locaux Ciney (demo)", OrganisationKind.LOCAL_SERVICE_CENTRE, "91030"),
    ("Résidence Les Charmilles (demo)", OrganisationKind.ELDERLY_CARE, "92035"),
    ("Établissement pénitentiaire de la Citadelle (demo)", OrganisationKind.PRISON, "92094"),
    ("ASBL Santé mentale en Condroz – employeur (demo)", OrganisationKind.EMPLOYER, "91030"),
    ("Centre de planning familial Les Arches (demo)", OrganisationKind.OTHER, "92087"),
]


def _user(email, first, last, language="fr"):
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "language": language})
    if created or not user.check_password(PASSWORD):
        user.set_password(PASSWORD)
        user.save()
    return user


def _membership(user, network, role, zones=()):
    membership, _ = Membership.objects.update_or_create(user=user, network=network,
                                                        defaults={"role": role, "is_active": True})
    membership.zones.set(zones)
    return membership


def _inami(seed):
    return f"{7000000000 + seed * 7919:011d}"[:8] + "930"  # invented; last three digits: qualification code


class Command(BaseCommand):
    help = "Load the PSYNAM demo (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        if Municipality.objects.filter(province_nis="90000").count() < 38:
            call_command("import_municipalities", stdout=self.stdout)
        # The demo's notifications stay in the portal (in-app list); none is e-mailed while the demo is built.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            with transaction.atomic():
                networks = self.build_core()
            demo.run_all(stdout=self.stdout)
        self.print_logins(networks)

    def build_core(self):
        namur = list(Municipality.objects.filter(province_nis="90000"))
        networks = {}
        for data in NETWORKS:
            network, _ = Network.objects.update_or_create(code=data["code"], defaults=data)
            west, _ = Zone.objects.get_or_create(network=network, name="Namur Ouest")
            east, _ = Zone.objects.get_or_create(network=network, name="Namur Est")
            west.municipalities.set([m for m in namur if m.nis_code in WEST])
            east.municipalities.set([m for m in namur if m.nis_code not in WEST or m.nis_code == NAMUR])
            networks[network.code] = (network, west, east)
            net = network.code.lower()
            for role, (local, first, last) in PEOPLE.items():
                first, last = SECOND_NAMES.get(network.code, {}).get(local, (first, last))
                user = _user(f"{local}@{net}.example", first, last)
                _membership(user, network, role, [west] if role == Role.LOCAL_COORDINATOR else [])
            east_local = _user(f"local-east@{net}.example", "Charlotte" if net == "rsn" else "Manon",
                               "Marchal" if net == "rsn" else "Lemaire")
            _membership(east_local, network, Role.LOCAL_COORDINATOR, [east])
        multi = _user("multi@psynam.example", "Géraldine", "Vanderstraeten")
        for code, (network, west, east) in networks.items():
            _membership(multi, network, Role.LOCAL_COORDINATOR, [west])
        self.build_organisations(networks, {m.nis_code: m for m in namur})
        self.build_psychologists(networks)
        return networks

    def build_organisations(self, networks, municipalities):
        for i, (name, kind, nis) in enumerate(ORGANISATIONS):
            code = "RSK" if kind in {OrganisationKind.SCHOOL, OrganisationKind.CPMS, OrganisationKind.YOUTH_AID,
                                     OrganisationKind.ONE} else "RSN"
            network = networks[code][0]
            Organisation.objects.update_or_create(
                network=network, name=name,
                defaults={"kind": kind, "municipality": municipalities[nis], "email": f"contact{i}@partners.example",
                          "address": f"Rue de la Démo {i + 1}", "phone": f"081 00 00 {i:02d}"})
        employer_rsn = Organisation.objects.get(name=ORGANISATIONS[14][0])
        employer_rsk, _ = Organisation.objects.update_or_create(
            network=networks["RSK"][0], name="ASBL Jeunesse et Santé mentale – employeur (demo)",
            defaults={"kind": OrganisationKind.EMPLOYER, "municipality": municipalities[NAMUR]})
        self.employers = {"RSN": employer_rsn, "RSK": employer_rsk}

    def build_psychologists(self, networks):
        rng = random.Random(3)
        for i in range(20):
            first, last = FIRST_NAMES[i], LAST_NAMES[i]
            codes = ["RSK"] if i % 3 == 0 else ["RSN"] if i % 3 == 1 else ["RSK", "RSN"]
            salaried = i % 5 == 4
            employer = self.employers[codes[0]] if salaried else None
            languages = ["fr"] + (["nl"] if i % 4 == 0 else []) + (["en"] if i % 6 == 0 else [])
            psychologist, _ = Psychologist.objects.update_or_create(
                inami_number=_inami(i + 1),
                defaults={"first_name": first, "last_name": last, "email": f"{first.lower()}.{last.lower()}"
                          f"@psy.example".replace("é", "e").replace("ë", "e").replace("è", "e"),
                          "profession": "orthopedagogue" if i % 7 == 3 else "psychologist",
                          "languages": languages, "employment": "salaried" if salaried else "independent",
                          "employer": employer, "phone": f"0470 00 00 {i:02d}"})
            for code in codes:
                network, west, east = networks[code]
                functions = ["first_line", "specialised"] if i % 2 else ["first_line"]
                convention, _ = Convention.objects.update_or_create(
                    psychologist=psychologist, network=network, start_on=dt.date(2021, 9, 1),
                    defaults={"end_on": dt.date(2024, 3, 31), "functions": functions,
                              "age_groups": ["children"] if code == "RSK" else ["adults"],
                              "article8_hours_per_year": 0})
                convention2, _ = Convention.objects.update_or_create(
                    psychologist=psychologist, network=network, start_on=dt.date(2024, 4, 1),
                    defaults={"end_on": None, "functions": ["F1", "F2", "F3"] if i % 2 else ["F2", "F3"],
                              "age_groups": ["children"] if code == "RSK" else ["adults"],
                              "article8_hours_per_year": rng.choice([0, 40, 60, 80, 120])})
                zones = [west] if i % 2 else [east]
                convention.zones.set(zones)
                convention2.zones.set(zones)
        for code in ("RSK", "RSN"):
            user = User.objects.get(email=f"psychologist@{code.lower()}.example")
            if not hasattr(user, "psychologist"):
                p = Psychologist.objects.filter(conventions__network__code=code, user__isnull=True).first()
                p.user = user
                p.save(update_fields=["user"])

    def print_logins(self, networks):
        self.stdout.write("\nDemo logins (password: %s):" % PASSWORD)
        for code in networks:
            net = code.lower()
            for role, (local, *_rest) in PEOPLE.items():
                self.stdout.write(f"  {local}@{net}.example".ljust(32) + f"{Role(role).label} ({code})")
        self.stdout.write("  multi@psynam.example".ljust(32) + "local coordinator (RSK and RSN)")
        if User.objects.filter(email="federal@psynam.example").exists():
            self.stdout.write("  federal@psynam.example".ljust(32) + "federal viewer (every network, read-only)")
