"""A real Celery worker on PostgreSQL and Redis sends the partner's acknowledgement exactly once, with the private
link that opens the follow-up page, and the local coordinator's notification."""
import re
import time

import pytest
from django.db import transaction

from partnerships import services
from partnerships.models import CollaborationRequest
from partnerships.tasks import send_acknowledgement_task
from tests.partnerships.conftest import FORM, _fresh_partnership_state, psynam  # noqa: F401 (fixtures)

from .conftest import sent_mails, wait_for

pytestmark = [pytest.mark.integration]


def test_acknowledgement_sent_once_by_the_worker(client, celery_worker_process, psynam):  # noqa: F811
    data = {**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": psynam["gembloux"],
            "age_groups": ["24_64"]}
    with transaction.atomic():
        submission = services.partnership_request_submit(data=data, language="fr")
    req = submission.requests[0]
    wait_for(lambda: CollaborationRequest.objects.get(pk=req.pk).acknowledged_at)
    send_acknowledgement_task.delay(request_ids=[req.pk], to=[FORM["contact_email"]], subject="again", body="again")
    time.sleep(1.5)  # leave the duplicate time to arrive
    mails = wait_for(lambda: sent_mails(celery_worker_process["mail_dir"]))
    acknowledgements = [m for m in mails if FORM["contact_email"] in m]
    assert len(acknowledgements) == 1
    path = re.search(r"https?://[^/\s]+(/collaboration/follow/[^/\s]+/)", acknowledgements[0]).group(1)
    assert client.get(path).status_code == 200
    assert any("local@rsn.example" in m for m in mails)
