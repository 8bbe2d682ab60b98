import datetime as dt

import pytest

from billing.loader import load_rules
from billing.rules import RuleBook
from psynet.models import NetworkKind
from tests.factories import ConventionFactory, NetworkFactory, OrganisationFactory, PsychologistFactory

TODAY = dt.date(2025, 6, 30)


@pytest.fixture
def book(db):
    load_rules()
    return RuleBook.load()


@pytest.fixture
def adult_network(network_a):
    return network_a


@pytest.fixture
def youth_network(db):
    return NetworkFactory(code="YOUTH", kind=NetworkKind.CHILDREN)


@pytest.fixture
def psy_a(psychologist_user_a, network_a):
    from psynet.models import Psychologist

    psychologist = Psychologist.objects.get(user=psychologist_user_a)
    c = psychologist.conventions.get()
    c.start_on = dt.date(2021, 9, 1)
    c.functions = ["first_line", "specialised", "F1", "F2", "F3"]
    c.save()
    return psychologist


@pytest.fixture
def psy_youth(youth_network):
    psychologist = PsychologistFactory()
    ConventionFactory(psychologist=psychologist, network=youth_network, start_on=dt.date(2021, 9, 1),
                      functions=["first_line", "specialised", "F1", "F2", "F3"], age_groups=["children"])
    return psychologist


@pytest.fixture
def place_a(network_a):
    return OrganisationFactory(network=network_a)
