import datetime as dt

import factory

from psynet.models import (
    AuditEntry, Convention, Membership, Municipality, Network, NetworkKind, Notification, Organisation,
    OrganisationKind, PostalCode, Psychologist, Role, User, Zone,
)

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    first_name = factory.Faker("first_name", locale="fr_BE")
    last_name = factory.Faker("last_name", locale="fr_BE")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["nis_code"]

    nis_code = factory.Sequence(lambda n: f"{90000 + n:05d}")
    name_fr = factory.Sequence(lambda n: f"Commune {n}")
    name_nl = factory.Sequence(lambda n: f"Gemeente {n}")
    region = "wallonia"
    province_nis = "90000"
    population = 10000


class PostalCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostalCode

    code = factory.Sequence(lambda n: f"{5000 + n % 999}")
    locality = factory.Sequence(lambda n: f"Localité {n}")
    municipality = factory.SubFactory(MunicipalityFactory)


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    code = factory.Sequence(lambda n: f"NET{n}")
    name = factory.Sequence(lambda n: f"Réseau {n}")
    kind = NetworkKind.ADULTS
    province_nis = "90000"
    generic_email = factory.LazyAttribute(lambda o: f"info@{o.code.lower()}.example")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    network = factory.SubFactory(NetworkFactory)
    name = factory.Sequence(lambda n: f"Zone {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    network = factory.SubFactory(NetworkFactory)
    role = Role.NETWORK_COORDINATOR

    @factory.post_generation
    def zones(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.zones.set(extracted)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    network = factory.SubFactory(NetworkFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.SCHOOL


class PsychologistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Psychologist

    first_name = factory.Faker("first_name", locale="fr_BE")
    last_name = factory.Faker("last_name", locale="fr_BE")
    email = factory.Sequence(lambda n: f"psy{n}@test.example")
    inami_number = factory.Sequence(lambda n: f"{10000000000 + n:011d}")
    languages = ["fr"]


class ConventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Convention

    psychologist = factory.SubFactory(PsychologistFactory)
    network = factory.SubFactory(NetworkFactory)
    start_on = dt.date(2024, 4, 1)
    functions = ["F2", "F3"]
    age_groups = ["adults"]
    article8_hours_per_year = 40


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"test.step.{n}")
    subject = "Subject"


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    action = "test.action"
