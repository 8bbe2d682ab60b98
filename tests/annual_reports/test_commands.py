import datetime as dt
import subprocess

import pytest
import yaml
from django.core.management import CommandError, call_command

from annual_reports import pdf, services
from annual_reports.models import ReportTemplate, SentReminder, Status
from psynet.models import Language, Notification

from .factories import TEMPLATE_FILE, AnnualReportFactory, AnswerFactory, definition_2024


def _load(path):
    call_command("load_report_template", str(path))


def test_loader_is_idempotent(db, capsys):
    _load(TEMPLATE_FILE)
    _load(TEMPLATE_FILE)
    assert ReportTemplate.objects.filter(year=2024).count() == 1
    template = ReportTemplate.objects.get(year=2024)
    assert template.deadline == dt.date(2025, 3, 31)
    assert template.recipients == ["psysoc@health.fgov.be", "psy@riziv-inami.fgov.be"]
    structure = template.structure
    assert [c.code for c in structure.chapters][:2] == ["governance", "network_missions"]
    assert "governance_ll_success_factors" in structure.questions
    assert structure.questions["communication_a"].kind == "table"
    assert "unchanged" in capsys.readouterr().out


def test_loader_updates_template_used_only_by_drafts(db, tmp_path, network_a):
    _load(TEMPLATE_FILE)
    AnnualReportFactory(network=network_a, template=ReportTemplate.objects.get(), status=Status.DRAFT)
    definition = definition_2024()
    definition["chapters"][0]["title"]["fr"] = "GOUVERNANCE (révisé)"
    path = tmp_path / "2024.yaml"
    path.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    _load(path)
    assert ReportTemplate.objects.filter(year=2024).count() == 1
    assert ReportTemplate.objects.get().definition["chapters"][0]["title"]["fr"] == "GOUVERNANCE (révisé)"


def test_loader_creates_new_version_when_submitted_reports_use_it(db, tmp_path, network_a):
    _load(TEMPLATE_FILE)
    v1 = ReportTemplate.objects.get()
    report = AnnualReportFactory(network=network_a, template=v1, status=Status.SUBMITTED)
    definition = definition_2024()
    definition["chapters"][0]["title"]["fr"] = "GOUVERNANCE (révisé)"
    path = tmp_path / "2024.yaml"
    path.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    _load(path)
    _load(path)
    assert list(ReportTemplate.objects.filter(year=2024).order_by("version").values_list("version", flat=True)) == [1, 2]
    v1.refresh_from_db()
    assert v1.definition["chapters"][0]["title"]["fr"] == "GOUVERNANCE – CHANGE MANAGEMENT"
    report.refresh_from_db()
    assert report.template_id == v1.pk


def test_loader_refuses_missing_language(db, tmp_path):
    definition = definition_2024()
    del definition["chapters"][1]["sections"][0]["questions"][0]["text"]["nl"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="missing nl text"):
        _load(path)
    assert not ReportTemplate.objects.exists()


def _pdf_text(data, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def _squash(text):
    return " ".join(text.split())


def test_pdf_contains_every_question_of_a_chapter_and_escapes_html(report_a, tmp_path):
    AnswerFactory(report=report_a, question_code="governance_a", value="<b>gras</b> & <script>x()</script>")
    AnswerFactory(report=report_a, question_code="communication_a",
                  value=[{"communication": "Site web", "target_group": "MG", "method": "Internet", "goal": "Informer"}])
    AnswerFactory(report=report_a, question_code="target_detainees_a", value=None, not_applicable=True)
    text = _squash(_pdf_text(pdf.render(report_a, "fr"), tmp_path))
    structure = report_a.template.structure
    for q in structure.chapter("governance").questions:
        first_line = _squash(q.text["fr"].splitlines()[0])
        assert first_line[:60] in text, q.code
    assert "<b>gras</b> & <script>x()</script>" in text
    assert "Site web" in text and "Internet" in text
    assert report_a.network.name in text
    assert "/ " in text  # page X / Y


def test_pdf_in_dutch(report_a, tmp_path):
    text = _squash(_pdf_text(pdf.render(report_a, "nl"), tmp_path))
    assert "Governance in het kader van de overeenkomst" in text


def test_report_pdf_command(report_a, tmp_path):
    out = tmp_path / "out.pdf"
    call_command("report_pdf", "--network", report_a.network.code, "--year", "2024", "--language", "nl",
                 "--output", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError):
        call_command("report_pdf", "--network", "NOPE", "--year", "2024", "--output", str(out))


# ---- reminders -------------------------------------------------------------------------------


def test_coordinator_steps():
    deadline = dt.date(2025, 3, 31)
    assert services.coordinator_step(deadline, dt.date(2025, 1, 1)) is None
    assert services.coordinator_step(deadline, dt.date(2025, 1, 30)) == "before-60"
    assert services.coordinator_step(deadline, dt.date(2025, 3, 1)) == "before-30"
    assert services.coordinator_step(deadline, dt.date(2025, 3, 30)) == "before-1"
    assert services.coordinator_step(deadline, dt.date(2025, 4, 1)) == "overdue-1"
    assert services.coordinator_step(deadline, dt.date(2025, 4, 8)) == "overdue-2"


def test_reminders_sent_exactly_once_when_run_twice(report_a, template_2024, coordinator_a, local_coordinator_a,
                                                   committee_a, mailoutbox, django_capture_on_commit_callbacks):
    coordinator_a.language = Language.NL
    coordinator_a.save()
    today = dt.date(2025, 3, 17)  # 14 days before the deadline
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reminders_send(today=today)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.reminders_send(today=today)
    assert {e for e, *_ in first} == {coordinator_a.email, local_coordinator_a.email}
    assert second == []
    assert SentReminder.objects.filter(step="before-14").count() == 2
    assert len(mailoutbox) == 2
    assert not any(committee_a.email in m.to for m in mailoutbox)
    nl = Notification.objects.get(recipient=coordinator_a)
    assert "2024" in nl.subject


def test_no_coordinator_reminder_once_submitted_but_committee_reminded(submitted_report_a, coordinator_a,
                                                                       committee_a):
    submitted_report_a.submitted_at = submitted_report_a.submitted_at.replace(year=2025, month=3, day=1)
    submitted_report_a.save()
    first = services.reminders_send(today=dt.date(2025, 3, 3))
    assert [e for e, *_ in first] == [committee_a.email]
    again = services.reminders_send(today=dt.date(2025, 3, 9))
    assert [(e, s.endswith("-again")) for e, _n, _y, s in again] == [(committee_a.email, True)]
    assert services.reminders_send(today=dt.date(2025, 3, 10)) == []


def test_network_without_report_is_reminded(template_2024, network_b, coordinator_b):
    sent = services.reminders_send(today=dt.date(2025, 4, 1))
    assert (coordinator_b.email, network_b.code, 2024, "overdue-1") in sent


def test_send_reminders_command_dry_run_sends_nothing(template_2024, coordinator_a, capsys):
    call_command("send_reminders", "--today", "2025-03-30", "--dry-run")
    assert "would send" in capsys.readouterr().out
    assert not SentReminder.objects.exists()
    call_command("send_reminders", "--today", "2025-03-30")
    assert SentReminder.objects.count() == 1


# ---- demo and home -------------------------------------------------------------------------


def test_home_panels_by_role(client, role_users, report_a, coordinator_a, local_coordinator_a):
    from django.urls import reverse
    from django.utils import timezone

    report_a.year = timezone.localdate().year - 1
    report_a.save()
    services.chapter_assign(report=report_a, chapter_code="providers", assignee=local_coordinator_a,
                            due_on=dt.date(2025, 2, 1), by=coordinator_a)
    client.force_login(local_coordinator_a)
    body = client.get(reverse("home")).content.decode()
    assert reverse("annual_reports:chapter", args=[report_a.pk, "providers"]) in body
    client.force_login(role_users["psychologist"])
    assert reverse("annual_reports:chapter", args=[report_a.pk, "providers"]) not in client.get(
        reverse("home")).content.decode()


def test_committee_home_lists_reports_awaiting_validation(client, committee_a, submitted_report_a):
    from django.urls import reverse

    client.force_login(committee_a)
    assert submitted_report_a.get_absolute_url() in client.get(reverse("home")).content.decode()


def test_demo_builder_is_idempotent(db):
    from django.core.management import call_command as cc

    cc("seed_demo", stdout=open("/dev/null", "w"))
    from annual_reports.models import AnnualReport, Answer

    rsn = AnnualReport.objects.get(network__code="RSN", year=2024)
    assert rsn.status == Status.VALIDATED and rsn.committee_date == dt.date(2025, 3, 12)
    assert not services.missing_required(rsn)
    table = Answer.objects.get(report=rsn, question_code="communication_a").value
    assert 3 <= len(table) <= 4
    rsk = AnnualReport.objects.get(network__code="RSK", year=2024)
    assert rsk.status == Status.DRAFT and rsk.assignments.count() == 2
    counts = (Answer.objects.count(), SentReminder.objects.count())
    cc("seed_demo", stdout=open("/dev/null", "w"))
    assert (Answer.objects.count(), SentReminder.objects.count()) == counts
