"""Admin staff keep the rule tables up to date here (Django admin, model permissions of the billing app)."""
from django.contrib import admin

from .models import BillingParameter, CopayRule, FeeRule, QuotaRule, QuotaExtension


class RuleAdmin(admin.ModelAdmin):
    list_filter = ("status",)
    search_fields = ("source",)


@admin.register(FeeRule)
class FeeRuleAdmin(RuleAdmin):
    list_display = ("code", "model", "unit", "amount_eur", "valid_from", "valid_to", "status")


@admin.register(CopayRule)
class CopayRuleAdmin(RuleAdmin):
    list_display = ("position", "code", "format", "bim", "age_max", "first_session", "amount_eur", "valid_from",
                    "valid_to", "status")
    ordering = ("position",)


@admin.register(QuotaRule)
class QuotaRuleAdmin(RuleAdmin):
    list_display = ("model", "band", "function", "format", "max_sessions", "period", "valid_from", "valid_to",
                    "status")


@admin.register(BillingParameter)
class BillingParameterAdmin(RuleAdmin):
    list_display = ("code", "value", "valid_from", "valid_to", "status")


@admin.register(QuotaExtension)
class QuotaExtensionAdmin(admin.ModelAdmin):
    list_display = ("network", "patient", "function", "format", "valid_from", "valid_to", "extra_sessions",
                    "granted_by")
    readonly_fields = [f.name for f in QuotaExtension._meta.fields]

    def has_add_permission(self, request):
        return False  # granted through the portal (audited), not here

    def has_delete_permission(self, request, obj=None):
        return False
