import datetime as dt
import uuid

import factory
from django.utils import timezone

from partnerships.choices import AgeGroup, EmployInterest, Offer, Status
from partnerships.models import AgreementVersion, CollaborationRequest
from tests.factories import MunicipalityFactory, NetworkFactory


class CollaborationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollaborationRequest
        skip_postgeneration_save = True

    network = factory.SubFactory(NetworkFactory)
    submission = factory.LazyFunction(uuid.uuid4)
    organisation_name = factory.Sequence(lambda n: f"École {n}")
    place_type = "school"
    municipality = factory.SubFactory(MunicipalityFactory)
    contact_name = "Anne Partenaire"
    contact_email = factory.Sequence(lambda n: f"contact{n}@partner.example")
    language = "fr"
    age_groups = [AgeGroup.ADULTS]
    needs = "Des jeunes en décrochage."
    offers = [Offer.GROUP]
    employ_interest = EmployInterest.NO
    consent_at = factory.LazyFunction(timezone.now)
    status = Status.RECEIVED
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))

    @factory.post_generation
    def zones(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.zones.set(extracted)


def make_agreement(*, network, psychologist, signatory, by=None, request=None, zone=None, **terms):
    """An agreement with its first version, through the service (text and hash as in production)."""
    from partnerships import agreements

    values = {
        "partner_name": "École du Centre", "partner_signatory_name": "Anne Partenaire",
        "partner_signatory_email": "anne@partner.example", "psychologist": psychologist,
        "network_signatory": signatory, "zone": zone, "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + dt.timedelta(days=365), "hours_per_period": 4, "hours_unit": "week",
        "total_hours": 160, "modalities": ["group", "individual"], "article8_hours": {"advice": "10"},
        "place_address": "Rue de l'École 1, Namur", "language": "fr",
    }
    values.update(terms)
    return agreements.agreement_create(network=network, by=by or signatory, partnership_request=request, **values)


def version_of(agreement):
    return AgreementVersion.objects.filter(agreement=agreement).order_by("-number").first()

