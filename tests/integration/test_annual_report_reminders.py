"""Annual-report reminders through a real Celery worker on PostgreSQL and Redis: each reminder e-mail goes out
exactly once per person and step, even when the daily task runs twice, in the recipient's language."""
import datetime as dt
import email
import time
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from annual_reports.models import SentReminder, Status
from annual_reports.tasks import send_reminders_task
from psynet.models import Notification, Role
from tests.annual_reports.factories import AnnualReportFactory, ReportTemplateFactory
from tests.factories import MembershipFactory, NetworkFactory, UserFactory

from .conftest import sent_mails, wait_for

pytestmark = [pytest.mark.integration]


def _member(network, role, email_address, language):
    user = UserFactory(email=email_address, language=language)
    MembershipFactory(user=user, network=network, role=role)
    return user


def _parsed(mail_dir):
    """(recipient, subject) of every e-mail the worker wrote (filebased backend: one file per send)."""
    out = []
    for text in sent_mails(mail_dir):
        for chunk in text.split("-" * 79):
            if chunk.strip():
                message = email.message_from_string(chunk.strip())
                out.append((message["To"], str(make_header(decode_header(message["Subject"])))))
    return out


@pytest.fixture
def reminder_world(transactional_db):
    """Deadline 31/03/2025. RSN (draft): a French and a Dutch coordinator. RSK (submitted on 20/03/2025): its
    Dutch-speaking committee member is reminded, its coordinator is not."""
    template = ReportTemplateFactory()
    rsn = NetworkFactory(code="RSN", name="Réseau Santé Namur")
    rsk = NetworkFactory(code="RSK", name="Réseau Santé Kirikou")
    AnnualReportFactory(network=rsn, template=template)
    submitted_at = timezone.make_aware(dt.datetime(2025, 3, 20, 10, 0))
    AnnualReportFactory(network=rsk, template=template, status=Status.SUBMITTED, submitted_at=submitted_at)
    return {
        "fr": _member(rsn, Role.NETWORK_COORDINATOR, "aline@rsn.example", "fr"),
        "nl": _member(rsn, Role.LOCAL_COORDINATOR, "joris@rsn.example", "nl"),
        "committee_nl": _member(rsk, Role.COMMITTEE_MEMBER, "an@rsk.example", "nl"),
        "rsk_coordinator": _member(rsk, Role.NETWORK_COORDINATOR, "marc@rsk.example", "fr"),
    }


def _run_twice(today):
    """Queue the daily task twice for the same day, as a duplicated beat or a retry would."""
    results = [send_reminders_task.delay(today=today) for _ in range(2)]
    return sorted(r.get(timeout=60) for r in results)


def _settle(mail_dir, expected, timeout=30):
    wait_for(lambda: len(_parsed(mail_dir)) >= expected, timeout=timeout)
    time.sleep(1.5)  # leave any duplicate time to arrive
    return _parsed(mail_dir)


def test_each_reminder_is_mailed_once_per_person_and_step_in_their_language(celery_worker_process,
                                                                            reminder_world):
    mail_dir = celery_worker_process["mail_dir"]
    people = reminder_world

    # 24/03: 7 days left for RSN's coordinators; RSK's report waits for its committee since 4 days
    assert _run_twice("2025-03-24") == [0, 3]
    mails = _settle(mail_dir, 3)
    assert sorted(to for to, _subject in mails) == ["aline@rsn.example", "an@rsk.example", "joris@rsn.example"]
    subjects = dict(mails)
    assert subjects["aline@rsn.example"] == "Rapport annuel 2024 : plus que 7 jours avant la date limite"
    assert subjects["joris@rsn.example"] == "Jaarverslag 2024: nog 7 dagen tot de uiterste datum"
    assert subjects["an@rsk.example"] == "Jaarverslag 2024 van RSK wacht op goedkeuring door het netwerkcomité"

    # 25/03: same steps (before-7; committee first reminder) -> nothing new, even run twice
    assert _run_twice("2025-03-25") == [0, 0]
    # 27/03: the committee has waited 7 days -> its second reminder; coordinators still in step before-7
    assert _run_twice("2025-03-27") == [0, 1]
    # 30/03: one day left -> the coordinators' last reminder before the deadline
    assert _run_twice("2025-03-30") == [0, 2]
    mails = _settle(mail_dir, 6)
    assert len(mails) == 6, mails
    by_person = {}
    for to, subject in mails:
        by_person.setdefault(to, []).append(subject)
    assert sorted(by_person["aline@rsn.example"]) == [
        "Rapport annuel 2024 : plus que 1 jour avant la date limite",
        "Rapport annuel 2024 : plus que 7 jours avant la date limite"]
    assert sorted(by_person["joris@rsn.example"]) == sorted([
        "Jaarverslag 2024: nog 7 dagen tot de uiterste datum", "Jaarverslag 2024: nog 1 dag tot de uiterste datum"])
    assert by_person["an@rsk.example"] == [
        "Jaarverslag 2024 van RSK wacht op goedkeuring door het netwerkcomité"] * 2
    assert people["rsk_coordinator"].email not in by_person

    steps = sorted(SentReminder.objects.values_list("recipient__email", "step"))
    assert len(steps) == len(set(steps)) == 6
    assert sorted(s for e, s in steps if e == "aline@rsn.example") == ["before-1", "before-7"]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
