import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_email_lands_on_home(client, coordinator_a):
    response = client.post(reverse("login"), {"username": coordinator_a.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_shows_translated_error_and_keeps_email(client, coordinator_a):
    response = client.post(reverse("login"), {"username": coordinator_a.email, "password": "nope"})
    assert response.status_code == 200
    assert "Saisissez" in response.content.decode() or "correct" in response.content.decode()
    assert coordinator_a.email in response.content.decode()


def test_repeated_failures_lock_the_account_with_a_clear_message(client, coordinator_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": coordinator_a.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": coordinator_a.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, coordinator_a):
    client.force_login(coordinator_a)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_forgotten_password_by_email(client, coordinator_a, mailoutbox):
    client.post(reverse("password_reset"), {"email": coordinator_a.email})
    assert len(mailoutbox) == 1
    link = re.search(r"http://testserver(/accounts/password/set/\S+/)", mailoutbox[0].body).group(1)
    response = client.get(link, follow=True)
    new_password = "a-new-long-passphrase-42"
    response = client.post(response.redirect_chain[-1][0],
                           {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    client.logout()
    response = client.post(reverse("login"), {"username": coordinator_a.email, "password": new_password})
    assert response.status_code == 302 and response.url == reverse("home")


def test_weak_password_is_refused(client, coordinator_a, mailoutbox):
    client.post(reverse("password_reset"), {"email": coordinator_a.email})
    link = re.search(r"http://testserver(/accounts/password/set/\S+/)", mailoutbox[0].body).group(1)
    response = client.get(link, follow=True)
    response = client.post(response.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
