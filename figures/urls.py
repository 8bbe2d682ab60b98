from django.urls import path

from . import views

app_name = "figures"
urlpatterns = [
    path("", views.network_figures, name="network_figures"),
    path("information-moments/", views.moment_list, name="moment_list"),
    path("information-moments/new/", views.moment_create, name="moment_create"),
    path("information-moments/<int:pk>/", views.moment_update, name="moment_update"),
    path("operating-costs/", views.cost_list, name="cost_list"),
    path("operating-costs/new/", views.cost_create, name="cost_create"),
    path("operating-costs/<int:pk>/", views.cost_update, name="cost_update"),
    path("reports/<int:pk>/answers/<slug:code>/insert/", views.insert, name="insert"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("federal/", views.federal_overview, name="federal_overview"),
    path("federal/networks/<int:pk>/", views.federal_network, name="federal_network"),
    path("federal/reports/<int:pk>/", views.federal_report, name="federal_report"),
    path("federal/reports/<int:pk>/pdf/", views.federal_report_pdf, name="federal_report_pdf"),
]
