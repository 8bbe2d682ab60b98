import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from article8 import selectors, services
from article8.models import Activity, Mission, MissionStatus
from psynet.models import AuditEntry

from .factories import ActivityFactory, ApprovedMissionFactory, BudgetFactory, ContactHourFactory, MissionFactory, \
    OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("article8:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_mission_of_another_network_is_404(client, coordinator_b, network_a):
    mission = MissionFactory(network=network_a)
    client.force_login(coordinator_b)
    assert client.get(reverse("article8:mission_detail", args=[mission.pk])).status_code == 404


def test_psychologist_cannot_open_someone_else_s_mission(client, psychologist_user_a, network_a):
    mission = ApprovedMissionFactory(network=network_a)
    client.force_login(psychologist_user_a)
    assert client.get(reverse("article8:mission_detail", args=[mission.pk])).status_code == 403


def test_committee_member_cannot_approve_by_default(client, committee_a, mission_a):
    client.force_login(committee_a)
    assert client.post(reverse("article8:mission_approve", args=[mission_a.pk]), {}).status_code == 403


def _approve_data(mission, psychologist, hours="6", **extra):
    return {"psychologist": psychologist.pk, "hours": hours, "start_on": "2025-02-01", "end_on": "2025-06-30",
            "version": mission.version, **extra}


def test_coordinator_approves_with_hours_and_psychologist(client, coordinator_a, mission_a, psychologist_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("article8:mission_approve", args=[mission_a.pk]),
                           _approve_data(mission_a, psychologist_a))
    assert response.status_code == 302
    mission_a.refresh_from_db()
    assert mission_a.status == MissionStatus.APPROVED and mission_a.hours_approved == 6
    assert AuditEntry.objects.filter(action="article8.mission.approved", actor=coordinator_a).exists()


def test_hours_beyond_the_contract_show_on_the_field_and_keep_the_entry(client, local_coordinator_a, mission_a,
                                                                        psychologist_a):
    client.force_login(local_coordinator_a)
    response = client.post(reverse("article8:mission_approve", args=[mission_a.pk]),
                           _approve_data(mission_a, psychologist_a, hours="41"))
    assert response.status_code == 400
    form = response.context["form"]
    assert "hours" in form.errors and "40" in form.errors["hours"][0]
    assert 'value="41"' in response.content.decode()
    mission_a.refresh_from_db()
    assert mission_a.status == MissionStatus.UNDER_REVIEW


def test_stale_approval_form_is_a_conflict(client, coordinator_a, mission_a, psychologist_a):
    client.force_login(coordinator_a)
    data = _approve_data(mission_a, psychologist_a)
    Mission.objects.filter(pk=mission_a.pk).update(version=mission_a.version + 1)
    response = client.post(reverse("article8:mission_approve", args=[mission_a.pk]), data)
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()


def test_psychologist_logs_an_activity(client, psychologist_user_a, psychologist_a, network_a):
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a, start_on=dt.date(2025, 1, 1),
                                     end_on=dt.date(2025, 12, 31))
    client.force_login(psychologist_user_a)
    url = reverse("article8:activity_create", args=[mission.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"date": "2025-03-04", "hours": "1,5", "mission_type": mission.mission_type,
                                 "is_remote": "1", "participants": "2", "theme": "Exam stress",
                                 "version": mission.version})
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.hours == Decimal("1.5") and activity.is_remote and activity.logged_by == psychologist_user_a
    assert AuditEntry.objects.filter(action="article8.activity.logged").exists()


def test_activity_outside_the_mission_is_refused_on_the_date_field(client, psychologist_user_a, psychologist_a,
                                                                   network_a):
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a, start_on=dt.date(2025, 3, 1),
                                     end_on=dt.date(2025, 3, 31))
    client.force_login(psychologist_user_a)
    response = client.post(reverse("article8:activity_create", args=[mission.pk]), {
        "date": "2025-04-02", "hours": "2", "mission_type": mission.mission_type, "is_remote": "0",
        "participants": "3", "theme": "Gardez-moi", "version": mission.version})
    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    assert "Gardez-moi" in response.content.decode()
    assert not Activity.objects.exists()


def test_mission_list_query_count_does_not_grow(client, coordinator_a, network_a, zone_a):
    client.force_login(coordinator_a)
    MissionFactory.create_batch(3, network=network_a, zone=zone_a)
    client.get(reverse("article8:index"))  # warm-up: per-user caches filled
    with CaptureQueriesContext(connection) as three:
        assert client.get(reverse("article8:index")).status_code == 200
    ApprovedMissionFactory.create_batch(27, network=network_a, zone=zone_a)
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(reverse("article8:index"))
    assert len(response.context["page"]) == 30
    assert len(three) == len(thirty)


def test_local_coordinator_lists_only_their_zone(client, local_coordinator_a, network_a, zone_a, zone_a2):
    mine = MissionFactory(network=network_a, zone=zone_a)
    MissionFactory(network=network_a, zone=zone_a2)
    client.force_login(local_coordinator_a)
    assert [m.pk for m in client.get(reverse("article8:index")).context["page"]] == [mine.pk]


def test_dashboard_shows_hours_and_exports(client, coordinator_a, network_a, zone_a, psychologist_a):
    BudgetFactory(network=network_a)
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a, zone=zone_a, hours_approved=10)
    ActivityFactory(mission=mission, hours=Decimal("3"))
    Mission.objects.filter(pk=mission.pk).update(hours_delivered=3)
    client.force_login(coordinator_a)
    response = client.get(reverse("article8:dashboard") + "?year=2025")
    body = response.content.decode()
    assert response.status_code == 200
    f = selectors.dashboard_figures(network_a, 2025)
    assert f["reserved_hours"] == 10 and f["delivered_hours"] == 3 and f["reserved_eur"] == 800
    assert body.count("<svg") == 5 and body.count("<table") >= 5
    csv_response = client.get(reverse("article8:dashboard_export") + "?year=2025&format=csv")
    assert csv_response["Content-Type"].startswith("text/csv") and "10" in csv_response.content.decode()
    xlsx = client.get(reverse("article8:dashboard_export") + "?year=2025&format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row > 5


def test_dashboard_query_count_is_bounded(client, coordinator_a, network_a, zone_a, psychologist_a):
    client.force_login(coordinator_a)
    ActivityFactory(mission=ApprovedMissionFactory(network=network_a, psychologist=psychologist_a, zone=zone_a))
    cache.clear()  # both measured cold
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("article8:dashboard") + "?year=2025")
    for _ in range(10):
        ActivityFactory(mission=ApprovedMissionFactory(network=network_a, psychologist=psychologist_a,
                                                       place_kind="school", mission_type="advice"))
    cache.clear()  # rows made by factories, not services: measure uncached
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("article8:dashboard") + "?year=2025")
    assert len(few) == len(many) <= 12


def test_public_page_without_login_in_both_languages(client, network_a, psychologist_a):
    OfferFactory(network=network_a)
    ContactHourFactory(network=network_a, psychologist=psychologist_a, phone="081 22 33 44")
    fr = client.get(reverse("article8:public_offer", args=[network_a.code]) + "?lang=fr").content.decode()
    nl = client.get(reverse("article8:public_offer", args=[network_a.code]) + "?lang=nl").content.decode()
    assert "Co-consultation au cabinet" in fr and 'lang="fr"' in fr
    assert "Co-consultatie in de praktijk" in nl and 'lang="nl"' in nl
    assert "081 22 33 44" in fr
    assert f"/collaboration/?network={network_a.code}&amp;offer=article8" in fr
    assert client.get(reverse("article8:public_offer", args=["NOPE"])).status_code == 404


def test_public_page_is_cached_and_cleared_when_a_contact_hour_changes(client, network_a, psychologist_a,
                                                                       coordinator_a,
                                                                       django_capture_on_commit_callbacks):
    url = reverse("article8:public_offer", args=[network_a.code]) + "?lang=fr"
    client.get(url)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert len(cached) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_hour_save(network=network_a, by=coordinator_a, psychologist=psychologist_a, weekday=2,
                                   starts_at=dt.time(9), ends_at=dt.time(10), mode="phone", phone="0499 11 22 33",
                                   organisation=None, languages="fr", note="", is_active=True)
    assert "0499 11 22 33" in client.get(url).content.decode()


def test_public_page_cache_is_cleared_when_an_offer_changes(client, network_a, coordinator_a,
                                                            django_capture_on_commit_callbacks):
    offer = OfferFactory(network=network_a)
    url = reverse("article8:public_offer", args=[network_a.code]) + "?lang=nl"
    assert "Co-consultatie in de praktijk" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_save(network=network_a, by=coordinator_a, offer=offer, expected_version=offer.version,
                            mission_type=offer.mission_type, place_kinds=offer.place_kinds,
                            description_fr="Nouveau", description_nl="Nieuw aanbod", is_published=True)
    body = client.get(url).content.decode()
    assert "Nieuw aanbod" in body and "Co-consultatie in de praktijk" not in body


def test_budget_admin_adds_a_row_and_refuses_a_duplicate_date(client, admin_a, network_a):
    client.force_login(admin_a)
    data = {"year": "2025", "amount": "120000", "hourly_amount": "75", "effective_from": "2025-01-01", "note": ""}
    assert client.post(reverse("article8:budget_list"), data).status_code == 302
    response = client.post(reverse("article8:budget_list"), data)
    assert response.status_code == 400 and "effective_from" in response.context["form"].errors
    assert AuditEntry.objects.filter(action="article8.budget.created").count() == 1


def test_allocation_request_decision_and_payment(client, coordinator_a, admin_a, network_a):
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(network=network_a, kind="youth_aid")
    client.force_login(coordinator_a)
    client.post(reverse("article8:allocation_create"), {"organisation": organisation.pk, "amount_requested": "2500",
                                                        "reason": "No premises"})
    allocation = network_a.article8_allocations.get()
    response = client.post(reverse("article8:allocation_decide", args=[allocation.pk]),
                           {"decision": "grant", "amount_granted": "3000", "note": "", "version": allocation.version})
    assert response.status_code == 400  # more than requested
    client.post(reverse("article8:allocation_decide", args=[allocation.pk]),
                {"decision": "grant", "amount_granted": "2000", "note": "ok", "version": allocation.version})
    client.force_login(admin_a)
    allocation.refresh_from_db()
    client.post(reverse("article8:allocation_paid", args=[allocation.pk]),
                {"paid_on": "2025-05-02", "version": allocation.version})
    allocation.refresh_from_db()
    assert allocation.status == "granted" and allocation.payment_status == "paid"


def test_action_plan_objective_and_action(client, local_coordinator_a, network_a):
    client.force_login(local_coordinator_a)
    client.post(reverse("article8:plan") + "?year=2025", {"title": "Reach GP circles", "description": ""})
    objective = network_a.article8_objectives.get()
    client.post(reverse("article8:plan_action_create", args=[objective.pk]),
                {"title": "Present at the GLEM", "owner": "Coordinator", "deadline": "2025-06-30",
                 "status": "todo", "review_note": ""})
    action = objective.actions.get()
    response = client.post(reverse("article8:plan_action_update", args=[action.pk]),
                           {"title": "Present at the GLEM", "owner": "Coordinator", "deadline": "2025-06-30",
                            "status": "done", "review_note": "Done 12/6", "version": action.version + 5})
    assert response.status_code == 409
    client.post(reverse("article8:plan_action_update", args=[action.pk]),
                {"title": "Present at the GLEM", "owner": "Coordinator", "deadline": "2025-06-30",
                 "status": "done", "review_note": "Done 12/6", "version": action.version})
    action.refresh_from_db()
    assert action.status == "done"


def test_dashboard_cache_is_refreshed_when_an_activity_is_logged(client, coordinator_a, network_a, psychologist_a,
                                                                psychologist_user_a,
                                                                django_capture_on_commit_callbacks):
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
    client.force_login(coordinator_a)
    assert 'data-testid="delivered-hours">0,0<' in client.get(reverse("article8:dashboard") + "?year=2025").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_log(mission=mission, by=psychologist_user_a, hours=2, date=dt.date(2025, 3, 3),
                              is_remote=False, participants=1, theme="x", today=dt.date(2025, 12, 1))
    assert 'data-testid="delivered-hours">2,0<' in client.get(reverse("article8:dashboard") + "?year=2025").content.decode()
