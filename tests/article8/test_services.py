import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from article8 import services
from article8.models import Activity, Article8Settings, Mission, MissionStatus, MissionType
from psynet.models import AuditEntry, Notification, OrganisationKind, Role
from tests.factories import ConventionFactory, OrganisationFactory, PsychologistFactory

from .conftest import approve
from .factories import ApprovedMissionFactory, MissionFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 12, 1)


# ---- hour accounting ---------------------------------------------------------------------------


def test_approval_reserves_hours_against_the_contract_year(mission_a, psychologist_a, coordinator_a):
    approve(mission_a, psychologist_a, "12", coordinator_a)
    assert services.hours_reserved(psychologist_a, mission_a.network, 2025) == Decimal("12")
    assert services.hours_reserved(psychologist_a, mission_a.network, 2026) == 0
    assert AuditEntry.objects.filter(action="article8.mission.approved", object_id=str(mission_a.pk)).exists()


def test_approval_exactly_at_the_contract_hours_is_allowed(network_a, zone_a, mission_a, psychologist_a,
                                                           coordinator_a):
    approve(MissionFactory(network=network_a, status="under_review"), psychologist_a, "30", coordinator_a)
    approve(mission_a, psychologist_a, "10", coordinator_a)  # 30 + 10 = 40 = the contract
    assert services.hours_reserved(psychologist_a, network_a, 2025) == Decimal("40")


def test_approval_a_quarter_hour_beyond_the_contract_is_refused(network_a, mission_a, psychologist_a,
                                                                coordinator_a):
    approve(MissionFactory(network=network_a, status="under_review"), psychologist_a, "30", coordinator_a)
    with pytest.raises(services.HoursExceeded) as refused:
        approve(mission_a, psychologist_a, "10.25", coordinator_a)
    assert refused.value.capacity == Decimal("40") and refused.value.reserved == Decimal("30")
    mission_a.refresh_from_db()
    assert mission_a.status == MissionStatus.UNDER_REVIEW and mission_a.hours_approved == 0


def test_network_coordinator_override_is_recorded_with_its_reason(mission_a, psychologist_a, coordinator_a):
    approve(mission_a, psychologist_a, "45", coordinator_a, override_reason="School year starts; hours to follow")
    mission_a.refresh_from_db()
    assert mission_a.status == MissionStatus.APPROVED
    assert mission_a.hours_override_reason == "School year starts; hours to follow"
    assert mission_a.hours_override_by == coordinator_a
    entry = AuditEntry.objects.get(action="article8.mission.hours_override")
    assert entry.after["reason"] == "School year starts; hours to follow" and entry.after["capacity"] == "40.0"


def test_local_coordinator_cannot_override_even_with_a_reason(mission_a, psychologist_a, local_coordinator_a):
    with pytest.raises(services.HoursExceeded):
        approve(mission_a, psychologist_a, "45", local_coordinator_a, override_reason="please")
    assert not AuditEntry.objects.filter(action="article8.mission.hours_override").exists()


def test_closing_releases_the_hours_not_delivered(network_a, psychologist_a, coordinator_a):
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a, hours_approved=10,
                                     status=MissionStatus.DELIVERED, hours_delivered=4)
    assert services.hours_reserved(psychologist_a, network_a, 2025) == Decimal("10")
    services.mission_close(mission=mission, by=coordinator_a)
    assert services.hours_reserved(psychologist_a, network_a, 2025) == Decimal("4")


def test_activities_consume_hours_and_beyond_the_mission_count_against_the_contract(network_a, psychologist_a,
                                                                                    psychologist_user_a,
                                                                                    coordinator_a):
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a, hours_approved=38)
    log = dict(date=dt.date(2025, 3, 3), is_remote=False, participants=3, theme="Burn-out", today=TODAY)
    services.activity_log(mission=mission, by=psychologist_user_a, hours=Decimal("2"), **log)
    mission.refresh_from_db()
    assert mission.hours_delivered == 2 and services.hours_reserved(psychologist_a, network_a, 2025) == 38
    # 36 h left on the mission; the contract has 2 h free beyond it.
    for _ in range(3):
        services.activity_log(mission=mission, by=psychologist_user_a, hours=Decimal("12"), **log)
    services.activity_log(mission=mission, by=psychologist_user_a, hours=Decimal("2"), **log)  # exactly 40
    assert services.hours_reserved(psychologist_a, network_a, 2025) == Decimal("40")
    with pytest.raises(services.HoursExceeded):
        services.activity_log(mission=mission, by=psychologist_user_a, hours=Decimal("0.25"), **log)
    assert Activity.objects.filter(mission=mission).count() == 5


@pytest.mark.parametrize("hours", ["-1", "0", "0.1", "12.5", "100", "abc"])
def test_negative_or_absurd_durations_are_refused(network_a, psychologist_a, psychologist_user_a, hours):
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
    with pytest.raises(services.Article8Error) as refused:
        services.activity_log(mission=mission, by=psychologist_user_a, hours=hours, date=dt.date(2025, 3, 3),
                              is_remote=False, participants=1, theme="x", today=TODAY)
    assert refused.value.field == "hours"
    assert not Activity.objects.exists()


@pytest.mark.parametrize("date", [dt.date(2024, 12, 31), dt.date(2026, 1, 1)])
def test_activity_dated_outside_the_mission_is_refused(network_a, psychologist_a, psychologist_user_a, date):
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
    with pytest.raises(services.Article8Error) as refused:
        services.activity_log(mission=mission, by=psychologist_user_a, hours=1, date=date, is_remote=True,
                              participants=1, theme="x", today=dt.date(2026, 6, 1))
    assert refused.value.field == "date"


def test_activity_on_the_mission_s_first_and_last_day_is_accepted(network_a, psychologist_a, psychologist_user_a):
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
    for date in (mission.start_on, mission.end_on):
        services.activity_log(mission=mission, by=psychologist_user_a, hours=1, date=date, is_remote=True,
                              participants=1, theme="x", today=dt.date(2026, 1, 5))
    assert Activity.objects.count() == 2


def test_psychologist_cannot_log_on_someone_else_s_mission(network_a, psychologist_user_a):
    other = PsychologistFactory()
    ConventionFactory(psychologist=other, network=network_a)
    mission = ApprovedMissionFactory(network=network_a, psychologist=other)
    with pytest.raises(PermissionDenied):
        services.activity_log(mission=mission, by=psychologist_user_a, hours=1, date=dt.date(2025, 3, 3),
                              is_remote=True, participants=1, theme="x", today=TODAY)


def test_accreditation_only_for_knowledge_sharing_with_gps(network_a, psychologist_a, psychologist_user_a):
    school = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a, place_kind="school",
                                    mission_type=MissionType.KNOWLEDGE_SHARING)
    with pytest.raises(services.Article8Error):
        services.activity_log(mission=school, by=psychologist_user_a, hours=2, date=dt.date(2025, 3, 3),
                              is_remote=False, participants=12, theme="x", accreditation_requested=True, today=TODAY)
    glem = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a, place_kind="gp_practice",
                                  mission_type=MissionType.KNOWLEDGE_SHARING, hours_approved=4)
    activity = services.activity_log(mission=glem, by=psychologist_user_a, hours=2, date=dt.date(2025, 3, 3),
                                     is_remote=False, participants=12, theme="Suicide risk",
                                     accreditation_requested=True, today=TODAY)
    assert activity.accreditation_status == "requested"


def test_stale_version_is_refused(network_a, psychologist_a, psychologist_user_a):
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
    stale = mission.version
    services.activity_log(mission=mission, by=psychologist_user_a, hours=1, date=dt.date(2025, 3, 3),
                          is_remote=True, participants=1, theme="x", expected_version=stale, today=TODAY)
    with pytest.raises(services.EditConflict):
        services.activity_log(mission=mission, by=psychologist_user_a, hours=1, date=dt.date(2025, 3, 3),
                              is_remote=True, participants=1, theme="x", expected_version=stale, today=TODAY)


# ---- transitions and who decides -----------------------------------------------------------------


def test_full_path_received_to_closed(network_a, zone_a, psychologist_a, psychologist_user_a, coordinator_a):
    mission = services.mission_request_create(network=network_a, mission_type=MissionType.CO_CONSULTATION,
                                              description="Patient with anxiety", by=coordinator_a,
                                              place_name="Cabinet X", place_kind="gp_practice", zone=zone_a)
    services.mission_review(mission=mission, by=coordinator_a)
    approve(mission, psychologist_a, "6", coordinator_a)
    services.mission_plan(mission=mission, planning_note="Tuesdays in March", by=coordinator_a)
    services.activity_log(mission=mission, by=psychologist_user_a, hours=2, date=dt.date(2025, 3, 4),
                          is_remote=False, participants=2, theme="Anxiety", today=TODAY)
    services.mission_deliver(mission=mission, by=psychologist_user_a)
    services.mission_close(mission=mission, by=coordinator_a)
    mission.refresh_from_db()
    assert mission.status == MissionStatus.CLOSED
    actions = list(AuditEntry.objects.filter(object_id=str(mission.pk), action__startswith="article8.mission.")
                   .order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["article8.mission.received", "article8.mission.under_review", "article8.mission.approved",
                       "article8.mission.planned", "article8.mission.delivered", "article8.mission.closed"]


def test_approving_a_request_not_under_review_is_an_invalid_transition(network_a, psychologist_a, coordinator_a):
    mission = MissionFactory(network=network_a, status=MissionStatus.RECEIVED)
    with pytest.raises(services.InvalidTransition):
        approve(mission, psychologist_a, "2", coordinator_a)


def test_refusal_needs_a_reason(mission_a, coordinator_a):
    with pytest.raises(services.Article8Error):
        services.mission_refuse(mission=mission_a, reason="  ", by=coordinator_a)
    services.mission_refuse(mission=mission_a, reason="Not a first-line actor", by=coordinator_a)
    mission_a.refresh_from_db()
    assert mission_a.status == MissionStatus.REFUSED and mission_a.refusal_reason == "Not a first-line actor"


def test_who_decides_is_a_network_setting(mission_a, psychologist_a, local_coordinator_a, committee_a,
                                          coordinator_a):
    assert services.can_decide(local_coordinator_a, mission_a)
    assert not services.can_decide(committee_a, mission_a)
    services.settings_update(network=mission_a.network, decision_roles=[Role.COMMITTEE_MEMBER],
                             behind_pace_margin=10, by=coordinator_a)
    assert not services.can_decide(local_coordinator_a, mission_a)
    with pytest.raises(PermissionDenied):
        approve(mission_a, psychologist_a, "2", local_coordinator_a)
    approve(mission_a, psychologist_a, "2", committee_a)
    assert Article8Settings.objects.get(network=mission_a.network).decision_roles == [Role.COMMITTEE_MEMBER]


def test_psychologist_cannot_decide(mission_a, psychologist_a, psychologist_user_a):
    with pytest.raises(PermissionDenied):
        approve(mission_a, psychologist_a, "2", psychologist_user_a)


def test_local_coordinator_of_another_zone_cannot_review(network_a, zone_a2, local_coordinator_a):
    mission = MissionFactory(network=network_a, zone=zone_a2)
    with pytest.raises(PermissionDenied):
        services.mission_review(mission=mission, by=local_coordinator_a)


# ---- alerts --------------------------------------------------------------------------------------


def test_hour_alerts_at_80_and_100_percent_are_sent_once(network_a, zone_a, psychologist_a, psychologist_user_a,
                                                         coordinator_a, local_coordinator_a, mailoutbox):
    psychologist_a.conventions.get().zones.set([zone_a])
    approve(MissionFactory(network=network_a, status="under_review"), psychologist_a, "31", coordinator_a)
    assert not Notification.objects.filter(key__startswith="article8.hours.").exists()
    approve(MissionFactory(network=network_a, status="under_review"), psychologist_a, "1", coordinator_a)  # 80 %
    keys = set(Notification.objects.filter(key__startswith="article8.hours.").values_list("recipient__email", "key"))
    assert {r for r, _ in keys} == {psychologist_user_a.email, local_coordinator_a.email}
    assert all(k.endswith(".80") for _, k in keys)
    approve(MissionFactory(network=network_a, status="under_review"), psychologist_a, "1", coordinator_a)  # 82.5 %
    assert Notification.objects.filter(key__startswith="article8.hours.").count() == 2
    approve(MissionFactory(network=network_a, status="under_review"), psychologist_a, "7", coordinator_a)  # 100 %
    assert Notification.objects.filter(key__endswith=".100").count() == 2
    services.check_hour_alerts(psychologist=psychologist_a, network=network_a, year=2025)
    assert Notification.objects.filter(key__startswith="article8.hours.").count() == 4


def test_behind_pace_check_tells_the_network_coordinator_once_a_month(network_a, psychologist_a, coordinator_a,
                                                                      local_coordinator_a):
    from .factories import BudgetFactory

    BudgetFactory(network=network_a, amount=Decimal("10000"), hourly_amount=Decimal("100"))
    ApprovedMissionFactory(network=network_a, psychologist=psychologist_a)
    Activity.objects.create(mission=Mission.objects.get(), network=network_a, psychologist=psychologist_a,
                            date=dt.date(2025, 2, 1), hours=5, mission_type="advice", place_name="x",
                            place_kind="school", theme="x")  # 500 EUR = 5 % of the budget
    sent = services.behind_pace_check(today=dt.date(2025, 4, 20))  # 30 % of the year gone
    assert [n.recipient for n in sent] == [coordinator_a]
    assert services.behind_pace_check(today=dt.date(2025, 4, 28)) == []
    assert len(services.behind_pace_check(today=dt.date(2025, 5, 2))) == 1
    assert services.behind_pace_check(today=dt.date(2025, 1, 20)) == []  # 5 % used, 5 % gone: on pace


# ---- requests from partnerships ------------------------------------------------------------------


def test_partnership_requests_are_idempotent_on_the_source_reference(network_a, zone_a):
    organisation = OrganisationFactory(network=network_a, kind=OrganisationKind.CPMS)
    kwargs = dict(network=network_a, organisation=organisation, organisation_name=organisation.name,
                  place_kind=OrganisationKind.CPMS, zone=zone_a,
                  mission_types=[MissionType.CO_CONSULTATION, MissionType.KNOWLEDGE_SHARING],
                  description="Teachers ask for help", contact_name="Mme Dupont", contact_email="d@cpms.example",
                  source_reference="collab-42")
    first = services.mission_request_create_from_partnership(**kwargs)
    again = services.mission_request_create_from_partnership(**kwargs)
    assert [m.pk for m in first] == [m.pk for m in again]
    assert Mission.objects.filter(source="partnership", status="received").count() == 2
    assert set(Mission.objects.values_list("source_reference", flat=True)) == {
        "collab-42:co_consultation", "collab-42:knowledge_sharing"}


def test_partnership_request_rejects_unknown_mission_types(network_a):
    with pytest.raises(ValueError):
        services.mission_request_create_from_partnership(
            network=network_a, organisation_name="X", place_kind="school", mission_types=["massage"],
            description="", contact_name="", contact_email="", source_reference="r1")


def test_new_request_notifies_the_zone_s_local_coordinator(network_a, zone_a, local_coordinator_a, coordinator_a):
    services.mission_request_create(network=network_a, mission_type="advice", description="?", by=coordinator_a,
                                    place_name="AMO", place_kind="youth_aid", zone=zone_a)
    assert Notification.objects.get(key__endswith=".received").recipient == local_coordinator_a
