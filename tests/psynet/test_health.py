import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_reports_each_part(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    data = client.get(reverse("health")).json()
    assert data["database"]["status"] == "ok"
    assert data["cache_broker"]["status"] == "not_configured"
    assert data["celery"]["status"] == "eager"
    assert data["status"] == "ok"


def test_unreachable_broker_is_reported_not_a_crash(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["cache_broker"]["status"] == "error"
    assert response.json()["celery"]["status"] == "error"
