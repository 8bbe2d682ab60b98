"""Every billing read, scoped to the active network (another network's object is a 404). A psychologist sees only
their own sessions and statements."""
from django.db.models import F, IntegerField, Q, Value
from django.db.models import CharField as CharFieldType

from psynet import permissions
from psynet.models import Organisation, Psychologist, Role

from .models import (
    BillingParameter, CareSession, CopayRule, FeeRule, FunctionalAssessment, GroupSession, ImportBatch, QuotaRule,
    Setting, Statement,
)


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


def assessments_in(network, user=None):
    """Functional assessments recorded in the network; a psychologist sees those they did."""
    qs = FunctionalAssessment.objects.filter(network=network).select_related("psychologist", "patient",
                                                                             "recorded_by")
    if user is not None and is_psychologist_only(user, network):
        qs = qs.filter(psychologist__user=user)
    return qs.order_by("-date", "-pk")


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


# ---- outreaching sessions at places that do not count as outreaching (issue 10) ----------------------------


def outreach_breaches_in(network):
    """Outreaching sessions already registered at a place of the network where sessions cannot count as
    outreaching (the place's own decision, or its type's rule, in care_offer): individual sessions and group
    sessions (one row per group), newest first. One UNION query; the page resolves names with
    ``outreach_breach_rows``."""
    from care_offer.selectors import ineligible_outreach_places

    places = ineligible_outreach_places(network).order_by().values("pk")
    individual = (CareSession.objects.filter(network=network, setting=Setting.OUTREACH, group__isnull=True,
                                             place__in=places)
                  .annotate(kind=Value("individual", output_field=CharFieldType()),
                            people=Value(1, output_field=IntegerField()))
                  .values("pk", "date", "psychologist_id", "place_id", "function", "kind", "people").order_by())
    groups = (GroupSession.objects.filter(network=network, setting=Setting.OUTREACH, place__in=places)
              .annotate(kind=Value("group", output_field=CharFieldType()),
                        people=F("head_count"))
              .values("pk", "date", "psychologist_id", "place_id", "function", "kind", "people").order_by())
    return individual.union(groups, all=True).order_by("-date", "-pk")


def outreach_breach_rows(rows):
    """The rows of one page with their psychologist, place and the rule that makes the place ineligible: three
    queries whatever the page size."""
    from care_offer.selectors import place_type_rules

    rows = list(rows)
    psychologists = Psychologist.objects.in_bulk({r["psychologist_id"] for r in rows})
    places = Organisation.objects.select_related("eligibility_override").in_bulk({r["place_id"] for r in rows})
    type_rules = {rule.place_kind: rule for rule in place_type_rules()} if rows else {}
    out = []
    for r in rows:
        place = places.get(r["place_id"])
        override = getattr(place, "eligibility_override", None) if place else None
        if override is not None:
            rule = override.reason
        else:
            type_rule = type_rules.get(place.kind) if place else None
            rule = type_rule.reason if type_rule else ""
        out.append({**r, "psychologist": psychologists.get(r["psychologist_id"]), "place": place, "rule": rule,
                    "is_place_decision": override is not None})
    return out
