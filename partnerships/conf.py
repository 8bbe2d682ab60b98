"""Settings of the partnerships app, each read from the Django settings if defined there, else from the
environment (listed in .env.example), else the default. Read at call time so tests can override them."""
import os

from django.conf import settings

DEFAULTS = {
    # "<count>/<seconds>" per client address. The bench relaxes PARTNERSHIP_RATE_LIMIT.
    "PARTNERSHIP_RATE_LIMIT": "10/600",  # public form submissions
    "PARTNERSHIP_SUGGEST_RATE_LIMIT": "120/60",  # municipality suggestions
    "PARTNERSHIP_FOLLOW_RATE_LIMIT": "60/600",  # messages, files and signing codes on private pages
    "PARTNERSHIP_MIN_FILL_SECONDS": "3",  # a person needs more than this to fill the form
    "PARTNERSHIP_FORM_MAX_AGE_HOURS": "48",  # a form opened longer ago is refreshed before it is accepted
    "PARTNERSHIP_CLIENT_IP_HEADER": "REMOTE_ADDR",  # e.g. HTTP_X_REAL_IP behind a reverse proxy
}


def get(name):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, DEFAULTS[name])
    return value


def rate(name):
    """(count, seconds) from "<count>/<seconds>"."""
    count, _, seconds = str(get(name)).partition("/")
    return int(count), int(seconds or 60)


def min_fill_seconds():
    return float(get("PARTNERSHIP_MIN_FILL_SECONDS"))


def form_max_age_seconds():
    return int(float(get("PARTNERSHIP_FORM_MAX_AGE_HOURS")) * 3600)
