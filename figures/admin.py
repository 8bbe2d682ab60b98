from django.contrib import admin

from .models import FiguresSnapshot, InformationMoment, OperatingCost


@admin.register(InformationMoment)
class InformationMomentAdmin(admin.ModelAdmin):
    list_display = ["date", "network", "audience_type", "participants", "topic", "cost"]
    list_filter = ["network", "audience_type"]


@admin.register(OperatingCost)
class OperatingCostAdmin(admin.ModelAdmin):
    list_display = ["year", "date", "network", "amount", "purpose"]
    list_filter = ["network", "year"]


@admin.register(FiguresSnapshot)
class FiguresSnapshotAdmin(admin.ModelAdmin):
    """Read-only: a snapshot is frozen with the report's validation."""
    list_display = ["report", "year", "taken_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
