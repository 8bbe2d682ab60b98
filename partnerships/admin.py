"""Admin: the per-network settings are editable; requests and agreements are read-only there (their changes go
through the services, which keep the audit trail)."""
from django.contrib import admin

from .models import Agreement, CollaborationRequest, PartnershipSettings


@admin.register(PartnershipSettings)
class PartnershipSettingsAdmin(admin.ModelAdmin):
    list_display = ["network", "retention_months", "link_validity_days", "session_fee"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CollaborationRequest)
class CollaborationRequestAdmin(ReadOnlyAdmin):
    list_display = ["reference", "organisation_name", "network", "status", "received_at", "due_on"]
    list_filter = ["status", "network"]
    search_fields = ["organisation_name"]
    exclude = ["access_token_hash"]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["reference", "partner_name", "network", "psychologist", "status", "starts_on", "ends_on"]
    list_filter = ["status", "network"]
    exclude = ["partner_token_hash"]
