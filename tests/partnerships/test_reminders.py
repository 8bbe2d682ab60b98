"""Reminders: the assigned coordinator 2 working days before the limit, the network coordinator once it is
overdue; each exactly once, whatever the number of runs (SentReminder unique constraint + notify keys)."""
import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from partnerships import services
from partnerships.models import SentReminder
from psynet.models import Notification

from .conftest import FORM


def submit_on(psynam, day, municipality="gembloux"):
    data = {**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": psynam[municipality],
            "age_groups": ["24_64"]}
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return services.partnership_request_submit(data=data, language="fr", now=when).requests[0]


def reminders(user):
    return list(Notification.objects.filter(recipient=user, key__startswith="partnerships:reminder:")
                .values_list("key", flat=True))


def test_due_date_from_good_friday(psynam):
    req = submit_on(psynam, dt.date(2025, 4, 18))
    assert req.due_on == dt.date(2025, 5, 6)


def test_assigned_coordinator_reminded_two_working_days_before_then_network_coordinator_when_overdue(psynam):
    req = submit_on(psynam, dt.date(2025, 4, 18))  # due 6 May 2025
    lc, nc = psynam["rsn_lc_west"], psynam["rsn_nc"]
    services.partnership_request_assign(partnership_request=req, coordinator=lc, by=nc)
    assert services.request_reminders_send(today=dt.date(2025, 4, 30)) == []  # too early
    sent = services.request_reminders_send(today=dt.date(2025, 5, 2))  # 2 working days before (Mon 5 is one)
    assert sent == [(lc.email, f"request:{req.pk}:due_soon")]
    for day in (dt.date(2025, 5, 2), dt.date(2025, 5, 5), dt.date(2025, 5, 6)):
        assert services.request_reminders_send(today=day) == []  # exactly once
    assert reminders(lc) == [f"partnerships:reminder:request:{req.pk}:due_soon"]
    assert reminders(nc) == []
    sent = services.request_reminders_send(today=dt.date(2025, 5, 7))
    assert sent == [(nc.email, f"request:{req.pk}:overdue")]
    assert services.request_reminders_send(today=dt.date(2025, 5, 8)) == []
    assert reminders(nc) == [f"partnerships:reminder:request:{req.pk}:overdue"]
    assert SentReminder.objects.count() == 2


def test_unassigned_request_reminds_the_zone_local_coordinators(psynam):
    req = submit_on(psynam, dt.date(2025, 4, 18), municipality="namur")
    sent = services.request_reminders_send(today=dt.date(2025, 5, 2))
    assert sorted(e for e, _s in sent) == ["local-east@rsn.example", "local@rsn.example"]
    assert all(s == f"request:{req.pk}:due_soon" for _e, s in sent)


def test_contacted_request_is_not_reminded(psynam):
    req = submit_on(psynam, dt.date(2025, 4, 18))
    with time_machine.travel(dt.datetime(2025, 4, 22, 10, tzinfo=dt.UTC)):
        services.partnership_request_record_contact(partnership_request=req, contact_on=dt.date(2025, 4, 22),
                                                    channel="phone", summary="ok", by=psynam["rsn_lc_west"])
    assert services.request_reminders_send(today=dt.date(2025, 5, 2)) == []
    assert services.request_reminders_send(today=dt.date(2025, 5, 20)) == []


def test_triage_request_overdue_goes_to_every_triage_network_coordinator(psynam):
    req = submit_on(psynam, dt.date(2025, 4, 18), municipality="liege")
    sent = services.request_reminders_send(today=dt.date(2025, 5, 7))
    assert sorted(e for e, s in sent if s.endswith("overdue")) == ["coordinator@rsk.example",
                                                                    "coordinator@rsn.example"]
    assert req.pk


def test_management_command_and_celery_task_send_the_same_once(psynam, capsys):
    submit_on(psynam, dt.date(2025, 4, 18))
    call_command("partnership_reminders", "--today", "2025-05-07")
    out = capsys.readouterr().out
    assert "overdue" in out and "1 reminder" in out
    call_command("partnership_reminders", "--today", "2025-05-07")
    assert "0 reminder" in capsys.readouterr().out
    from partnerships.tasks import daily_task

    with time_machine.travel(dt.datetime(2025, 5, 7, 7, tzinfo=dt.UTC)):
        assert daily_task.delay().get()["reminders"] == 0


def test_the_daily_task_is_in_the_beat_schedule():
    from psynet.celery import app

    entry = app.conf.beat_schedule["partnerships-daily"]
    assert entry["task"] == "partnerships.tasks.daily_task"


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_reminder_once(psynam):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (SQLite serialises writers)")
    submit_on(psynam, dt.date(2025, 4, 18))

    def run():
        try:
            return services.request_reminders_send(today=dt.date(2025, 5, 7))
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: run(), range(4)))
    assert sum(len(r) for r in results) == 1
