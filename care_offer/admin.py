"""Admin: the outreaching eligibility of place types and the budget rules per offer are reference data shared by
every network (seed 003), kept by the portal's administrators; each change is audited like a service's. The
network pages show them read-only (care_offer:eligibility, care_offer:budget_rules)."""
from django.contrib import admin

from psynet.audit import log_action

from .models import OfferBudgetRule, PlaceTypeEligibility

ELIGIBILITY_FIELDS = ["place_kind", "eligible", "reason_fr", "reason_nl", "source"]
BUDGET_RULE_FIELDS = ["offer", "valid_from", "valid_until", "has_budget_limit", "text_fr", "text_nl", "status",
                      "source"]


class AuditedAdmin(admin.ModelAdmin):
    audit_fields = []
    audit_action = ""

    def save_model(self, request, obj, form, change):
        before = {}
        if change and obj.pk:
            old = type(obj).objects.get(pk=obj.pk)
            before = {f: str(getattr(old, f)) for f in self.audit_fields}
        super().save_model(request, obj, form, change)
        log_action(obj, self.audit_action, by=request.user, before=before,
                   after={f: str(getattr(obj, f)) for f in self.audit_fields})

    def delete_model(self, request, obj):
        log_action(obj, self.audit_action.replace(".saved", ".deleted"), by=request.user,
                   before={f: str(getattr(obj, f)) for f in self.audit_fields})
        super().delete_model(request, obj)


@admin.register(PlaceTypeEligibility)
class PlaceTypeEligibilityAdmin(AuditedAdmin):
    list_display = ["place_kind", "eligible", "source", "updated_at"]
    list_filter = ["eligible"]
    search_fields = ["place_kind", "reason_fr", "reason_nl", "source"]
    ordering = ["place_kind"]
    audit_fields = ELIGIBILITY_FIELDS
    audit_action = "care_offer.place_type_eligibility.saved"


@admin.register(OfferBudgetRule)
class OfferBudgetRuleAdmin(AuditedAdmin):
    list_display = ["offer", "valid_from", "valid_until", "has_budget_limit", "status"]
    list_filter = ["offer", "has_budget_limit", "status"]
    date_hierarchy = "valid_from"
    ordering = ["offer", "-valid_from"]
    audit_fields = BUDGET_RULE_FIELDS
    audit_action = "care_offer.budget_rule.saved"
