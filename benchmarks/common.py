"""Shared by the benchmark scripts: Django setup and a session cookie for a user, without the login form."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psynet.settings")

import django  # noqa: E402

django.setup()


def session_cookie(email, network=None):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from psynet.middleware import SESSION_KEY as NETWORK_KEY
    from psynet.models import User

    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if network is not None:
        session[NETWORK_KEY] = network.pk
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def scale_coordinator():
    """The network coordinator of the first generated network: national-scale pages as they would see them."""
    from psynet.models import Membership, Role

    m = Membership.objects.filter(network__code="SCALEA01", role=Role.NETWORK_COORDINATOR).select_related(
        "user", "network").first()
    return m.user.email, m.network
