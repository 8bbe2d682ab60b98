import datetime as dt

import pytest
from django.core.cache import cache

from partnerships import municipalities
from psynet.models import NetworkKind, Role
from tests.conftest import _member
from tests.factories import ConventionFactory, MunicipalityFactory, NetworkFactory, PostalCodeFactory, ZoneFactory


@pytest.fixture(autouse=True)
def _fresh_partnership_state(settings):
    """Each test starts with an empty rate-limit cache, a rebuilt municipality index and no minimum fill time
    unless it sets one."""
    cache.clear()
    municipalities.reset_index()
    settings.PARTNERSHIP_MIN_FILL_SECONDS = "0"
    settings.PARTNERSHIP_RATE_LIMIT = "1000/60"
    settings.PARTNERSHIP_SUGGEST_RATE_LIMIT = "1000/60"
    settings.PARTNERSHIP_FOLLOW_RATE_LIMIT = "1000/60"
    yield
    municipalities.reset_index()


@pytest.fixture
def psynam(db):
    """The PSYNAM shape of seed 003: RSK (children) and RSN (adults) on the same municipalities, zones Ouest and
    Est in each, the city of Namur in both zones; a municipality of another province covered by nobody."""
    namur = MunicipalityFactory(nis_code="92094", name_fr="Namur", name_nl="Namen", province_nis="90000")
    andenne = MunicipalityFactory(nis_code="92003", name_fr="Andenne", name_nl="Andenne", province_nis="90000")
    gembloux = MunicipalityFactory(nis_code="92142", name_fr="Gembloux", name_nl="Gembloers", province_nis="90000")
    liege = MunicipalityFactory(nis_code="62063", name_fr="Liège", name_nl="Luik", province_nis="60000",
                                region="wallonia")
    PostalCodeFactory(code="5000", locality="Namur", municipality=namur)
    PostalCodeFactory(code="5002", locality="Saint-Servais", municipality=namur)
    PostalCodeFactory(code="5300", locality="Andenne", municipality=andenne)
    PostalCodeFactory(code="5030", locality="Gembloux", municipality=gembloux)
    rsk = NetworkFactory(code="RSK", name="Réseau Santé Kirikou", kind=NetworkKind.CHILDREN, province_nis="90000")
    rsn = NetworkFactory(code="RSN", name="Réseau Santé Namur", kind=NetworkKind.ADULTS, province_nis="90000")
    data = {"namur": namur, "andenne": andenne, "gembloux": gembloux, "liege": liege, "rsk": rsk, "rsn": rsn}
    for network in (rsk, rsn):
        code = network.code.lower()
        west = ZoneFactory(network=network, name="Namur Ouest")
        east = ZoneFactory(network=network, name="Namur Est")
        west.municipalities.set([namur, gembloux])
        east.municipalities.set([namur, andenne])
        data[f"{code}_west"], data[f"{code}_east"] = west, east
        data[f"{code}_nc"] = _member(network, Role.NETWORK_COORDINATOR, email=f"coordinator@{code}.example")
        data[f"{code}_lc_west"] = _member(network, Role.LOCAL_COORDINATOR, [west], email=f"local@{code}.example")
        data[f"{code}_lc_east"] = _member(network, Role.LOCAL_COORDINATOR, [east], email=f"local-east@{code}.example")
        data[f"{code}_psy_user"] = _member(network, Role.PSYCHOLOGIST, email=f"psychologist@{code}.example")
        convention = ConventionFactory(network=network, psychologist__user=data[f"{code}_psy_user"],
                                       psychologist__languages=["fr", "nl"], start_on=dt.date(2024, 4, 1),
                                       age_groups=[network.kind], article8_hours_per_year=40)
        convention.zones.set([west, east])
        data[f"{code}_psy"] = convention.psychologist
        data[f"{code}_committee"] = _member(network, Role.COMMITTEE_MEMBER, email=f"committee@{code}.example")
    return data


FORM = {
    "organisation_name": "Athénée royal du Confluent",
    "place_type": "school",
    "municipality_text": "5000 Namur",
    "contact_name": "Anne Dupont",
    "contact_email": "anne.dupont@ecole.example",
    "age_groups": ["12_17"],
    "needs": "Des élèves anxieux avant les examens.",
    "offers": ["group", "clairvision"],
    "employ_interest": "no",
    "consent": "on",
}


@pytest.fixture
def form_data():
    from partnerships.forms import sign_started

    return {**FORM, "started": sign_started()}
