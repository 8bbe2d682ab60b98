"""The request pipeline: each step is a named transition, dated and attributed in the audit trail."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from partnerships import services
from partnerships.choices import Outcome, Status
from partnerships.models import Proposal
from psynet.models import AuditEntry, Notification

from .conftest import FORM


def submit(psynam, municipality="gembloux", groups=("24_64",), **kw):
    data = {**{k: v for k, v in FORM.items() if k != "consent"}, "municipality": psynam[municipality],
            "age_groups": list(groups)}
    return services.partnership_request_submit(data=data, language="fr", **kw).requests[0]


def actions(req):
    return list(AuditEntry.objects.filter(object_id=str(req.pk), content_type__model="collaborationrequest")
                .order_by("at", "pk").values_list("action", "before", "after", "actor__email", "actor_label"))


def test_full_pipeline_is_dated_and_attributed(psynam):
    req = submit(psynam)
    lc, nc = psynam["rsn_lc_west"], psynam["rsn_nc"]
    services.partnership_request_assign(partnership_request=req, coordinator=lc, by=nc)
    services.partnership_request_record_contact(partnership_request=req, contact_on=timezone.localdate(),
                                                channel="phone", summary="Appel avec la directrice", by=lc)
    services.partnership_request_analyse_needs(partnership_request=req, analysis="Deux groupes par mois.", by=lc)
    services.partnership_request_propose(partnership_request=req, psychologists=[psynam["rsn_psy"]], note="",
                                         by=lc)
    req.refresh_from_db()
    assert req.status == Status.PSYCHOLOGIST_PROPOSED
    assert req.assigned_to == lc and req.contacted_at and req.needs_analysed_at
    steps = [(a, b.get("status"), c.get("status"), who) for a, b, c, who, _l in actions(req)]
    assert steps == [
        ("partnerships.request.received", None, "received", None),
        ("partnerships.request.assigned", "received", "assigned", nc.email),
        ("partnerships.request.contacted", "assigned", "contacted", lc.email),
        ("partnerships.request.needs_analysed", "contacted", "needs_analysed", lc.email),
        ("partnerships.request.psychologist_proposed", "needs_analysed", "psychologist_proposed", lc.email),
    ]
    assert actions(req)[0][4] == services.PUBLIC_FORM
    assert Proposal.objects.filter(request=req, psychologist=psynam["rsn_psy"]).exists()


def test_assigned_coordinator_is_notified(psynam):
    req = submit(psynam)
    services.partnership_request_assign(partnership_request=req, coordinator=psynam["rsn_lc_west"],
                                        by=psynam["rsn_nc"])
    assert Notification.objects.filter(recipient=psynam["rsn_lc_west"], key__contains=":assigned:").count() == 1


def test_forbidden_moves_are_refused_and_leave_no_trace(psynam):
    req = submit(psynam)
    lc = psynam["rsn_lc_west"]
    with pytest.raises(services.InvalidTransition):
        services.partnership_request_analyse_needs(partnership_request=req, analysis="trop tôt", by=lc)
    with pytest.raises(services.InvalidTransition):
        services.partnership_request_propose(partnership_request=req, psychologists=[psynam["rsn_psy"]], note="",
                                             by=lc)
    req.refresh_from_db()
    assert req.status == Status.RECEIVED and req.needs_analysis == ""
    assert [a for a, *_ in actions(req)] == ["partnerships.request.received"]


def test_first_contact_without_assignment_assigns_the_coordinator_who_made_it(psynam):
    req = submit(psynam)
    lc = psynam["rsn_lc_west"]
    services.partnership_request_record_contact(partnership_request=req, contact_on=timezone.localdate(),
                                                channel="email", summary="Mail", by=lc)
    req.refresh_from_db()
    assert req.status == Status.CONTACTED and req.assigned_to == lc
    assert [a for a, *_ in actions(req)][-2:] == ["partnerships.request.assigned", "partnerships.request.contacted"]


def test_contact_date_in_the_future_is_refused(psynam):
    req = submit(psynam)
    with pytest.raises(services.PartnershipError):
        services.partnership_request_record_contact(partnership_request=req, channel="phone", summary="x",
                                                    contact_on=timezone.localdate() + dt.timedelta(days=1),
                                                    by=psynam["rsn_nc"])


def test_contact_recorded_days_later_counts_from_the_day_it_took_place(psynam):
    """A call made within the 10 working days but written into the portal after the deadline meets it."""
    received = timezone.now() - dt.timedelta(days=30)
    req = submit(psynam, now=received)
    called_on = timezone.localtime(received).date() + dt.timedelta(days=2)
    services.partnership_request_record_contact(partnership_request=req, contact_on=called_on, channel="phone",
                                                summary="Appel", by=psynam["rsn_lc_west"])
    req.refresh_from_db()
    assert timezone.localtime(req.contacted_at).date() == called_on <= req.due_on
    services.partnership_request_record_contact(partnership_request=req, contact_on=timezone.localdate(),
                                                channel="email", summary="Relance", by=psynam["rsn_lc_west"])
    req.refresh_from_db()
    assert timezone.localtime(req.contacted_at).date() == called_on  # the first contact stays the first


def test_contact_date_before_the_request_is_refused(psynam):
    req = submit(psynam)
    with translation.override("en"), pytest.raises(services.PartnershipError, match="before the request was received"):
        services.partnership_request_record_contact(
            partnership_request=req, channel="phone", summary="x", by=psynam["rsn_nc"],
            contact_on=timezone.localtime(req.received_at).date() - dt.timedelta(days=1))
    req.refresh_from_db()
    assert req.status == Status.RECEIVED and req.contacted_at is None and not req.events.exists()


def test_local_coordinator_of_another_zone_cannot_act(psynam):
    req = submit(psynam, municipality="gembloux")  # zone Ouest only
    with pytest.raises(PermissionDenied):
        services.partnership_request_assign(partnership_request=req, coordinator=psynam["rsn_lc_east"],
                                            by=psynam["rsn_lc_east"])
    with pytest.raises(PermissionDenied):
        services.partnership_request_record_contact(partnership_request=req, contact_on=timezone.localdate(),
                                                    channel="phone", summary="x", by=psynam["rsn_lc_east"])


def test_coordinator_of_the_other_network_cannot_act(psynam):
    req = submit(psynam)
    with pytest.raises(PermissionDenied):
        services.partnership_request_assign(partnership_request=req, coordinator=psynam["rsn_lc_west"],
                                            by=psynam["rsk_nc"])


def test_assignee_must_be_a_coordinator_of_the_zone(psynam):
    req = submit(psynam)
    with pytest.raises(services.PartnershipError):
        services.partnership_request_assign(partnership_request=req, coordinator=psynam["rsn_lc_east"],
                                            by=psynam["rsn_nc"])


def test_decline_closes_with_reason_tells_the_partner_and_is_audited(psynam, mailoutbox,
                                                                      django_capture_on_commit_callbacks):
    req = submit(psynam)
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_request_decline(partnership_request=req, reason="Hors du champ de la convention.",
                                             by=psynam["rsn_nc"])
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.outcome == Outcome.DECLINED and req.closed_at
    assert "Hors du champ de la convention." in mailoutbox[-1].body
    action, _before, after, _who, _label = actions(req)[-1]
    assert action == "partnerships.request.closed" and after == {"status": "closed", "outcome": "declined"}
    with pytest.raises(services.InvalidTransition):
        services.partnership_request_decline(partnership_request=req, reason="encore", by=psynam["rsn_nc"])


def test_decline_needs_a_reason(psynam):
    req = submit(psynam)
    with pytest.raises(services.PartnershipError):
        services.partnership_request_decline(partnership_request=req, reason="  ", by=psynam["rsn_nc"])


def test_close_completed_or_withdrawn(psynam):
    req = submit(psynam)
    services.partnership_request_assign(partnership_request=req, coordinator=psynam["rsn_lc_west"],
                                        by=psynam["rsn_nc"])
    services.partnership_request_close(partnership_request=req, outcome=Outcome.WITHDRAWN, note="Plus d'intérêt",
                                       by=psynam["rsn_lc_west"])
    req.refresh_from_db()
    assert (req.status, req.outcome) == (Status.CLOSED, Outcome.WITHDRAWN)


def test_triage_request_routed_by_the_network_coordinator(psynam):
    req = submit(psynam, municipality="liege")
    assert req.network is None
    with pytest.raises(PermissionDenied):
        services.partnership_request_route(partnership_request=req, zones=[psynam["rsn_west"]],
                                           by=psynam["rsn_lc_west"])
    services.partnership_request_route(partnership_request=req, zones=[psynam["rsn_west"]], by=psynam["rsn_nc"])
    req.refresh_from_db()
    assert req.network == psynam["rsn"] and req.triage_reason == "" and req.triage_networks.count() == 0
    assert Notification.objects.filter(recipient=psynam["rsn_lc_west"], key__contains=":routed:").exists()
    assert actions(req)[-1][0] == "partnerships.request.routed"


def test_zone_of_another_network_is_refused_when_routing(psynam):
    req = submit(psynam, municipality="liege")
    with pytest.raises(services.PartnershipError):
        services.partnership_request_route(partnership_request=req, zones=[psynam["rsk_west"]], by=psynam["rsn_nc"])


def test_transfer_to_the_other_network_lands_in_its_triage(psynam):
    req = submit(psynam, groups=("24_64",))
    services.partnership_request_transfer(partnership_request=req, to_network=psynam["rsk"],
                                          reason="Public en fait de 16 ans", by=psynam["rsn_nc"])
    req.refresh_from_db()
    assert req.network == psynam["rsk"] and "RSN" in req.triage_reason and req.zones.count() == 0
    assert Notification.objects.filter(recipient=psynam["rsk_nc"], key__contains=":transferred:").exists()


def test_propose_only_psychologists_with_a_current_convention(psynam):
    from tests.factories import PsychologistFactory

    req = submit(psynam)
    lc = psynam["rsn_lc_west"]
    services.partnership_request_record_contact(partnership_request=req, contact_on=timezone.localdate(),
                                                channel="phone", summary="x", by=lc)
    services.partnership_request_analyse_needs(partnership_request=req, analysis="y", by=lc)
    with pytest.raises(services.PartnershipError):
        services.partnership_request_propose(partnership_request=req, psychologists=[PsychologistFactory()],
                                             note="", by=lc)
    with pytest.raises(services.PartnershipError):
        services.partnership_request_propose(partnership_request=req, psychologists=[psynam["rsk_psy"]], note="",
                                             by=lc)


def test_requests_contacted_before_take_the_day_of_their_first_contact(psynam):
    """The data migration for requests contacted before the first contact counted from its own day."""
    import importlib

    from django.apps import apps

    from partnerships.models import CollaborationRequest

    migration = importlib.import_module("partnerships.migrations.0007_first_contact_on_its_day")
    received = timezone.now() - dt.timedelta(days=30)
    req = submit(psynam, now=received)
    called_on = timezone.localtime(received).date() + dt.timedelta(days=3)
    services.partnership_request_record_contact(partnership_request=req, contact_on=called_on, channel="phone",
                                                summary="Appel", by=psynam["rsn_lc_west"])
    late = timezone.now()  # as the portal recorded it before: the moment the contact was written in
    CollaborationRequest.objects.filter(pk=req.pk).update(contacted_at=late)
    untouched = submit(psynam)
    migration.first_contact_day(apps, None)
    req.refresh_from_db()
    untouched.refresh_from_db()
    assert timezone.localtime(req.contacted_at).date() == called_on
    assert untouched.contacted_at is None
