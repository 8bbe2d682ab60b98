"""Every billing read, scoped to the active network (another network's object is a 404). A psychologist sees only
their own sessions and statements."""
from django.db.models import Q

from psynet import permissions
from psynet.models import Organisation, Psychologist, Role

from .models import BillingParameter, CareSession, CopayRule, FeeRule, GroupSession, ImportBatch, QuotaRule, Statement


def own_psychologist(user, network):
    """The Psychologist row of a user whose role in ``network`` is psychologist, else None."""
    membership = permissions.membership_for(user, network.pk)
    if membership is None or membership.role != Role.PSYCHOLOGIST:
        return None
    return Psychologist.objects.filter(user=user).first()


def is_psychologist_only(user, network):
    membership = permissions.membership_for(user, network.pk)
    return membership is not None and membership.role == Role.PSYCHOLOGIST


def psychologists_in(network):
    return Psychologist.objects.filter(conventions__network=network).distinct().order_by("last_name", "first_name")


def places_in(network):
    return Organisation.objects.filter(network=network).order_by("name")


def sessions_in(network, user=None):
    qs = CareSession.objects.filter(network=network).select_related("psychologist", "patient", "place", "group")
    if user is not None and is_psychologist_only(user, network):
        qs = qs.filter(psychologist__user=user)
    return qs


def group_sessions_in(network, user=None):
    qs = GroupSession.objects.filter(network=network).select_related("psychologist", "place", "fee_rule")
    if user is not None and is_psychologist_only(user, network):
        qs = qs.filter(Q(psychologist__user=user) | Q(co_psychologist__user=user))
    return qs


def statements_in(network, user=None):
    qs = Statement.objects.filter(network=network).select_related("psychologist", "generated_by")
    if user is not None and is_psychologist_only(user, network):
        qs = qs.filter(psychologist__user=user)
    return qs


def imports_in(network):
    return ImportBatch.objects.filter(network=network).select_related("uploaded_by")


def rules_in_force(day):
    def live(qs):
        return [r for r in qs if r.in_force_on(day)]

    return {
        "fees": live(FeeRule.objects.order_by("code", "valid_from")),
        "copays": live(CopayRule.objects.order_by("position")),
        "quotas": live(QuotaRule.objects.order_by("model", "band", "function", "format")),
        "parameters": live(BillingParameter.objects.order_by("code")),
    }
