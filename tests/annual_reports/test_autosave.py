"""The autosave's short path (one conditional UPDATE, the revision, the audit entry) and the per-process cache of
the template's structure: same outcomes as the general path, a bounded number of queries, a fresh structure
after the template changes."""
import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from annual_reports import selectors, services
from annual_reports.models import Answer, AnswerRevision, ReportTemplate, Status
from annual_reports.structure import structure_of
from psynet.models import AuditEntry

from .factories import definition_2024


def _saves(report, code):
    return AuditEntry.objects.filter(action="annual_reports.answer.saved", after__question=code).count()


def _statements(captured):
    """The statements run, without the savepoints of the test's own transaction."""
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"].upper()]


def test_second_save_takes_the_short_path_with_revision_and_audit(report_a, coordinator_a,
                                                                  django_assert_max_num_queries):
    services.answer_save(report=report_a, question_code="governance_a", value="Premier", expected_version=0,
                         by=coordinator_a)
    with django_assert_max_num_queries(7) as captured:
        answer = services.answer_save(report=report_a, question_code="governance_a", value="Second",
                                      expected_version=1, by=coordinator_a)
    # PostgreSQL: the conditional UPDATE with its revision in one statement, then the audit entry; elsewhere the
    # general path: report status, answer, UPDATE, revision, audit entry
    assert len(_statements(captured)) == (2 if connection.vendor == "postgresql" else 5), _statements(captured)
    assert answer.version == 2 and answer.updated_by == coordinator_a
    stored = Answer.objects.get(report=report_a, question_code="governance_a")
    assert (stored.pk, stored.value, stored.version, stored.updated_by_id) == (answer.pk, "Second", 2,
                                                                               coordinator_a.pk)
    assert stored.updated_at == answer.updated_at
    assert list(AnswerRevision.objects.filter(answer=stored).order_by("version")
                .values_list("version", "value", "by_id")) == [(1, "Premier", coordinator_a.pk),
                                                               (2, "Second", coordinator_a.pk)]
    entry = AuditEntry.objects.filter(action="annual_reports.answer.saved").order_by("-pk").first()
    assert (entry.object_id, entry.network_id, entry.actor_id) == (str(stored.pk), report_a.network_id,
                                                                   coordinator_a.pk)
    assert entry.before == {"version": 1} and entry.after["version"] == 2
    assert entry.object_repr == f"{report_a.network.code} 2024 governance_a"


def test_unchanged_value_makes_no_new_version(report_a, coordinator_a, django_assert_max_num_queries):
    first = services.answer_save(report=report_a, question_code="governance_a", value="Même texte",
                                 expected_version=0, by=coordinator_a)
    with django_assert_max_num_queries(4) as captured:  # a blur without typing
        again = services.answer_save(report=report_a, question_code="governance_a", value="Même texte",
                                     expected_version=1, by=coordinator_a)
    assert len(_statements(captured)) == (1 if connection.vendor == "postgresql" else 2), _statements(captured)
    assert (again.pk, again.version, again.updated_by_id) == (first.pk, 1, coordinator_a.pk)
    assert again.updated_at == Answer.objects.get(pk=first.pk).updated_at
    assert AnswerRevision.objects.filter(answer__report=report_a).count() == 1
    assert _saves(report_a, "governance_a") == 1
    # a table compared as a whole; the not-applicable flag alone is a change
    rows = [{"communication": "Site", "target_group": "MG", "method": "web", "goal": "informer"}]
    services.answer_save(report=report_a, question_code="communication_a", value=rows, expected_version=0,
                         by=coordinator_a)
    assert services.answer_save(report=report_a, question_code="communication_a", value=rows, expected_version=1,
                                by=coordinator_a).version == 1
    flagged = services.answer_save(report=report_a, question_code="communication_a", value=rows,
                                   expected_version=1, by=coordinator_a, not_applicable=True)
    assert flagged.version == 2 and Answer.objects.get(pk=flagged.pk).not_applicable is True


def test_stale_version_on_the_short_path_is_a_conflict_with_the_current_answer(report_a, coordinator_a,
                                                                                local_coordinator_a):
    for version, text in enumerate(("Un", "Deux")):
        services.answer_save(report=report_a, question_code="governance_a", value=text, expected_version=version,
                             by=coordinator_a)
    with pytest.raises(services.EditConflict) as exc:
        services.answer_save(report=report_a, question_code="governance_a", value="Trois", expected_version=1,
                             by=local_coordinator_a)
    assert (exc.value.answer.version, exc.value.answer.value) == (2, "Deux")
    assert exc.value.answer.updated_by_id == coordinator_a.pk and exc.value.answer.pk
    assert Answer.objects.get(report=report_a, question_code="governance_a").value == "Deux"
    assert AnswerRevision.objects.filter(answer__report=report_a).count() == 2


def test_short_path_refuses_a_report_frozen_since_it_was_loaded(report_a, coordinator_a):
    services.answer_save(report=report_a, question_code="governance_a", value="Avant", expected_version=0,
                         by=coordinator_a)
    loaded = selectors.report_for_answer(report_a.network, report_a.pk)  # still a draft in memory
    type(report_a).objects.filter(pk=report_a.pk).update(status=Status.VALIDATED)
    with pytest.raises(services.ReportFrozen):
        services.answer_save(report=loaded, question_code="governance_a", value="Après", expected_version=1,
                             by=coordinator_a)
    assert Answer.objects.get(report=report_a, question_code="governance_a").value == "Avant"


def test_autosave_query_count_is_pinned(client, coordinator_a, report_a, django_assert_max_num_queries):
    """On PostgreSQL (sessions and memberships in Redis): the user, the report with its template's key, one
    statement (the conditional UPDATE with its revision), the audit entry, and the test's savepoint pair. The
    template's definition is not read again."""
    client.force_login(coordinator_a)
    url = reverse("annual_reports:answer", args=[report_a.pk, "governance_a"])
    response = client.post(url, {"value": "Premier jet", "version": "0"}, HTTP_HX_REQUEST="true")
    assert response["X-Psynet-Saved"] == "1"
    with django_assert_max_num_queries(6 if connection.vendor == "postgresql" else 12) as captured:
        response = client.post(url, {"value": "Deuxième jet " * 250, "version": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["X-Psynet-Saved"] == "2"
    sql = _statements(captured)
    own = [s for s in sql if "annual_reports_" in s]
    # the report with its template's key, then on PostgreSQL one statement (UPDATE … RETURNING with the revision);
    # elsewhere the general path (report status, answer, UPDATE, revision)
    assert len(own) == (2 if connection.vendor == "postgresql" else 5), own
    assert not any('"definition"' in s for s in sql)
    assert len([s for s in sql if "psynet_auditentry" in s]) == 1
    assert Answer.objects.get(report=report_a, question_code="governance_a").value.startswith("Deuxième jet")


def test_answer_of_another_network_report_is_404(client, coordinator_b, report_a):
    client.force_login(coordinator_b)
    url = reverse("annual_reports:answer", args=[report_a.pk, "governance_a"])
    assert client.post(url, {"value": "x", "version": "0"}, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(url).status_code == 404
    assert not Answer.objects.filter(report=report_a).exists()


def test_structure_is_parsed_once_per_process_and_refreshed_when_the_template_changes(report_a, template_2024,
                                                                                     django_assert_num_queries):
    first = selectors.report_for_answer(report_a.network, report_a.pk).template.structure
    with django_assert_num_queries(1):  # the report and the template's key, not its definition
        again = selectors.report_for_answer(report_a.network, report_a.pk).template.structure
    assert again is first
    assert first.questions["governance_a"].display("fr") != "Question changée ?"

    definition = definition_2024()
    definition["chapters"][0]["sections"][0]["questions"][0]["text"] = {"fr": "Question changée ?",
                                                                         "nl": "Gewijzigde vraag?"}
    template, outcome = services.template_load(definition=definition)
    assert (template.pk, outcome) == (template_2024.pk, "updated")  # a draft report: the row is updated

    fresh = selectors.report_for_answer(report_a.network, report_a.pk).template.structure
    assert fresh is not first
    assert fresh.questions["governance_a"].display("fr") == "Question changée ?"
    assert ReportTemplate.objects.get(pk=template_2024.pk).structure is fresh


def test_structure_of_a_changed_row_is_reparsed_even_when_saved_directly(template_2024):
    before = structure_of(ReportTemplate.objects.get(pk=template_2024.pk))
    template = ReportTemplate.objects.get(pk=template_2024.pk)
    template.definition["chapters"] = template.definition["chapters"][:1]
    template.deadline = dt.date(2025, 4, 30)
    template.save()
    after = structure_of(ReportTemplate.objects.get(pk=template_2024.pk))
    assert len(before.chapters) > 1 and len(after.chapters) == 1
    unsaved = ReportTemplate(year=2030, deadline=dt.date(2031, 3, 31), definition={"chapters": []})
    assert unsaved.structure.chapters == []


def test_version_of_a_thousand_and_more_is_written_unlocalised(client, coordinator_a, report_a):
    """An answer typed long enough passes 1,000 versions: the page and the status partial must hand the version
    back as digits only (a French "1 234" would be read as 0 and every save would be a conflict)."""
    from django.utils import translation

    from .factories import AnswerFactory

    AnswerFactory(report=report_a, question_code="governance_a", value="Long travail", version=1234)
    client.force_login(coordinator_a)
    with translation.override("fr"):
        page = client.get(reverse("annual_reports:chapter", args=[report_a.pk, "governance"]),
                          HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert 'name="version" value="1234"' in page
        url = reverse("annual_reports:answer", args=[report_a.pk, "governance_a"])
        response = client.post(url, {"value": "Encore", "version": "1234"}, HTTP_HX_REQUEST="true",
                               HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200 and response["X-Psynet-Saved"] == "1235"
    assert 'name="version" value="1235"' in response.content.decode()
    assert 'data-saved-version="1235"' in response.content.decode()


def test_report_for_answer_reads_the_report_and_its_template_key(report_a, network_b, django_assert_num_queries):
    stored = type(report_a).objects.select_related("template").get(pk=report_a.pk)
    with django_assert_num_queries(1):
        report = selectors.report_for_answer(report_a.network, report_a.pk)
        assert (report.pk, report.network_id, report.year, report.status, report.template_id) == (
            stored.pk, stored.network_id, stored.year, stored.status, stored.template_id)
        assert report.network is report_a.network and not report.is_frozen
        template = report.template
        assert (template.pk, template.year, template.version) == (stored.template.pk, 2024, 1)
        assert template.created_at == stored.template.created_at and template.updated_at == stored.template.updated_at
        assert template.updated_at.tzinfo is not None
    assert selectors.report_for_answer(network_b, report_a.pk) is None  # another network's report
    assert selectors.report_for_answer(report_a.network, report_a.pk + 1000) is None
