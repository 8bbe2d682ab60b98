"""Property-based fuzzing of the public form (hypothesis): whatever is typed, the answer is the thanks page or
the form again with a message and everything typed still there; never a server error."""
import pytest
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerships.forms import sign_started
from partnerships.models import CollaborationRequest

from .conftest import FORM

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
NASTY = st.sampled_from(["<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "' OR 1=1 --",
                         "\x00", "é" * 5000, "{{ 7*7 }}", "{% debug %}", "%(name)s", "\u202e", "　", ""])
POSTAL = st.one_of(st.integers(0, 99999).map(str), st.from_regex(r"\A[0-9]{4} ?[A-Za-zéè\-]{0,12}\Z"),
                   st.sampled_from(["5000 Namur", "Namen", "Andenne", "Liège", "Atlantis", "5300"]))
EMAIL = st.one_of(st.emails(), TEXT, NASTY)
CHOICE_LISTS = {
    "age_groups": st.lists(st.sampled_from(["0_2", "3_11", "12_17", "18_23", "24_64", "65_plus", "unsure", "999",
                                            "<b>"]), max_size=4),
    "offers": st.lists(st.sampled_from(["outreaching", "group", "clairvision", "home", "video", "art8_place",
                                        "nope"]), max_size=4),
    "vulnerable_groups": st.lists(st.sampled_from(["precarity", "migrants", "bogus"]), max_size=2),
}
TEXT_FIELDS = ["organisation_name", "place_type_other", "address", "contact_name", "contact_role", "contact_phone",
               "vulnerable_other", "needs", "availability", "enterprise_number"]


@st.composite
def submissions(draw):
    data = dict(FORM)
    for name in TEXT_FIELDS:
        if draw(st.booleans()):
            data[name] = draw(st.one_of(TEXT, NASTY))
    if draw(st.booleans()):
        data["municipality_text"] = draw(st.one_of(POSTAL, TEXT))
    if draw(st.booleans()):
        data["contact_email"] = draw(EMAIL)
    for name, strategy in CHOICE_LISTS.items():
        if draw(st.booleans()):
            data[name] = draw(strategy)
    if draw(st.booleans()):
        data["place_type"] = draw(st.sampled_from(["school", "other", "cpms", "employer", "", "x" * 40]))
    if draw(st.booleans()):
        data["employ_interest"] = draw(st.sampled_from(["no", "yes", "maybe", "", "perhaps"]))
    if draw(st.booleans()):
        data.pop("consent")
    if draw(st.booleans()):
        data["network"] = draw(st.sampled_from(["RSK", "RSN", "NOPE", "", "<x>"]))
    return data


def _kept(html, value):
    return escape(value) in html


@pytest.mark.django_db
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=submissions())
def test_public_form_never_fails_and_keeps_what_was_typed(client, psynam, data):
    data = {**data, "started": sign_started()}
    before = CollaborationRequest.objects.count()
    response = client.post("/collaboration/", data)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        stored = CollaborationRequest.objects.order_by("-pk").first()
        assert CollaborationRequest.objects.count() > before
        assert stored.organisation_name == data["organisation_name"].strip()
        assert stored.needs == data["needs"].strip()
        return
    html = response.content.decode()
    assert CollaborationRequest.objects.count() == before
    assert "is-invalid" in html or "alert" in html
    for name in TEXT_FIELDS + ["municipality_text", "contact_email"]:
        value = data.get(name, "")
        if value and "\x00" not in value and "\r" not in value:
            assert _kept(html, value), f"{name} not kept: {value!r}"
