import datetime as dt

import factory
from django.utils import timezone

from care_offer.models import Clairvision, CoFacilitator, Priority, ProviderApplication
from tests.factories import NetworkFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


class ProviderApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderApplication

    network = factory.SubFactory(NetworkFactory)
    first_name = "Claire"
    last_name = factory.Sequence(lambda n: f"Candidate{n}")
    email = factory.Sequence(lambda n: f"applicant{n}@test.example")
    profession = "psychologist"
    inami_number = factory.Sequence(lambda n: f"{50000000000 + n:011d}")
    visa_number = "123456"
    qualification = "Master en psychologie clinique, UCLouvain, 2015"
    years_practice = 5
    languages = ["fr"]
    functions = ["F2", "F3"]
    age_groups = ["adults"]
    modalities = ["practice", "outreaching", "group"]
    availability = "Mardi et jeudi"
    consent_at = factory.LazyFunction(timezone.now)


class CoFacilitatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoFacilitator

    network = factory.SubFactory(NetworkFactory)
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Cofac{n}")
    kind = "expert"
    languages = ["fr"]


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    network = factory.SubFactory(NetworkFactory)
    code = factory.Sequence(lambda n: f"prio-{n}")
    name_fr = factory.Sequence(lambda n: f"Priorité {n}")
    name_nl = factory.Sequence(lambda n: f"Prioriteit {n}")


class ClairvisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clairvision

    network = factory.SubFactory(NetworkFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    place_text = "Salle communale"
    format = "collective"
    participants = 12
    themes = ["anxiety"]
