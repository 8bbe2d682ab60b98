"""The public form at /collaboration/: no account, FR/NL, ?network= preselection, spam defences, rate limit."""
import re
import time

import pytest
from django.urls import reverse

from partnerships.forms import sign_started
from partnerships.models import CollaborationRequest

from .conftest import FORM

URL = "/collaboration/"


def post(client, data, **extra):
    return client.post(URL + extra.pop("query", ""), data, **extra)


def test_the_form_opens_without_login_in_french_and_in_dutch(client, psynam):
    response = client.get(URL)
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()
    assert "clairvision" in response.content.decode()
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9")
    assert '<html lang="nl">' in response.content.decode()


def test_network_in_the_link_is_preselected(client, psynam):
    response = client.get(URL + "?network=rsk")
    html = response.content.decode()
    assert 'data-testid="preselected-network"' in html
    assert re.search(r'<option value="RSK"\s+selected', html)


def test_the_form_says_a_clairvision_is_not_supervision(client, psynam):
    html = client.get(URL).content.decode()
    assert re.search(r"clairvision.{0,200}supervision", html, re.DOTALL | re.IGNORECASE)


def test_a_valid_request_is_stored_acknowledged_and_redirected_to_thanks(client, psynam, form_data, mailoutbox,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, form_data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("collaboration:thanks"))
    req = CollaborationRequest.objects.get()
    assert req.network == psynam["rsk"] and req.municipality == psynam["namur"]
    assert req.consent_at is not None and req.language == "fr"
    assert req.access_token_hash and len(req.access_token_hash) == 64
    thanks = client.get(response["Location"]).content.decode()
    assert req.reference in thanks and "a…@ecole.example" in thanks
    ack = [m for m in mailoutbox if m.to == ["anne.dupont@ecole.example"]]
    assert len(ack) == 1


def test_the_raw_token_is_not_stored(client, psynam, form_data, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, form_data)
    token = re.search(r"/collaboration/follow/([^/\s]+)/", mailoutbox[-1].body).group(1)
    req = CollaborationRequest.objects.get()
    assert len(token) >= 43
    assert token not in {req.access_token_hash, str(req.submission)}
    from partnerships.tokens import hash_token

    assert req.access_token_hash == hash_token(token)


def test_dutch_visitor_gets_a_dutch_acknowledgement(client, psynam, form_data, mailoutbox,
                                                     django_capture_on_commit_callbacks):
    client.cookies["psynet_language"] = "nl"
    with django_capture_on_commit_callbacks(execute=True):
        post(client, form_data)
    req = CollaborationRequest.objects.get()
    assert req.language == "nl"
    assert "Athénée royal du Confluent" in mailoutbox[-1].body


def test_honeypot_filled_answers_thanks_and_keeps_nothing(client, psynam, form_data, mailoutbox):
    response = post(client, {**form_data, "website": "http://spam.example"})
    assert response.status_code == 302
    assert CollaborationRequest.objects.count() == 0
    assert mailoutbox == []


def test_too_fast_a_form_is_refused_once_with_everything_kept(client, psynam, form_data, settings):
    settings.PARTNERSHIP_MIN_FILL_SECONDS = "3"
    response = post(client, {**form_data, "started": sign_started(time.time())})
    assert response.status_code == 200
    html = response.content.decode()
    assert CollaborationRequest.objects.count() == 0
    assert "Athénée royal du Confluent" in html and "anne.dupont@ecole.example" in html
    # The page carries a new start time: sent again after a human delay, it is accepted.
    new_started = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert new_started != form_data["started"]
    response = post(client, {**form_data, "started": sign_started(time.time() - 10)})
    assert response.status_code == 302 and CollaborationRequest.objects.count() == 1


@pytest.mark.parametrize("started", ["", "forged", "MA:1xWUU7:36HVxRX28Ap9Pk5DsaoM51cyMN0nsuyQM3NbWQbkJ5X"])
def test_a_missing_or_forged_start_time_is_refused_with_everything_kept(client, psynam, form_data, started):
    response = post(client, {**form_data, "started": started})
    assert response.status_code == 200
    assert CollaborationRequest.objects.count() == 0
    assert "Athénée royal du Confluent" in response.content.decode()


def test_a_form_opened_days_ago_is_refreshed_before_it_is_accepted(client, psynam, form_data):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=3)):
        stale = sign_started()
    response = post(client, {**form_data, "started": stale})
    assert response.status_code == 200 and CollaborationRequest.objects.count() == 0
    assert "long time" in response.content.decode() or "longtemps" in response.content.decode()


def test_rate_limit_gives_a_429_try_again_later_page(client, psynam, form_data, settings):
    settings.PARTNERSHIP_RATE_LIMIT = "2/600"
    for _ in range(2):
        assert post(client, form_data).status_code == 302
    response = post(client, form_data)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "later" in response.content.decode() or "tard" in response.content.decode()
    assert CollaborationRequest.objects.count() == 2


def test_rate_limit_is_per_address(client, psynam, form_data, settings):
    settings.PARTNERSHIP_RATE_LIMIT = "1/600"
    assert post(client, form_data, REMOTE_ADDR="10.0.0.1").status_code == 302
    assert post(client, form_data, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert post(client, form_data, REMOTE_ADDR="10.0.0.2").status_code == 302


@pytest.mark.parametrize(("field", "value", "message"), [
    ("contact_email", "not-an-email", "e-mail"),
    ("municipality_text", "12AB5", "postal code"),
    ("municipality_text", "99999", "four digits"),
    ("municipality_text", "Atlantis", "not known"),
    ("enterprise_number", "0123.456.789", "enterprise number"),
    ("consent", "", "privacy notice"),
    ("needs", "x" * 4001, "4000"),
])
def test_bad_input_gives_a_clear_message_and_keeps_what_was_typed(client, psynam, form_data, field, value, message):
    data = {**form_data, field: value}
    if field == "consent":
        data.pop("consent")
    response = post(client, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert CollaborationRequest.objects.count() == 0
    assert "Athénée royal du Confluent" in html
    assert "is-invalid" in html


def test_valid_enterprise_number_is_stored_compact(client, psynam, form_data):
    post(client, {**form_data, "enterprise_number": "BE 0403.170.701"})
    assert CollaborationRequest.objects.get().enterprise_number == "0403170701"


def test_html_is_kept_as_text_and_escaped(client, psynam, form_data):
    evil = '<script>alert("x")</script><b>Bold</b>'
    response = post(client, {**form_data, "organisation_name": evil, "contact_email": "bad"})
    html = response.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    post(client, {**form_data, "organisation_name": evil})
    assert CollaborationRequest.objects.get().organisation_name == evil


def test_municipality_suggestions_match_postal_codes_and_names(client, psynam):
    response = client.get(reverse("collaboration:municipality_suggestions"), {"municipality_text": "50"},
                          HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert '<option value="5000 Namur">' in html and "5002 Saint-Servais (Namur)" in html
    html = client.get(reverse("collaboration:municipality_suggestions"), {"q": "gembl"}).content.decode()
    assert "5030 Gembloux" in html
    html = client.get(reverse("collaboration:municipality_suggestions"), {"q": "luik"}).content.decode()
    assert "Luik" in html


def test_municipality_suggestions_are_rate_limited(client, psynam, settings):
    settings.PARTNERSHIP_SUGGEST_RATE_LIMIT = "3/60"
    url = reverse("collaboration:municipality_suggestions")
    for _ in range(3):
        assert client.get(url, {"q": "na"}).status_code == 200
    assert client.get(url, {"q": "na"}).status_code == 429


@pytest.mark.parametrize(("typed", "nis"), [("5002 Saint-Servais (Namur)", "92094"), ("namen", "92094"),
                                           ("ANDENNE", "92003"), ("5030", "92142"), ("Liège", "62063")])
def test_municipality_is_found_from_postal_code_or_name(client, psynam, form_data, typed, nis):
    assert post(client, {**form_data, "municipality_text": typed}).status_code == 302
    assert CollaborationRequest.objects.get().municipality.nis_code == nis


def test_privacy_notice_full_page(client, psynam):
    html = client.get(reverse("collaboration:privacy") + "?network=RSN").content.decode()
    assert "Réseau Santé Namur" in html and "24" in html


def test_form_asks_for_no_health_data(client, psynam):
    html = client.get(URL).content.decode()
    labels = " ".join(re.findall(r"<label[^>]*>(.*?)</label>", html, re.DOTALL)).lower()
    for word in (r"diagnos", r"\bpatient", r"date de naissance", r"geboortedatum", r"\bNISS\b", r"registre national"):
        assert not re.search(word, labels, re.IGNORECASE), word
    assert FORM["organisation_name"] not in html


def test_the_municipality_index_is_built_on_a_freshly_started_machine(psynam, monkeypatch):
    """The monotonic clock counts from boot: a few seconds after start it is below the index's lifetime, and the
    index must still be built on first use rather than taken as fresh and empty."""
    from partnerships import municipalities

    monkeypatch.setattr(municipalities.time, "monotonic", lambda: 5.0)
    municipalities.reset_index()
    assert municipalities.find("5000").pk == psynam["namur"].pk
    assert "5000 Namur" in municipalities.suggestions("50")
