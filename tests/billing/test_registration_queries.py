"""One registration's database work is bounded whatever the patient's history: the rule inputs in one round trip on
PostgreSQL (three prepared statements: the patient inserted when new, locked, then one read), then the session and
its audit entry in a second one. The fused read returns exactly what the separate reads of the group registration
return."""
import datetime as dt
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from billing import pseudonym as pseudo
from billing import services
from billing.models import CareSession, Patient
from billing.rules import RuleBook
from psynet.models import AuditEntry
from tests.factories import ConventionFactory, MunicipalityFactory, OrganisationFactory, ZoneFactory

from .conftest import TODAY
from .factories import niss_for

pytestmark = pytest.mark.django_db

# savepoint, rule inputs (one multi-statement round trip on PostgreSQL; three statements on SQLite), the session
# and audit INSERTs (one round trip on PostgreSQL; two statements on SQLite), savepoint release
MAX_QUERIES = 4 if connection.vendor == "postgresql" else 7
START = dt.date(2024, 9, 2)


def register(network, psychologist, niss, day, is_bim=False, **kw):
    return services.session_register(network=network, psychologist=psychologist, niss=niss, date=day,
                                     function="F2", setting="practice", is_bim=is_bim, today=TODAY, **kw)


def test_a_registration_takes_the_same_few_queries_whatever_the_history(
        book, adult_network, psy_a, coordinator_a, django_assert_max_num_queries):
    niss = niss_for(dt.date(1980, 5, 5))
    for week in range(3):
        register(adult_network, psy_a, niss, START + timedelta(weeks=week), is_bim=True)
    services.extension_grant(network=adult_network, niss=niss, function="F2", format_="individual",
                             valid_from=START, valid_to=START + timedelta(days=300), extra_sessions=2,
                             reason="Continuité des soins", by=coordinator_a)
    services.functional_assessment_record(network=adult_network, psychologist=psy_a, niss=niss, date=START,
                                          outcome="treatment", by=None, today=TODAY)
    RuleBook.cached()  # the book is built once per process; a registration then only compares its token
    with django_assert_max_num_queries(MAX_QUERIES):
        session = register(adult_network, psy_a, niss, START + timedelta(weeks=3), is_bim=True)
    assert session.pk and session.is_bim and not session.is_first
    assert AuditEntry.objects.filter(action="billing.session.registered", object_id=str(session.pk)).count() == 1

    with django_assert_max_num_queries(MAX_QUERIES):  # a patient seen for the first time: inserted in the batch
        first = register(adult_network, psy_a, niss_for(dt.date(1981, 6, 6)), START)
    assert first.is_first and Patient.objects.count() == 2


def test_the_fused_read_returns_what_the_separate_reads_return(book, adult_network, psy_a, coordinator_a, zone_a,
                                                               zone_a2):
    ConventionFactory(psychologist=psy_a, network=adult_network, start_on=dt.date(2019, 1, 1),
                      end_on=dt.date(2021, 8, 31), functions=["first_line"], age_groups=["adults"])
    psy_a.conventions.get(start_on=dt.date(2021, 9, 1)).zones.set([zone_a2, zone_a])
    municipality = MunicipalityFactory()
    ZoneFactory(network=adult_network, name="Zone A3").municipalities.add(municipality)
    place = OrganisationFactory(network=adult_network, municipality=municipality)
    niss = niss_for(dt.date(1975, 3, 3))
    for week in range(4):
        register(adult_network, psy_a, niss, START + timedelta(weeks=week), is_bim=week >= 2)
    services.extension_grant(network=adult_network, niss=niss, function="F2", format_="individual",
                             valid_from=START, valid_to=START + timedelta(days=300), extra_sessions=2,
                             reason="Continuité des soins", by=coordinator_a)
    services.functional_assessment_record(network=adult_network, psychologist=psy_a, niss=niss, date=START,
                                          outcome="treatment", by=None, today=TODAY)
    number = pseudo.clean_niss(niss)
    birth, precision = pseudo.birth_of(number)
    patient = Patient.objects.get()
    day = START + timedelta(weeks=2, days=1)
    for where in (None, place):
        with transaction.atomic():
            inputs = services.registration_inputs(
                pseudonym=pseudo.pseudonym(number), birth=birth, precision=precision, network=adult_network,
                psychologist=psy_a, day=day, place=where)
        first, last = services.history_bounds(day)
        assert inputs.patient == patient and inputs.patient.birth_date == patient.birth_date
        key = lambda p: p.date  # noqa: E731
        assert sorted(inputs.history, key=key) == sorted(services.history_of([patient.pk], first, last)[patient.pk],
                                                         key=key)
        assert len(inputs.history) == 4
        assert inputs.extensions == services.extensions_of([patient.pk], adult_network)[patient.pk]
        assert inputs.assessments == services.assessments_of([patient.pk], day)[patient.pk]
        assert inputs.bim is services.bim_on(patient, day) is True
        assert inputs.conventions == services.conventions_of(psy_a, adult_network)
        assert inputs.zone_id == services.zone_for(adult_network, where, psy_a).pk
    assert inputs.zone_id != zone_a.pk and services.zone_for(adult_network, None, psy_a) == zone_a


def test_a_refused_registration_writes_nothing(book, adult_network, psy_a):
    niss = niss_for(dt.date(1982, 2, 2))
    register(adult_network, psy_a, niss, START)
    with pytest.raises(services.Refusal):
        register(adult_network, psy_a, niss, START)
    with pytest.raises(services.Refusal):
        register(adult_network, psy_a, niss_for(dt.date(1983, 3, 3)), TODAY + timedelta(days=1))
    assert CareSession.objects.count() == 1 and Patient.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are used on PostgreSQL only")
def test_prepared_statements_recover_after_a_failed_batch(book, adult_network, psy_a):
    from django.db import DatabaseError

    register(adult_network, psy_a, niss_for(dt.date(1984, 4, 4)), START)
    assert services._PREPARED[connection.connection] == "ready"
    with connection.cursor() as cursor:  # as on a new connection: nothing prepared yet
        cursor.execute("DEALLOCATE ALL")
    del services._PREPARED[connection.connection]
    first, last = services.history_bounds(START)
    values = {"pseudonym": "x", "birth": START, "precision": "day", "now": timezone.now(), "first": first,
              "last": last, "day": START, "network": "not a number", "psychologist": psy_a.pk, "municipality": None}
    with pytest.raises(DatabaseError), transaction.atomic():
        services._run(services._registration_reads()["statements"], values)
    # the batch failed after its PREPAREs (which outlive the rolled-back transaction): the next one asks the server
    assert services._PREPARED[connection.connection] == "unknown"
    session = register(adult_network, psy_a, niss_for(dt.date(1985, 5, 5)), START)
    assert session.pk and services._PREPARED[connection.connection] == "ready"


def test_a_session_refused_by_the_database_constraint_leaves_no_audit_entry(book, adult_network, psy_a,
                                                                           monkeypatch):
    """A writer that bypassed the patient lock: the unique (patient, date) constraint refuses the row, the audit
    entry sent with it is not written either."""
    niss = niss_for(dt.date(1986, 6, 6))
    register(adult_network, psy_a, niss, START)
    real = services.evaluate
    monkeypatch.setattr(services, "evaluate", lambda *a, **kw: real(*a, **{**kw, "history": []}))
    with pytest.raises(services.Refusal) as exc:
        register(adult_network, psy_a, niss, START)
    assert exc.value.rule == "ONE_PER_DAY"
    assert CareSession.objects.count() == 1
    assert AuditEntry.objects.filter(action="billing.session.registered").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COMMIT travels with the INSERTs on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_outside_any_transaction_the_commit_travels_with_the_inserts(book, adult_network, psy_a):
    from psycopg import pq

    register(adult_network, psy_a, niss_for(dt.date(1983, 8, 8)), START)  # the key and the rule book loaded
    sent = []

    def spy(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    niss = niss_for(dt.date(1982, 7, 7))
    with connection.execute_wrapper(spy):
        session = register(adult_network, psy_a, niss, START)
    assert sent[-1].rstrip().endswith("COMMIT") and len(sent) == 2  # rule inputs, then the rows and COMMIT
    assert connection.connection.pgconn.transaction_status == pq.TransactionStatus.IDLE
    assert CareSession.objects.filter(pk=session.pk).exists()
    assert AuditEntry.objects.filter(action="billing.session.registered", object_id=str(session.pk)).exists()
    with pytest.raises(services.Refusal):  # the same day again: refused, nothing left half done
        register(adult_network, psy_a, niss, START)
    assert connection.connection.pgconn.transaction_status == pq.TransactionStatus.IDLE
    assert CareSession.objects.filter(patient=session.patient).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COMMIT travels with the INSERTs on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_failing_insert_skips_the_commit_and_the_block_rolls_back(book, adult_network, psy_a):
    from django.db import IntegrityError
    from psycopg import pq

    from psynet.audit import audit_entry

    session = register(adult_network, psy_a, niss_for(dt.date(1984, 9, 9)), START)
    twin = CareSession.objects.get(pk=session.pk)
    twin.pk, twin.import_key = None, "another key"  # same patient, same day: the unique constraint refuses it
    entries = AuditEntry.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        services._insert(audit_entry(session, "test.before", by=None, network=adult_network), twin, commit=True)
    assert connection.connection.pgconn.transaction_status == pq.TransactionStatus.IDLE
    assert AuditEntry.objects.count() == entries and CareSession.objects.filter(patient=session.patient).count() == 1
