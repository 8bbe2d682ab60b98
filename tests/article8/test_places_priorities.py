"""Issue 10 in article 8: the contract's hours planned by place (never beyond the convention's article 8 hours),
the place plan beside the reserved hours on a mission, priorities on missions and requests with hours per
priority on the dashboard, and the information moments counted there."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from article8 import selectors, services
from article8.models import Mission, PlacePlan
from care_offer.models import PriorityTag
from psynet.models import AuditEntry
from tests.care_offer.factories import PriorityFactory
from tests.factories import ConventionFactory, OrganisationFactory, PsychologistFactory

from .conftest import approve
from .factories import ApprovedMissionFactory

pytestmark = pytest.mark.django_db

YEAR = 2025


def plan(network, psychologist, place, hours, by):
    return services.place_plan_save(network=network, psychologist=psychologist, year=YEAR, organisation=place,
                                    hours=Decimal(hours), by=by)


@pytest.fixture
def places(network_a):
    return [OrganisationFactory(network=network_a, name=f"Lieu {i}") for i in range(3)]


# ---- the plan by place ------------------------------------------------------------------------------------

def test_plan_up_to_the_contract_hours_passes_one_more_hour_is_refused(network_a, psychologist_a, coordinator_a,
                                                                       places):
    capacity = services.contract_hours(psychologist_a, network_a, YEAR)
    plan(network_a, psychologist_a, places[0], capacity - 10, coordinator_a)
    assert plan(network_a, psychologist_a, places[1], 10, coordinator_a).hours == 10  # exactly the contract
    with pytest.raises(services.Article8Error) as exc:
        plan(network_a, psychologist_a, places[2], Decimal("0.25"), coordinator_a)
    assert exc.value.field == "hours" and str(psychologist_a) in exc.value.message
    assert "au plus 0" in exc.value.message  # French, the default language
    # changing a place's own hours does not count them twice
    assert plan(network_a, psychologist_a, places[1], 10, coordinator_a).hours == 10
    assert PlacePlan.objects.count() == 2
    assert AuditEntry.objects.filter(action="article8.place_plan.saved").count() == 3


def test_zero_hours_remove_the_place_and_are_audited(network_a, psychologist_a, coordinator_a, places):
    plan(network_a, psychologist_a, places[0], 5, coordinator_a)
    assert plan(network_a, psychologist_a, places[0], 0, coordinator_a) is None
    assert not PlacePlan.objects.exists()
    assert AuditEntry.objects.filter(action="article8.place_plan.removed").exists()


def test_plan_refuses_another_networks_place_and_the_wrong_role(network_a, network_b, psychologist_a,
                                                                 coordinator_a, committee_a, places):
    with pytest.raises(services.Article8Error) as exc:
        plan(network_a, psychologist_a, OrganisationFactory(network=network_b), 5, coordinator_a)
    assert exc.value.field == "organisation"
    with pytest.raises(PermissionDenied):
        plan(network_a, psychologist_a, places[0], 5, committee_a)


def test_psychologist_without_article8_hours_cannot_be_planned(network_a, coordinator_a, places):
    other = PsychologistFactory()
    ConventionFactory(psychologist=other, network=network_a, article8_hours_per_year=0)
    with pytest.raises(services.Article8Error):
        plan(network_a, other, places[0], 1, coordinator_a)


def test_place_plan_page(client, network_a, psychologist_a, coordinator_a, committee_a, psychologist_user_a,
                         places):
    url = reverse("article8:place_plan") + f"?year={YEAR}"
    assert client.get(url).status_code == 302
    client.force_login(psychologist_user_a)
    assert client.get(url).status_code == 403
    client.force_login(committee_a)
    assert client.get(url).status_code == 200
    assert client.post(url, {"psychologist": psychologist_a.pk, "organisation": places[0].pk,
                             "hours": "5"}).status_code == 403
    client.force_login(coordinator_a)
    response = client.post(url, {"psychologist": psychologist_a.pk, "organisation": places[0].pk, "hours": "12,5"})
    assert response.status_code == 302
    assert PlacePlan.objects.get().hours == Decimal("12.5")
    # beyond the contract: a clear message on the field, the typed value kept
    response = client.post(url, {"psychologist": psychologist_a.pk, "organisation": places[1].pk, "hours": "499"})
    body = response.content.decode()
    assert response.status_code == 400 and "is-invalid" in body and "499" in body
    assert PlacePlan.objects.count() == 1
    assert f'data-testid="place-plan-{psychologist_a.pk}"' in client.get(url).content.decode()


def test_place_plan_page_queries_do_not_grow(client, network_a, coordinator_a, places):
    url = reverse("article8:place_plan") + f"?year={YEAR}"
    client.force_login(coordinator_a)

    def add(count):
        for _ in range(count):
            p = PsychologistFactory()
            ConventionFactory(psychologist=p, network=network_a, article8_hours_per_year=40)
            plan(network_a, p, places[0], 4, coordinator_a)

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_mission_shows_the_place_plan_beside_the_reserved_hours(client, network_a, psychologist_a, coordinator_a,
                                                                places):
    plan(network_a, psychologist_a, places[0], 6, coordinator_a)
    mission = Mission.objects.create(network=network_a, organisation=places[0], place_name=places[0].name,
                                     place_kind=places[0].kind, mission_type="advice", year=YEAR,
                                     status="under_review")
    approve(mission, psychologist_a, "8", coordinator_a)
    rows = selectors.place_plan_for(psychologist_a, network_a, YEAR)
    assert rows == [{"organisation_id": places[0].pk, "place": places[0].name, "planned": Decimal("6"),
                     "reserved": Decimal("8"), "over": True}]
    client.force_login(coordinator_a)
    body = client.get(reverse("article8:mission_detail", args=[mission.pk])).content.decode()
    assert 'data-testid="mission-place-plan"' in body and "aria-current" in body


# ---- priorities on missions and requests ---------------------------------------------------------------------

def _post_request(client, place, **extra):
    return client.post(reverse("article8:mission_create"), {
        "organisation": place.pk, "mission_type": "advice", "description": "Avis", **extra})


def test_request_carries_priorities_and_the_dashboard_shows_hours_per_priority(client, network_a, coordinator_a,
                                                                              psychologist_a, places):
    south = PriorityFactory(network=network_a, code="south", name_fr="Le sud")
    PriorityFactory(network=network_a, code="elderly", name_fr="Aînés")
    client.force_login(coordinator_a)
    assert 'name="priorities"' in client.get(reverse("article8:mission_create")).content.decode()
    assert _post_request(client, places[0], priorities=[south.pk]).status_code == 302
    mission = Mission.objects.get()
    assert list(PriorityTag.objects.values_list("priority__code", flat=True)) == ["south"]
    assert "Le sud" in client.get(mission.get_absolute_url()).content.decode()
    Mission.objects.filter(pk=mission.pk).update(status="under_review")
    mission.refresh_from_db()
    approve(mission, psychologist_a, "7", coordinator_a)
    rows = {r["key"]: r for r in selectors.dashboard_figures(network_a, YEAR)["by_priority"]}
    assert rows["south"]["reserved"] == Decimal("7") and rows["south"]["missions"] == 1
    assert rows["elderly"]["missions"] == 0
    body = client.get(reverse("article8:dashboard") + f"?year={YEAR}").content.decode()
    assert 'data-testid="table-priority"' in body and "Le sud" in body


def test_another_networks_priority_is_not_offered(client, network_a, network_b, coordinator_a, places):
    PriorityFactory(network=network_a, code="mine")
    foreign = PriorityFactory(network=network_b, code="theirs")
    client.force_login(coordinator_a)
    response = _post_request(client, places[0], priorities=[foreign.pk])
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Mission.objects.exists()


def test_psychologist_proposal_can_carry_priorities(network_a, psychologist_a, psychologist_user_a, places):
    priority = PriorityFactory(network=network_a)
    mission = services.mission_propose(network=network_a, psychologist=psychologist_a, organisation=places[0],
                                       mission_type="advice", description="x", by=psychologist_user_a,
                                       priorities=[priority])
    assert PriorityTag.objects.get().object_id == mission.pk


def test_dashboard_queries_do_not_grow_with_priorities(client, network_a, coordinator_a, psychologist_a):
    priorities = [PriorityFactory(network=network_a) for _ in range(2)]
    for i in range(3):
        m = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
        services.mission_priorities_set(mission=m, priorities=priorities, by=coordinator_a)
    with CaptureQueriesContext(connection) as few:
        selectors.dashboard_figures(network_a, YEAR)
    for i in range(27):
        m = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
        services.mission_priorities_set(mission=m, priorities=priorities, by=coordinator_a)
    with CaptureQueriesContext(connection) as many:
        figures = selectors.dashboard_figures(network_a, YEAR)
    assert len(many) == len(few)
    assert [r["missions"] for r in figures["by_priority"]] == [30, 30]


# ---- information moments ------------------------------------------------------------------------------------

def test_dashboard_counts_the_information_moments(client, network_a, coordinator_a):
    from figures.models import InformationMoment

    for audience, people in (("gp_circle", 12), ("gp_circle", 8), ("team_meeting", 5)):
        InformationMoment.objects.create(network=network_a, date=dt.date(YEAR, 3, 1), place="Salle",
                                         audience_type=audience, participants=people, topic="Offre")
    InformationMoment.objects.create(network=network_a, date=dt.date(YEAR - 1, 3, 1), place="Salle",
                                     audience_type="other", participants=50, topic="Offre")
    moments = selectors.dashboard_figures(network_a, YEAR)["information_moments"]
    assert (moments["count"], moments["participants"]) == (3, 25)
    assert [(r["key"], r["count"]) for r in moments["by_audience"]] == [("gp_circle", 2), ("team_meeting", 1)]
    client.force_login(coordinator_a)
    body = client.get(reverse("article8:dashboard") + f"?year={YEAR}").content.decode()
    assert 'data-testid="table-moments"' in body


# ---- priorities changed after creation ------------------------------------------------------------------------

def test_coordinator_changes_a_missions_priorities_from_its_page_audited(client, network_a, coordinator_a,
                                                                         psychologist_a):
    south = PriorityFactory(network=network_a, code="south", name_fr="Le sud")
    elderly = PriorityFactory(network=network_a, code="elderly", name_fr="Aînés")
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
    services.mission_priorities_set(mission=mission, priorities=[south], by=coordinator_a)
    client.force_login(coordinator_a)
    detail = client.get(mission.get_absolute_url()).content.decode()
    url = reverse("article8:mission_priorities", args=[mission.pk])
    assert url in detail
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": mission.version, "priorities": [elderly.pk]})
    assert response.status_code == 302
    assert sorted(PriorityTag.objects.filter(object_id=mission.pk).values_list("priority__code", flat=True)) \
        == ["elderly"]
    entry = AuditEntry.objects.get(action="article8.mission.priorities_changed", object_id=str(mission.pk))
    assert entry.before == {"priorities": ["south"]} and entry.after == {"priorities": ["elderly"]}
    assert entry.actor == coordinator_a
    rows = {r["key"]: r for r in selectors.dashboard_figures(network_a, YEAR)["by_priority"]}
    assert rows["elderly"]["missions"] == 1 and rows["south"]["missions"] == 0


def test_stale_priorities_form_gives_409_and_changes_nothing(client, network_a, coordinator_a, psychologist_a):
    south = PriorityFactory(network=network_a, code="south")
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
    client.force_login(coordinator_a)
    url = reverse("article8:mission_priorities", args=[mission.pk])
    assert client.post(url, {"version": mission.version + 5, "priorities": [south.pk]}).status_code == 409
    assert not PriorityTag.objects.exists()


def test_priorities_of_another_network_or_by_a_psychologist_are_refused(client, network_a, network_b, coordinator_a,
                                                                        psychologist_a, psychologist_user_a):
    foreign = PriorityFactory(network=network_b, code="theirs")
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
    client.force_login(coordinator_a)
    url = reverse("article8:mission_priorities", args=[mission.pk])
    response = client.post(url, {"version": mission.version, "priorities": [foreign.pk]})
    assert response.status_code == 400 and "priorities" in response.context["form"].errors
    with pytest.raises(PermissionDenied):
        services.mission_priorities_update(mission=mission, priorities=[], by=psychologist_user_a)
    client.force_login(psychologist_user_a)
    assert client.get(url).status_code == 403
    assert not PriorityTag.objects.exists()


def test_unchanged_priorities_write_no_audit_entry(network_a, coordinator_a, psychologist_a):
    south = PriorityFactory(network=network_a, code="south")
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
    services.mission_priorities_update(mission=mission, priorities=[south], by=coordinator_a)
    services.mission_priorities_update(mission=mission, priorities=[south], by=coordinator_a)
    assert AuditEntry.objects.filter(action="article8.mission.priorities_changed").count() == 1
