from django.contrib import admin

from .models import Activity, Article8Settings, Budget, ContactHour, Mission, Offer, StartupAllocation


class ReadOnlyAdmin(admin.ModelAdmin):
    """Writes go through the services (audit, hour checks); the admin only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mission)
class MissionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "network", "mission_type", "place_name", "status", "psychologist", "hours_approved",
                    "hours_delivered", "year"]
    list_filter = ["network", "status", "mission_type", "year"]


for model in (Activity, Article8Settings, Budget, ContactHour, Offer, StartupAllocation):
    admin.site.register(model, ReadOnlyAdmin)
