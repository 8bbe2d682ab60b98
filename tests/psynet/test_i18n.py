import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_french_is_the_default(client):
    response = client.get(reverse("login"))
    assert '<html lang="fr">' in response.content.decode()
    assert "Connexion" in response.content.decode()


def test_the_browser_language_is_used_first(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9")
    assert '<html lang="nl">' in response.content.decode()
    assert "Aanmelden" in response.content.decode()


def test_the_choice_is_remembered_and_saved_on_the_user(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("set_language"), {"language": "nl", "next": reverse("home")})
    assert response.status_code == 302
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="nl">' in page.content.decode()
    coordinator_a.refresh_from_db()
    assert coordinator_a.language == "nl"


def test_urls_have_no_language_prefix():
    assert reverse("home") == "/"
    assert reverse("login") == "/accounts/login/"


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_dates_and_amounts_the_belgian_way(language):
    template = Template('{% load psynet_tags %}{{ d|date:"SHORT_DATE_FORMAT" }} | {{ a|eur }}')
    with translation.override(language):
        out = template.render(Context({"d": dt.date(2025, 3, 31), "a": Decimal("1234.56")}))
    assert out == "31/03/2025 | 1\xa0234,56\xa0€"


@override_settings(LANGUAGE_CODE="fr")
def test_dates_are_read_the_belgian_way():
    from psynet.forms import ConventionForm
    from tests.factories import NetworkFactory

    with translation.override("fr"):
        form = ConventionForm({"start_on": "31/03/2025", "functions": ["F2"], "age_groups": ["adults"],
                               "article8_hours_per_year": "12,5"}, network=NetworkFactory())
        assert form.is_valid(), form.errors
    assert form.cleaned_data["start_on"] == dt.date(2025, 3, 31)
    assert form.cleaned_data["article8_hours_per_year"] == Decimal("12.5")
