"""Read-only views of the annual-report data: every change goes through the services and the pages."""
from django.contrib import admin

from .models import AnnualReport, ReportTemplate


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportTemplate)
class ReportTemplateAdmin(ReadOnlyAdmin):
    list_display = ["year", "version", "deadline", "updated_at"]


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = ["network", "year", "status", "committee_date", "sent_on"]
    list_filter = ["year", "status"]
    exclude = ["identification"]
