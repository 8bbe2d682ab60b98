"""Article 8 URLs for tests/test_authorization_matrix.py: roles answered 200 on GET."""
NC, LC, CM, AS, PS = "network_coordinator", "local_coordinator", "committee_member", "admin_staff", "psychologist"
ALL = {NC, LC, CM, AS, PS}

EXPECTATIONS = {
    "article8:index": (None, ALL),
    "article8:mission_create": (None, {NC, LC}),
    "article8:mission_propose": (None, {PS}),
    "article8:mission_detail": ("a8_mission", ALL),
    "article8:mission_review": ("a8_mission", "post-only"),
    # The network's default deciders: network and local coordinators (Article8Settings).
    "article8:mission_approve": ("a8_mission", {NC, LC}),
    "article8:mission_refuse": ("a8_mission", {NC, LC}),
    "article8:mission_priorities": ("a8_mission", {NC, LC}),
    "article8:mission_plan": ("a8_mission", {NC, LC}),
    "article8:mission_deliver": ("a8_mission", "post-only"),
    "article8:mission_close": ("a8_mission", "post-only"),
    "article8:activity_create": ("a8_mission", {NC, LC, PS}),
    "article8:contact_hour_list": (None, {NC, LC, PS}),
    "article8:contact_hour_create": (None, {NC, LC, PS}),
    "article8:contact_hour_update": ("a8_contact_hour", {NC, LC, PS}),
    "article8:offer_list": (None, {NC}),
    "article8:offer_create": (None, {NC}),
    "article8:offer_update": ("a8_offer", {NC}),
    "article8:plan": (None, {NC, LC, CM, AS}),
    "article8:plan_action_create": ("a8_objective", {NC, LC}),
    "article8:plan_action_update": ("a8_plan_action", {NC, LC}),
    "article8:allocation_list": (None, {NC, LC, AS}),
    "article8:allocation_create": (None, {NC, LC}),
    "article8:allocation_decide": ("a8_allocation", {NC}),
    "article8:allocation_paid": ("a8_allocation", {NC, AS}),
    "article8:budget_list": (None, {NC, AS}),
    "article8:place_plan": (None, {NC, LC, CM, AS}),
    "article8:settings": (None, {NC}),
    "article8:dashboard": (None, {NC, LC, CM, AS}),
    "article8:dashboard_export": (None, {NC, LC, CM, AS}),
    "article8:public_offer": ("a8_public", "public"),
}


def build_objects(network_a, role_users):
    """The mission is the psychologist's own and in the local coordinator's zone, so each allowed role sees it."""
    import datetime as dt

    from article8.models import PlanAction, PlanObjective, StartupAllocation
    from psynet.models import Membership, Psychologist
    from tests.factories import OrganisationFactory

    from .factories import ApprovedMissionFactory, ContactHourFactory, OfferFactory

    psychologist = Psychologist.objects.get(user=role_users[PS])
    zone = Membership.objects.get(user=role_users[LC]).zones.get()
    mission = ApprovedMissionFactory(network=network_a, psychologist=psychologist, zone=zone)
    objective = PlanObjective.objects.create(network=network_a, year=2025, title="Make the offer known")
    action = PlanAction.objects.create(objective=objective, network=network_a, title="Meet the GP circles",
                                       owner="LC", deadline=dt.date(2025, 6, 30))
    organisation = OrganisationFactory(network=network_a)
    allocation = StartupAllocation.objects.create(network=network_a, organisation=organisation, zone=zone,
                                                  amount_requested=1000, reason="No money to start")
    return {
        "a8_mission": mission,
        "a8_contact_hour": ContactHourFactory(network=network_a, psychologist=psychologist),
        "a8_offer": OfferFactory(network=network_a),
        "a8_objective": objective,
        "a8_plan_action": action,
        "a8_allocation": allocation,
        "a8_public": {"code": network_a.code},
    }
