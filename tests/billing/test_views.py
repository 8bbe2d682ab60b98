import datetime as dt
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import services
from billing.models import CareSession, ImportBatch, Statement
from psynet.models import AuditEntry

from .factories import niss_for

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 1, 6)


@pytest.fixture
def psy(psy_a):
    return psy_a


def _post_session(client, **overrides):
    data = {"national_number": niss_for(dt.date(1980, 1, 1), counter=7), "date": DAY.isoformat(),
            "function": "F2", "setting": "practice"}
    data.update(overrides)
    return client.post(reverse("billing:session_create"), data)


def test_anonymous_is_sent_to_login(client, book):
    assert client.get(reverse("billing:session_create")).status_code == 302


def test_committee_member_cannot_register(client, book, committee_a):
    client.force_login(committee_a)
    assert _post_session(client).status_code == 403
    assert not CareSession.objects.exists()


def test_psychologist_registers_own_session_with_audit(client, book, psychologist_user_a, psy):
    client.force_login(psychologist_user_a)
    response = _post_session(client)
    assert response.status_code == 302
    session = CareSession.objects.get()
    assert session.psychologist == psy and session.registered_by == psychologist_user_a
    assert AuditEntry.objects.filter(action="billing.session.registered").exists()
    entry = AuditEntry.objects.get(action="billing.session.registered")
    assert niss_for(dt.date(1980, 1, 1), counter=7) not in str(entry.after)


def test_refusal_shown_in_form_and_input_kept(client, book, psychologist_user_a, psy):
    client.force_login(psychologist_user_a)
    _post_session(client)
    response = _post_session(client, function="F3")
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-testid="refusal"' in body and "ONE_PER_DAY" in body
    assert niss_for(dt.date(1980, 1, 1), counter=7) in body  # everything typed is kept
    assert CareSession.objects.count() == 1


def test_bad_niss_and_future_date_are_field_errors(client, book, psychologist_user_a, psy):
    client.force_login(psychologist_user_a)
    response = _post_session(client, national_number="12345678901")
    assert response.status_code == 422 and "NISS" in response.content.decode()
    response = _post_session(client, date=(dt.date.today() + timedelta(days=3)).isoformat())
    assert response.status_code == 422 and "FUTURE_DATE" in response.content.decode()
    response = _post_session(client, date="31/02/2025")
    assert response.status_code == 200 and not CareSession.objects.exists()


def test_coordinator_registers_for_a_psychologist_of_the_network(client, book, coordinator_a, psy, place_a):
    client.force_login(coordinator_a)
    response = _post_session(client, psychologist=psy.pk, setting="outreach")
    assert response.status_code == 200  # the place is missing: field error
    response = _post_session(client, psychologist=psy.pk, setting="outreach", place=place_a.pk)
    assert response.status_code == 302
    assert CareSession.objects.get().place == place_a


def test_group_page_refuses_a_16th_participant(client, book, coordinator_a, psy):
    client.force_login(coordinator_a)
    high = book.int_parameter("GROUP_MAX_PARTICIPANTS", DAY)
    lines = "\n".join(niss_for(dt.date(1960 + i, 1, 1), counter=3) for i in range(high + 1))
    data = {"psychologist": psy.pk, "co_facilitator": "Educator", "date": DAY.isoformat(), "function": "F2",
            "setting": "practice", "fee_code": "GRP_A", "participants": lines,
            "duration_minutes": book.int_parameter("GROUP_DURATION_MINUTES", DAY)}
    response = client.post(reverse("billing:group_create"), data)
    assert response.status_code == 422 and "GROUP_SIZE" in response.content.decode()
    assert not CareSession.objects.exists()
    data["participants"] = "\n".join(lines.splitlines()[:high])
    assert client.post(reverse("billing:group_create"), data).status_code == 302
    assert CareSession.objects.count() == high


def test_session_list_query_count_constant(client, book, coordinator_a, psy):
    def fill(n):
        for i in range(n):
            services.session_register(network=psy.conventions.get().network, psychologist=psy,
                                      niss=niss_for(dt.date(1950, 1, 1) + timedelta(days=40 * i + 40 * n), counter=11),
                                      date=DAY, function="F2", setting="practice", is_bim=False)

    client.force_login(coordinator_a)
    fill(3)
    client.get(reverse("billing:session_list"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("billing:session_list")).status_code == 200
    fill(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("billing:session_list")).status_code == 200
    assert len(few) == len(many)


def test_psychologist_sees_only_own_sessions(client, book, network_a, psy, psychologist_user_a):
    from tests.factories import ConventionFactory

    other = ConventionFactory(network=network_a, start_on=dt.date(2021, 9, 1)).psychologist
    services.session_register(network=network_a, psychologist=other, niss=niss_for(dt.date(1970, 1, 1)), date=DAY,
                              function="F2", setting="practice", is_bim=False)
    client.force_login(psychologist_user_a)
    assert "P-" not in client.get(reverse("billing:session_list")).content.decode().split("session-table")[1]


def test_statement_pdf_csv_same_figures_then_changed(client, book, network_a, psy, psychologist_user_a,
                                                     coordinator_b):
    services.session_register(network=network_a, psychologist=psy, niss=niss_for(dt.date(1970, 1, 1)), date=DAY,
                              function="F2", setting="practice", is_bim=False)
    client.force_login(psychologist_user_a)
    response = client.post(reverse("billing:statement_generate"), {"month": "2025-01"})
    statement = Statement.objects.get()
    assert response.status_code == 302 and statement.version == 1
    pdf = client.get(reverse("billing:statement_download", args=[statement.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    csv_text = b"".join(client.get(reverse("billing:statement_download", args=[statement.pk, "csv"]))
                        .streaming_content).decode()
    assert statement.totals["due"] in csv_text
    client.post(reverse("billing:statement_generate"), {"month": "2025-01"})
    statement.refresh_from_db()
    assert statement.version == 1  # same inputs: same figures, same files
    assert "statement-current" in client.get(statement.get_absolute_url()).content.decode()
    services.session_register(network=network_a, psychologist=psy, niss=niss_for(dt.date(1971, 1, 1)),
                              date=DAY + timedelta(days=1), function="F2", setting="practice", is_bim=False)
    assert "statement-changed" in client.get(statement.get_absolute_url()).content.decode()
    client.post(reverse("billing:statement_generate"), {"month": "2025-01"})
    statement.refresh_from_db()
    assert statement.version == 2
    assert AuditEntry.objects.filter(action="billing.statement.generated").count() == 2
    client.force_login(coordinator_b)
    assert client.get(reverse("billing:statement_download", args=[statement.pk, "pdf"])).status_code == 404


def test_other_psychologist_cannot_download_statement(client, book, network_a, psy):
    from psynet.models import Role
    from tests.factories import ConventionFactory, MembershipFactory, UserFactory

    user = UserFactory()
    MembershipFactory(user=user, network=network_a, role=Role.PSYCHOLOGIST)
    ConventionFactory(network=network_a, psychologist__user=user)
    statement, _changed = __import__("billing.statements", fromlist=["x"]).statement_generate(
        network=network_a, psychologist=psy, month=DAY)
    client.force_login(user)
    assert client.get(reverse("billing:statement_download", args=[statement.pk, "pdf"])).status_code == 404


def test_rules_page_shows_assumed(client, book, admin_a):
    client.force_login(admin_a)
    body = client.get(reverse("billing:rule_list")).content.decode()
    assert 'data-testid="assumed"' in body


def test_dashboard_and_exports(client, book, network_a, psy, coordinator_a):
    services.session_register(network=network_a, psychologist=psy, niss=niss_for(dt.date(1970, 1, 1)),
                              date=dt.date.today() - timedelta(days=3), function="F2", setting="practice",
                              is_bim=False)
    client.force_login(coordinator_a)
    body = client.get(reverse("billing:index")).content.decode()
    assert "<svg" in body and "<caption>" in body
    assert client.get(reverse("billing:dashboard_export_csv")).status_code == 200
    xlsx = client.get(reverse("billing:dashboard_export_xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


# ---- import -----------------------------------------------------------------------------------------------

HEADER = "national_number,session_date,psychologist_inami,function,format,setting,bim,group_ref,fee_variant\n"


def _csv(psy, rows):
    return (HEADER + "".join(f"{n},{d},{psy.inami_number},{f},individual,practice,{b},,\n" for n, d, f, b in rows)
            ).encode()


def test_import_page_refuses_malformed_file_whole(client, book, admin_a, psy):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_a)
    for data in (b"a,b,c\n1,2,3\n", "é".encode("latin-1") + _csv(psy, [])[1:], HEADER.encode() + b"1,2\n"):
        response = client.post(reverse("billing:import_create"), {"file": SimpleUploadedFile("f.csv", data)})
        assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not ImportBatch.objects.exists() and not CareSession.objects.exists()


def test_import_page_applies_and_reports(client, book, admin_a, psy, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_a)
    data = _csv(psy, [(niss_for(dt.date(1970, 1, 1), counter=5), "2025-01-06", "F2", "no"),
                      ("12345678901", "2025-01-07", "F2", "no")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:import_create"), {"file": SimpleUploadedFile("f.csv", data)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == "done"
    assert batch.counts == {"accepted": 1, "refused": 1}
    report = b"".join(client.get(reverse("billing:import_report", args=[batch.pk])).streaming_content).decode()
    assert report.splitlines()[0] == "row,status,rule,copay_eur,fee_eur,message"
    assert "refused,NISS" in report
    assert 'data-testid="import-done"' in client.get(reverse("billing:import_progress", args=[batch.pk])
                                                     ).content.decode()


def test_import_command_dry_run_reimport_and_malformed(tmp_path, book, network_a, psy):
    rows = [(niss_for(dt.date(1970, 1, 1), counter=5), f"2025-01-{6 + i:02d}", "F2", "no") for i in range(3)]
    rows.append((niss_for(dt.date(1970, 1, 1), counter=5), "2025-01-06", "F3", "no"))  # same day
    path = tmp_path / "in.csv"
    path.write_bytes(_csv(psy, rows))
    report = tmp_path / "report.csv"
    call_command("import_sessions", str(path), "--network", network_a.code, "--dry-run", "--report", str(report))
    assert not CareSession.objects.exists()
    call_command("import_sessions", str(path), "--network", network_a.code, "--report", str(report))
    assert CareSession.objects.count() == 3
    assert report.read_text().count(",duplicate,") == 1  # same patient, date and psychologist: one import key
    call_command("import_sessions", str(path), "--network", network_a.code, "--report", str(report))
    assert CareSession.objects.count() == 3
    assert report.read_text().count(",duplicate,") == 4
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe" + b"x" * 10)
    with pytest.raises(Exception):
        call_command("import_sessions", str(bad), "--network", network_a.code, "--report", str(report))
    assert CareSession.objects.count() == 3


def test_import_uses_the_same_rules_as_registration(book, network_a, psy):
    """Row by row, the importer refuses exactly what session_register refuses (quota edge)."""
    from billing.importer import run_import
    from billing.models import Band

    rule = book.quota_rule("2024", Band.ADULT, "F2", "individual", DAY)
    niss = niss_for(dt.date(1970, 1, 1), counter=5)
    rows = [(niss, (DAY + timedelta(days=7 * i)).isoformat(), "F2", "no") for i in range(rule.max_sessions + 1)]
    report, counts = run_import(network=network_a, data=_csv(psy, rows))
    assert counts == {"accepted": rule.max_sessions, "refused": 1}
    assert report[-1][2] == rule.code


def test_group_rows_import(book, network_a, psy):
    from billing.importer import run_import

    n = book.int_parameter("GROUP_MIN_PARTICIPANTS", DAY)
    data = HEADER + "".join(
        f"{niss_for(dt.date(1960 + i, 1, 1), counter=9)},2025-01-06,{psy.inami_number},F2,group,practice,no,G1,326\n"
        for i in range(n))
    report, counts = run_import(network=network_a, data=data.encode())
    assert counts == {"accepted": n}
    report, counts = run_import(network=network_a, data=data.encode())
    assert counts == {"duplicate": n}


def test_rotate_pseudonym_key_rehashes_with_chain(book, network_a, psy, settings):
    from billing import pseudonym
    from billing.models import Patient

    niss = niss_for(dt.date(1970, 1, 1), counter=5)
    services.session_register(network=network_a, psychologist=psy, niss=niss, date=DAY, function="F2",
                              setting="practice", is_bim=False)
    old_value = Patient.objects.get().pseudonym
    call_command("rotate_pseudonym_key", "--old", settings.PSEUDONYM_KEY, "--new", "new-key-2")
    assert Patient.objects.get().pseudonym != old_value
    settings.PSEUDONYM_PREVIOUS_KEYS = [settings.PSEUDONYM_KEY]
    settings.PSEUDONYM_KEY = "new-key-2"
    pseudonym._checked.clear()
    assert services.patient_for_niss(niss, create=False) == Patient.objects.get()


def test_huge_file_refused_whole(client, book, admin_a, psy, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.BILLING_IMPORT_MAX_MB = 0
    client.force_login(admin_a)
    data = _csv(psy, [(niss_for(dt.date(1970, 1, 1), counter=5), "2025-01-06", "F2", "no")])
    response = client.post(reverse("billing:import_create"), {"file": SimpleUploadedFile("f.csv", data)})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not ImportBatch.objects.exists() and not CareSession.objects.exists()


def test_coordinator_grants_extension_in_the_page(client, book, coordinator_a, admin_a):
    url = reverse("billing:extension_create")
    data = {"national_number": niss_for(dt.date(1970, 1, 1), counter=5), "function": "F2", "format": "individual",
            "valid_from": "2025-01-01", "valid_to": "2025-06-30", "extra_sessions": 2, "reason": "Crisis"}
    client.force_login(admin_a)
    assert client.post(url, data).status_code == 403
    client.force_login(coordinator_a)
    assert client.post(url, {**data, "valid_to": "2024-01-01"}).status_code == 200
    assert client.post(url, data).status_code == 302
    assert AuditEntry.objects.filter(action="billing.extension.granted").count() == 1


def test_home_panel_links_to_billing(client, book, psychologist_user_a, psy):
    client.force_login(psychologist_user_a)
    assert reverse("billing:session_create") in client.get(reverse("home")).content.decode()


# ---- the eating-disorder care path ------------------------------------------------------------------------


def test_sessions_and_groups_marked_within_the_eating_disorder_care_path(client, book, coordinator_a, psy):
    client.force_login(coordinator_a)
    assert _post_session(client, psychologist=psy.pk, eating_disorder_path="on").status_code == 302
    assert CareSession.objects.get().eating_disorder_path is True
    n = book.int_parameter("GROUP_MIN_PARTICIPANTS", DAY)
    data = {"psychologist": psy.pk, "co_facilitator": "Diététicienne", "date": (DAY + timedelta(days=1)).isoformat(),
            "function": "F2", "setting": "practice", "fee_code": "GRP_A", "eating_disorder_path": "on",
            "participants": "\n".join(niss_for(dt.date(1960 + i, 1, 1), counter=4) for i in range(n)),
            "duration_minutes": book.int_parameter("GROUP_DURATION_MINUTES", DAY)}
    assert client.post(reverse("billing:group_create"), data).status_code == 302
    from billing.models import GroupSession

    group = GroupSession.objects.get()
    assert group.eating_disorder_path and group.participants.filter(eating_disorder_path=True).count() == n
    assert _post_session(client, psychologist=psy.pk, date=(DAY + timedelta(days=2)).isoformat()).status_code == 302
    assert CareSession.objects.filter(eating_disorder_path=False).count() == 1  # not ticked: outside the path


def test_import_reads_the_optional_care_path_column(book, network_a, psy):
    from billing.importer import ImportRefused, run_import

    header = HEADER.rstrip("\n") + ",eating_disorder_path\n"
    rows = "".join(f"{niss_for(dt.date(1970, 1, 1), counter=c)},2025-01-06,{psy.inami_number},F2,individual,"
                   f"practice,no,,,{flag}\n" for c, flag in ((5, "yes"), (6, "no"), (8, "")))
    report, counts = run_import(network=network_a, data=(header + rows).encode())
    assert counts == {"accepted": 3}
    assert sorted(CareSession.objects.values_list("eating_disorder_path", flat=True)) == [False, False, True]
    bad = header + f"{niss_for(dt.date(1971, 1, 1), counter=5)},2025-01-06,{psy.inami_number},F2,individual," \
                   f"practice,no,,,maybe\n"
    report, counts = run_import(network=network_a, data=bad.encode())
    assert counts == {"refused": 1} and "eating_disorder_path" in str(report)
    with pytest.raises(ImportRefused):  # a line with the old number of columns under the new header
        run_import(network=network_a, data=(header + f"x,2025-01-06,{psy.inami_number},F2,individual,practice,no,,\n"
                                            ).encode())
