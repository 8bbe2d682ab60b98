"""Snapshot frozen at validation, "insert the year's figures", information moments and costs, the federal viewer."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annual_reports import services as report_services
from annual_reports.models import Answer, Status
from figures import selectors, services
from figures.models import FiguresSnapshot, InformationMoment, OperatingCost, SnapshotFrozen
from psynet.models import AuditEntry
from tests.annual_reports.factories import AnnualReportFactory, ReportTemplateFactory, fill_required
from tests.factories import NetworkFactory, UserFactory

from .factories import build_fixed_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixed(network_a, zone_a, zone_a2, coordinator_a):
    return build_fixed_year(network_a, zone_a, zone_a2, coordinator_a)


@pytest.fixture
def report_a(network_a):
    return AnnualReportFactory(network=network_a, year=2024, template=ReportTemplateFactory())


@pytest.fixture
def viewer(db):
    return UserFactory(email="inami@viewer.example", is_federal_viewer=True)


def _validate(report, coordinator, committee):
    fill_required(report, coordinator)
    report_services.report_submit(report=report, by=coordinator)
    return report_services.report_validate(report=report, committee_date=dt.date(2025, 1, 10), by=committee)


# ---- snapshot ---------------------------------------------------------------------------------------------


def test_validation_freezes_the_figures_and_later_data_changes_do_not_touch_them(
        fixed, report_a, coordinator_a, committee_a, network_a):
    _validate(report_a, coordinator_a, committee_a)
    snapshot = FiguresSnapshot.objects.get(report=report_a)
    assert snapshot.figures["finance"]["operating_costs"] == 350.5
    OperatingCost.objects.create(network=network_a, year=2024, date=dt.date(2024, 12, 1), amount=Decimal("49.50"),
                                 purpose="Ajout après validation")
    report_a.refresh_from_db()
    figures, frozen = selectors.figures_for_report(report_a)
    assert frozen == snapshot and figures["finance"]["operating_costs"] == 350.5
    live = selectors.network_year_figures(network_a, 2024)
    assert selectors.figures_differ(snapshot.figures, live) == {"operating_costs": (350.5, 400)}
    assert AuditEntry.objects.filter(action="figures.snapshot.taken").count() == 1


def test_a_snapshot_is_never_changed(fixed, report_a, coordinator_a, committee_a):
    _validate(report_a, coordinator_a, committee_a)
    snapshot = FiguresSnapshot.objects.get(report=report_a)
    snapshot.figures = {"forged": True}
    with pytest.raises(SnapshotFrozen):
        snapshot.save()
    assert "forged" not in FiguresSnapshot.objects.get(pk=snapshot.pk).figures


def test_snapshot_asked_for_a_year_without_data_is_refused_and_writes_nothing(network_a, coordinator_a):
    report = AnnualReportFactory(network=network_a, year=2019, template=ReportTemplateFactory(year=2019))
    with pytest.raises(services.NoFigures) as exc:
        services.snapshot_take(report=report, by=coordinator_a)
    assert "2019" in exc.value.message
    assert not FiguresSnapshot.objects.exists()


def test_validation_of_a_year_without_data_goes_through_without_snapshot(
        report_a, coordinator_a, committee_a):
    _validate(report_a, coordinator_a, committee_a)
    report_a.refresh_from_db()
    assert report_a.status == Status.VALIDATED
    assert not FiguresSnapshot.objects.exists()
    assert AuditEntry.objects.filter(action="figures.snapshot.skipped").exists()


# ---- insert the year's figures ------------------------------------------------------------------------------


def test_insert_appends_the_table_through_answer_save(client, fixed, report_a, coordinator_a):
    Answer.objects.create(report=report_a, question_code="finance_billing_a", value="Notre texte.", version=1)
    client.force_login(coordinator_a)
    url = reverse("figures:insert", args=[report_a.pk, "finance_billing_a"])
    response = client.post(url, {"version": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    answer = Answer.objects.get(report=report_a, question_code="finance_billing_a")
    assert answer.version == 2 and answer.value.startswith("Notre texte.")
    assert "350,50" in answer.value and "| --- |" not in answer.value and "|---|" in answer.value
    assert answer.revisions.count() == 1
    assert AuditEntry.objects.filter(action="figures.inserted").exists()


def test_inserting_again_updates_the_tables_in_place_and_keeps_the_coordinators_text(
        fixed, report_a, coordinator_a, network_a):
    Answer.objects.create(report=report_a, question_code="finance_billing_a", value="Notre texte.", version=1)
    first = services.figures_insert(report=report_a, question_code="finance_billing_a", expected_version=1,
                                    by=coordinator_a)
    edited = first.value + "\n\nNotre commentaire sur ces chiffres."
    answer = report_services.answer_save(report=report_a, question_code="finance_billing_a", value=edited,
                                         expected_version=first.version, by=coordinator_a)
    OperatingCost.objects.create(network=network_a, year=2024, date=dt.date(2024, 12, 1), amount=Decimal("49.50"),
                                 purpose="Frais de décembre")
    second = services.figures_insert(report=report_a, question_code="finance_billing_a",
                                     expected_version=answer.version, by=coordinator_a)
    assert second.value.startswith("Notre texte.")
    assert second.value.endswith("Notre commentaire sur ces chiffres.")  # the tables stayed before it
    assert "400,00" in second.value and "350,50" not in second.value
    titles = [line for line in second.value.splitlines() if line.startswith("**")]
    assert len(titles) == len(set(titles)) > 0  # each table once, not appended a second time


def test_number_questions_receive_the_portals_figure(client, fixed, report_a, coordinator_a):
    """The care path's questions d (psychologists engaged) and e (group sessions) are answered by one number."""
    d = services.figures_insert(report=report_a, question_code="target_eating_disorders_d", expected_version=0,
                                by=coordinator_a)
    e = services.figures_insert(report=report_a, question_code="target_eating_disorders_e", expected_version=0,
                                by=coordinator_a)
    assert (str(d.value), str(e.value)) == ("2", "1")
    client.force_login(coordinator_a)
    page = client.get(reverse("annual_reports:chapter", args=[report_a.pk, "target_groups"])).content.decode()
    assert 'data-testid="insert-figures-target_eating_disorders_d"' in page


def test_a_table_without_figures_says_so_instead_of_an_empty_grid(report_a):
    from figures import tables

    figures = selectors.network_year_figures(report_a.network, 2024)
    empty = tables.build_tables(figures)["agreements_modality"]
    assert empty.is_empty
    text = tables.markdown([empty])
    assert "|" not in text and str(empty.title) in text


def test_insert_with_a_stale_version_is_a_conflict_and_changes_nothing(client, fixed, report_a, coordinator_a):
    Answer.objects.create(report=report_a, question_code="finance_billing_a", value="Texte.", version=3)
    client.force_login(coordinator_a)
    response = client.post(reverse("figures:insert", args=[report_a.pk, "finance_billing_a"]), {"version": "1"})
    assert response.status_code == 409
    assert Answer.objects.get(report=report_a, question_code="finance_billing_a").value == "Texte."


def test_insert_into_a_frozen_report_is_refused_with_a_message(client, fixed, report_a, coordinator_a, committee_a):
    _validate(report_a, coordinator_a, committee_a)
    before = Answer.objects.get(report=report_a, question_code="finance_billing_a")
    client.force_login(coordinator_a)
    response = client.post(reverse("figures:insert", args=[report_a.pk, "finance_billing_a"]),
                           {"version": str(before.version)})
    assert response.status_code == 422
    assert b"insert-error" in response.content
    after = Answer.objects.get(report=report_a, question_code="finance_billing_a")
    assert (after.value, after.version) == (before.value, before.version)


def test_insert_refused_for_a_question_without_figures_and_for_the_wrong_role(
        client, fixed, report_a, coordinator_a, committee_a, coordinator_b):
    client.force_login(coordinator_a)
    response = client.post(reverse("figures:insert", args=[report_a.pk, "governance_a"]), {"version": "0"})
    assert response.status_code == 422
    client.force_login(committee_a)
    assert client.post(reverse("figures:insert", args=[report_a.pk, "finance_billing_a"]),
                       {"version": "0"}).status_code == 403
    client.force_login(coordinator_b)
    assert client.post(reverse("figures:insert", args=[report_a.pk, "finance_billing_a"]),
                       {"version": "0"}).status_code == 404
    assert not Answer.objects.filter(report=report_a).exists()


def test_chapter_offers_the_button_only_on_questions_asking_figures(client, report_a, coordinator_a):
    client.force_login(coordinator_a)
    html = client.get(reverse("annual_reports:chapter", args=[report_a.pk, "finance_billing"])).content.decode()
    assert 'data-testid="insert-figures-finance_billing_a"' in html
    assert 'data-testid="insert-figures-finance_billing_b"' not in html


def test_report_status_fragment_shows_differences(client, fixed, report_a, coordinator_a, committee_a, network_a):
    _validate(report_a, coordinator_a, committee_a)
    client.force_login(coordinator_a)
    url = reverse("figures:report_status", args=[report_a.pk])
    assert b"figures-same" in client.get(url).content
    InformationMoment.objects.create(network=network_a, date=dt.date(2024, 5, 5), place="X", audience_type="other",
                                     participants=5, topic="t")
    assert b"figures-differ" in client.get(url).content


def test_pdf_annex_uses_the_snapshot(fixed, report_a, coordinator_a, committee_a, network_a):
    from annual_reports.pdf import render_html

    _validate(report_a, coordinator_a, committee_a)
    OperatingCost.objects.create(network=network_a, year=2024, date=dt.date(2024, 12, 1), amount=Decimal("1000"),
                                 purpose="Après")
    report_a.refresh_from_db()
    html = render_html(report_a, "fr")
    assert 'id="key-figures"' in html and "350,50" in html and "1 350,50" not in html
    assert "<svg" in html


# ---- information moments and operating costs ------------------------------------------------------------


def test_local_coordinator_records_a_moment_of_their_zone(client, local_coordinator_a, zone_a, zone_a2):
    client.force_login(local_coordinator_a)
    data = {"date": "2024-03-05", "place": "Cercle", "audience_type": "gp_circle", "participants": "25",
            "topic": "Offre article 8", "cost": "80", "zone": str(zone_a.pk)}
    response = client.post(reverse("figures:moment_create"), data)
    assert response.status_code == 302
    moment = InformationMoment.objects.get()
    assert moment.zone == zone_a and moment.created_by == local_coordinator_a
    assert AuditEntry.objects.filter(action="figures.moment.created").exists()
    response = client.post(reverse("figures:moment_create"), {**data, "zone": str(zone_a2.pk), "topic": "Autre"})
    assert response.status_code == 422 and InformationMoment.objects.count() == 1
    assert "Autre" in response.content.decode()  # what was typed is kept


def test_moment_form_keeps_input_on_bad_data(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("figures:moment_create"), {"date": "2024-03-05", "place": "Salle",
                                                              "audience_type": "gp_circle", "participants": "0",
                                                              "topic": "Mon sujet", "cost": "-3"})
    assert response.status_code == 422
    assert "Mon sujet" in response.content.decode()
    assert not InformationMoment.objects.exists()


def test_admin_staff_records_a_cost_linked_to_moments_and_stale_edit_is_refused(client, admin_a, network_a):
    moment = InformationMoment.objects.create(network=network_a, date=dt.date(2024, 2, 2), place="X",
                                              audience_type="glem_lok", participants=8, topic="t", cost=50)
    client.force_login(admin_a)
    response = client.post(reverse("figures:cost_create"), {"year": "2024", "date": "2024-02-10", "amount": "50",
                                                            "purpose": "Salle", "information_moments": [moment.pk]})
    assert response.status_code == 302
    cost = OperatingCost.objects.get()
    assert list(cost.information_moments.all()) == [moment]
    url = reverse("figures:cost_update", args=[cost.pk])
    ok = client.post(url, {"year": "2024", "date": "2024-02-10", "amount": "60", "purpose": "Salle", "version": "1"})
    assert ok.status_code == 302
    stale = client.post(url, {"year": "2024", "date": "2024-02-10", "amount": "70", "purpose": "Salle",
                              "version": "1"})
    assert stale.status_code == 422
    cost.refresh_from_db()
    assert cost.amount == Decimal("60") and cost.version == 2


def test_moment_list_queries_do_not_grow_with_rows(client, coordinator_a, network_a):
    client.force_login(coordinator_a)

    def make(n):
        for i in range(n):
            InformationMoment.objects.create(network=network_a, date=dt.date(2024, 1, 1 + i % 28), place="X",
                                             audience_type="other", participants=3, topic=f"t{i}")

    make(3)
    client.get(reverse("figures:moment_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("figures:moment_list"))
    make(27)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("figures:moment_list"))
    assert len(few) == len(many)


# ---- the federal viewer ------------------------------------------------------------------------------------


def test_viewer_sees_every_network_but_not_drafts(client, viewer, fixed, report_a, coordinator_a, committee_a):
    other = NetworkFactory(code="RSX")
    draft = AnnualReportFactory(network=other, year=2024, template=ReportTemplateFactory())
    _validate(report_a, coordinator_a, committee_a)
    client.force_login(viewer)
    html = client.get(reverse("figures:federal_overview") + "?year=2024").content.decode()
    assert "RSX" in html and f'data-testid="report-{report_a.network.code}"' in html
    assert reverse("figures:federal_report", args=[draft.pk]) not in html
    assert client.get(reverse("figures:federal_report", args=[report_a.pk])).status_code == 200
    refused = client.get(reverse("figures:federal_report", args=[draft.pk]))
    assert refused.status_code == 403 and b"federal-refused" in refused.content
    assert client.get(reverse("figures:federal_report_pdf", args=[draft.pk])).status_code == 403


def test_viewer_never_reaches_network_pages(client, viewer, report_a):
    client.force_login(viewer)
    for url in (reverse("annual_reports:report_detail", args=[report_a.pk]), reverse("billing:index"),
                reverse("partnerships:index"), reverse("figures:moment_list")):
        assert client.get(url).status_code == 403
    home = client.get(reverse("home"))  # the viewer lands on the federal overview, not a network's home
    assert home.status_code == 302 and home.url == reverse("figures:federal_overview")


def test_federal_overview_queries_do_not_grow_with_networks(client, viewer):
    client.force_login(viewer)
    NetworkFactory.create_batch(3)
    url = reverse("figures:federal_overview") + "?year=2024"
    from django.core.cache import cache

    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    NetworkFactory.create_batch(30)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)
    with CaptureQueriesContext(connection) as cached:
        assert client.get(url).status_code == 200
    assert len(cached) < len(many)
