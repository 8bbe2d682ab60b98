"""Two registrations of the last allowed session at the same moment: only one passes (PostgreSQL row lock)."""
import datetime as dt
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction

from billing import services
from billing.models import Band, CareSession
from billing.rules import Refusal

from .conftest import TODAY
from .factories import niss_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_only_one_of_two_concurrent_last_sessions_passes(book, adult_network, psy_a):
    start = dt.date(2024, 9, 2)
    rule = book.quota_rule("2024", Band.ADULT, "F2", "individual", start)
    niss = niss_for(dt.date(1980, 1, 1))
    for i in range(rule.max_sessions - 1):
        services.session_register(network=adult_network, psychologist=psy_a, niss=niss,
                                  date=start + timedelta(days=7 * i), function="F2", setting="practice",
                                  is_bim=False, today=TODAY)
    barrier = threading.Barrier(2)
    results = []

    def attempt(offset):
        try:
            barrier.wait()
            services.session_register(network=adult_network, psychologist=psy_a, niss=niss,
                                      date=dt.date(2025, 3, 3) + timedelta(days=offset), function="F2",
                                      setting="practice", is_bim=False, today=TODAY)
            results.append("ok")
        except Refusal as exc:
            results.append(exc.rule)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(["ok", rule.code])
    assert CareSession.objects.count() == rule.max_sessions


def test_a_registration_waiting_for_the_patient_lock_counts_the_session_committed_meanwhile(book, adult_network,
                                                                                          psy_a):
    """The rule inputs are read in one round trip, but after the row lock: a registration that waited for the lock
    sees the last allowed session the other transaction committed, and is refused."""
    start = dt.date(2024, 9, 2)
    rule = book.quota_rule("2024", Band.ADULT, "F2", "individual", start)
    niss = niss_for(dt.date(1979, 2, 2))
    for i in range(rule.max_sessions - 1):
        services.session_register(network=adult_network, psychologist=psy_a, niss=niss,
                                  date=start + timedelta(days=7 * i), function="F2", setting="practice",
                                  is_bim=False, today=TODAY)
    results = []

    def second():
        try:
            services.session_register(network=adult_network, psychologist=psy_a, niss=niss, date=dt.date(2025, 3, 4),
                                      function="F2", setting="practice", is_bim=False, today=TODAY)
            results.append("ok")
        except Refusal as exc:
            results.append(exc.rule)
        finally:
            connections.close_all()

    with transaction.atomic():
        services.session_register(network=adult_network, psychologist=psy_a, niss=niss, date=dt.date(2025, 3, 3),
                                  function="F2", setting="practice", is_bim=False, today=TODAY)
        thread = threading.Thread(target=second)
        thread.start()
        with connection.cursor() as cursor:  # wait until the second registration waits for the patient row
            for _ in range(200):
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is otherwise frozen per transaction
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.02)
            else:
                pytest.fail("the second registration never waited for the patient lock")
    thread.join()
    assert results == [rule.code]
    assert CareSession.objects.count() == rule.max_sessions
