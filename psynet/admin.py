from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEntry, Convention, Membership, Municipality, Network, Notification, Organisation, PostalCode,
    Psychologist, User, Zone,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "is_federal_viewer", "groups",
                                  "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class PostalCodeInline(admin.TabularInline):
    model = PostalCode
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["nis_code", "name_fr", "name_nl", "province_fr", "population"]
    list_filter = ["region", "province_fr"]
    search_fields = ["nis_code", "name_fr", "name_nl", "postal_codes__code"]
    inlines = [PostalCodeInline]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province_nis", "generic_email"]
    search_fields = ["code", "name"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "network"]
    list_filter = ["network"]
    filter_horizontal = ["municipalities"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "network", "role", "is_active"]
    list_filter = ["network", "role", "is_active"]
    search_fields = ["user__email"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "network", "municipality"]
    list_filter = ["network", "kind"]
    search_fields = ["name"]


class ConventionInline(admin.TabularInline):
    model = Convention
    extra = 0


@admin.register(Psychologist)
class PsychologistAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "inami_number", "employment"]
    search_fields = ["last_name", "first_name", "inami_number"]
    inlines = [ConventionInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is never edited or deleted."""

    list_display = ["at", "network", "action", "actor", "object_repr"]
    list_filter = ["network", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "emailed_at", "read_at"]
    search_fields = ["recipient__email", "key"]
