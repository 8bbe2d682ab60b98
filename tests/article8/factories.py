import datetime as dt
from decimal import Decimal

import factory

from article8.models import Activity, Budget, ContactHour, Mission, MissionStatus, MissionType, Offer
from psynet.models import OrganisationKind
from tests.factories import NetworkFactory, PsychologistFactory


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    network = factory.SubFactory(NetworkFactory)
    place_name = factory.Sequence(lambda n: f"Place {n}")
    place_kind = OrganisationKind.GP_PRACTICE
    mission_type = MissionType.CO_CONSULTATION
    description = "Co-consultation requested"
    year = 2025
    status = MissionStatus.RECEIVED


class ApprovedMissionFactory(MissionFactory):
    status = MissionStatus.APPROVED
    psychologist = factory.SubFactory(PsychologistFactory)
    hours_approved = Decimal("10")
    start_on = dt.date(2025, 1, 1)
    end_on = dt.date(2025, 12, 31)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    mission = factory.SubFactory(ApprovedMissionFactory)
    network = factory.SelfAttribute("mission.network")
    psychologist = factory.SelfAttribute("mission.psychologist")
    date = dt.date(2025, 3, 3)
    hours = Decimal("2")
    mission_type = factory.SelfAttribute("mission.mission_type")
    place_name = factory.SelfAttribute("mission.place_name")
    place_kind = factory.SelfAttribute("mission.place_kind")
    theme = "Anxiety at school"


class ContactHourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactHour

    network = factory.SubFactory(NetworkFactory)
    psychologist = factory.SubFactory(PsychologistFactory)
    weekday = 1
    starts_at = dt.time(12, 0)
    ends_at = dt.time(13, 0)
    mode = "phone"
    phone = "081 00 00 00"


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    network = factory.SubFactory(NetworkFactory)
    mission_type = MissionType.CO_CONSULTATION
    place_kinds = [OrganisationKind.GP_PRACTICE]
    description_fr = "Co-consultation au cabinet"
    description_nl = "Co-consultatie in de praktijk"


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    network = factory.SubFactory(NetworkFactory)
    year = 2025
    amount = Decimal("100000")
    hourly_amount = Decimal("80")
    effective_from = dt.date(2025, 1, 1)
