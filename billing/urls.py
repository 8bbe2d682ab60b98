from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.dashboard_export, {"fmt": "csv"}, name="dashboard_export_csv"),
    path("export.xlsx", views.dashboard_export, {"fmt": "xlsx"}, name="dashboard_export_xlsx"),
    path("rules/", views.rule_list, name="rule_list"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/group/new/", views.group_create, name="group_create"),
    path("extensions/new/", views.extension_create, name="extension_create"),
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("outreach-breaches/", views.outreach_breaches, name="outreach_breaches"),
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/generate/", views.statement_generate, name="statement_generate"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/<str:kind>/", views.statement_download, name="statement_download"),
    path("imports/", views.import_create, name="import_create"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/report/", views.import_report, name="import_report"),
]
