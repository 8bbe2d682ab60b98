"""The annual report's whole journey in Chromium, one browser context per person, axe on every page visited:
the network coordinator opens the 2024 report and completes it, submits; a committee member comments on a
question and requests changes; the coordinator sees the comment beside the question, fixes, resubmits; the
committee validates with its meeting date; admin staff produce the PDF (Celery task, eager here), download it,
check its text, record the sending; the report is archived with its timeline.

Elements are found by id / data-testid: the compiled catalogues may lag behind new strings."""
import re
import subprocess

import pytest
from django.core.management import call_command
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from annual_reports import services
from annual_reports.models import AnnualReport, Answer, Comment, Status
from psynet.models import AuditEntry, Role
from tests.annual_reports.factories import sample_value

from .conftest import check_accessibility, login

pytestmark = [pytest.mark.e2e]

TYPED_IN_BROWSER = "final_committee_discussion"
FIRST_TEXT = "Le comité de réseau a discuté le rapport."
FIXED_TEXT = ("Le comité de réseau a discuté le rapport en séance plénière, avec les coordinateurs locaux.\n"
              "- lecture chapitre par chapitre\n- validation à l'unanimité")


@pytest.fixture
def journey(demo_network):
    """RSN with a user per role and the 2024 template loaded from its file, as in production."""
    call_command("load_report_template", "annual_reports/report_templates/2024.yaml")
    network, _zone, users = demo_network
    return network, users


def prefill_all_but_one(report, by):
    """Every required answer through the service (versions, history, audit), except the one typed in the browser."""
    for question in report.template.structure.required_questions:
        if question.code != TYPED_IN_BROWSER:
            services.answer_save(report=report, question_code=question.code, value=sample_value(question),
                                 expected_version=0, by=by)


def _person(browser, live_server, email):
    context = browser.new_context(bypass_csp=True, locale="fr-BE", accept_downloads=True)
    page = context.new_page()
    login(page, live_server, email)
    return page


def _visit(page, url, name):
    page.goto(url)
    check_accessibility(page, name)


def _expect_status(page, status):
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", status)


def _typed_and_saved(page, text, version):
    box = page.locator(f"#f-{TYPED_IN_BROWSER}")
    box.fill(text)
    status = page.locator(f"#f-{TYPED_IN_BROWSER}-status .answer-status-text")
    expect(status).to_have_attribute("data-saved-version", str(version), timeout=8000)
    expect(status).not_to_be_empty()
    assert "text-danger" not in (status.get_attribute("class") or "")


def test_annual_report_from_draft_to_archive(journey, live_server, browser, tmp_path):
    network, users = journey
    base = live_server.url
    coordinator = users[Role.NETWORK_COORDINATOR]

    # -- the network coordinator opens the 2024 report from the list
    nc = _person(browser, live_server, coordinator.email)
    _visit(nc, f"{base}{_list_url()}", "report list")
    nc.locator("#id_year").select_option("2024")
    nc.get_by_test_id("report-create").click()
    _expect_status(nc, Status.DRAFT)
    report = AnnualReport.objects.get(network=network, year=2024)
    check_accessibility(nc, "report overview (new)")
    expect(nc.get_by_test_id("missing-answers")).to_be_visible()

    # -- every required answer but one is already written (as if over several weeks); the last is typed now
    prefill_all_but_one(report, coordinator)
    chapter_url = f"{base}{report.get_absolute_url()}chapters/final_remarks/"
    _visit(nc, chapter_url, "chapter final remarks")
    _typed_and_saved(nc, FIRST_TEXT, 1)
    assert Answer.objects.get(report=report, question_code=TYPED_IN_BROWSER).value == FIRST_TEXT

    _visit(nc, f"{base}{report.get_absolute_url()}", "report overview (complete)")
    expect(nc.get_by_test_id("missing-answers")).to_have_count(0)
    nc.get_by_test_id("report-submit").click()
    _expect_status(nc, Status.SUBMITTED)
    check_accessibility(nc, "report overview (submitted)")

    # -- a committee member comments on the question, then requests changes
    cm = _person(browser, live_server, users[Role.COMMITTEE_MEMBER].email)
    _visit(cm, chapter_url, "chapter (committee)")
    cm.locator(f"#c-{TYPED_IN_BROWSER}").fill("Précisez la date et la forme de la réunion du comité.")
    cm.get_by_test_id(f"comment-add-{TYPED_IN_BROWSER}").click()
    expect(cm.get_by_test_id(f"comment-{TYPED_IN_BROWSER}")).to_contain_text("Précisez la date")
    check_accessibility(cm, "chapter with comment (committee)")
    _visit(cm, f"{base}{report.get_absolute_url()}", "report overview (committee)")
    cm.locator("#id_note").fill("Voir le commentaire au chapitre 8.")
    cm.get_by_test_id("report-request-changes").click()
    _expect_status(cm, Status.CHANGES_REQUESTED)
    check_accessibility(cm, "report overview (changes requested)")

    # -- the coordinator sees the comment beside the question, fixes the answer, resubmits
    _visit(nc, chapter_url, "chapter with comment (coordinator)")
    row = nc.locator(f"[data-question={TYPED_IN_BROWSER}]")
    expect(row.locator("aside").get_by_test_id(f"comment-{TYPED_IN_BROWSER}")).to_contain_text("Précisez la date")
    _typed_and_saved(nc, FIXED_TEXT, 2)
    nc.get_by_test_id(f"comment-resolve-{TYPED_IN_BROWSER}").click()
    expect(nc.get_by_test_id(f"comment-{TYPED_IN_BROWSER}").locator(".badge")).to_be_visible()
    check_accessibility(nc, "chapter after fix")
    assert Comment.objects.get(report=report).resolved
    _visit(nc, f"{base}{report.get_absolute_url()}", "report overview (to resubmit)")
    nc.get_by_test_id("report-submit").click()
    _expect_status(nc, Status.SUBMITTED)

    # -- the committee validates, stating the meeting date
    meeting = timezone.localdate()
    _visit(cm, f"{base}{report.get_absolute_url()}", "report overview (to validate)")
    cm.locator("#id_committee_date").fill(meeting.isoformat())
    cm.get_by_test_id("report-validate").click()
    _expect_status(cm, Status.VALIDATED)
    check_accessibility(cm, "report overview (validated)")
    report.refresh_from_db()
    assert report.committee_date == meeting

    # -- admin staff produce the PDF (Celery task), download it and check its text
    admin = _person(browser, live_server, users[Role.ADMIN_STAFF].email)
    _visit(admin, f"{base}{report.get_absolute_url()}", "report overview (admin staff)")
    admin.locator("#id_export_language").select_option("fr")
    admin.get_by_test_id("export-request").click()
    link = admin.get_by_test_id("export-download")
    expect(link).to_be_visible(timeout=60_000)
    check_accessibility(admin, "report overview (PDF ready)")
    with admin.expect_download() as download_info:
        link.click()
    pdf_path = tmp_path / "report.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    text = _pdf_text(pdf_path)
    with translation.override("fr"):
        date_text = formats.date_format(meeting, "DATE_FORMAT")
    assert network.name in text
    assert f"Ce rapport a été discuté et validé par le comité de réseau le {date_text}." in text
    assert "lecture chapitre par chapitre" in text

    # -- records the sending: the report is archived, with its timeline
    expect(admin.locator("#id_recipients")).to_have_value(re.compile("psysoc@health.fgov.be"))
    admin.locator("#id_sent_on").fill(meeting.isoformat())
    admin.get_by_test_id("report-send").click()
    _expect_status(admin, Status.ARCHIVED)
    check_accessibility(admin, "report overview (archived)")
    expect(admin.get_by_test_id("sent-pdf")).to_be_visible()
    timeline = admin.get_by_test_id("timeline")
    for action in ("created", "submitted", "changes_requested", "validated", "export_requested", "sent", "archived"):
        expect(timeline.locator(f"[data-action='annual_reports.report.{action}']").first).to_be_visible()
    expect(timeline.locator("[data-action='annual_reports.report.submitted']")).to_have_count(2)

    report.refresh_from_db()
    assert report.status == Status.ARCHIVED and len(report.sent_pdf_sha256) == 64
    assert report.sent_recipients == report.template.recipients
    actions = set(AuditEntry.objects.filter(network=network).values_list("action", flat=True))
    assert {"annual_reports.comment.added", "annual_reports.comment.resolved", "annual_reports.answer.saved"} <= actions

    # -- the archived report is read-only for the coordinator, the list shows it archived
    _visit(nc, chapter_url, "chapter (archived)")
    expect(nc.locator(f"#f-{TYPED_IN_BROWSER}")).to_contain_text("lecture chapitre par chapitre")
    expect(nc.locator(f"textarea#f-{TYPED_IN_BROWSER}")).to_have_count(0)
    _visit(nc, f"{base}{_list_url()}", "report list (archived)")
    expect(nc.locator("[data-status=archived]")).to_be_visible()
    for p in (nc, cm, admin):
        p.context.close()


def _list_url():
    from django.urls import reverse

    return reverse("annual_reports:report_list")


def _pdf_text(path):
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True)
    return re.sub(r"\s+", " ", out.stdout)
