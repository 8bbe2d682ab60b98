import pytest
from django.urls import reverse

from psynet.models import Notification
from psynet.services import notify
from psynet.tasks import send_notification_task
from tests.factories import UserFactory

from .conftest import sent_mails, wait_for

pytestmark = [pytest.mark.integration]


def test_health_sees_redis_and_the_worker(client, celery_worker_process):
    data = client.get(reverse("health")).json()
    assert data["database"] == {"status": "ok", "engine": "postgresql"}
    assert data["cache_broker"]["status"] == "ok"
    assert data["celery"]["workers"] >= 1 and data["status"] == "ok"


def test_a_notification_is_mailed_once_by_the_worker_even_when_queued_twice(celery_worker_process):
    user = UserFactory(email="nina@test.example", language="nl")
    notification = notify(recipient=user, key="test.step.1", template="psynet/email/test_notification",
                          context={"name": "Nina"})
    assert notify(recipient=user, key="test.step.1", template="psynet/email/test_notification",
                  context={"name": "Nina"}) is None
    send_notification_task.delay(notification_id=notification.pk)  # a second delivery of the same step
    wait_for(lambda: Notification.objects.get(pk=notification.pk).emailed_at)
    mails = wait_for(lambda: sent_mails(celery_worker_process["mail_dir"]))
    import time

    time.sleep(1.5)  # leave the duplicate time to arrive
    mails = sent_mails(celery_worker_process["mail_dir"])
    assert len(mails) == 1 and "nina@test.example" in mails[0]
