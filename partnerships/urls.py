from django.urls import path

from . import views

app_name = "partnerships"
urlpatterns = [
    path("", views.index, name="index"),
    path("triage/", views.triage, name="triage"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/route/", views.request_route, name="request_route"),
    path("requests/<int:pk>/transfer/", views.request_transfer, name="request_transfer"),
    path("requests/<int:pk>/assign/", views.request_assign, name="request_assign"),
    path("requests/<int:pk>/contact/", views.request_contact, name="request_contact"),
    path("requests/<int:pk>/needs/", views.request_needs, name="request_needs"),
    path("requests/<int:pk>/propose/", views.request_propose, name="request_propose"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("requests/<int:pk>/messages/", views.request_event, name="request_event"),
    path("requests/<int:pk>/priorities/", views.request_priorities, name="request_priorities"),
    path("requests/<int:pk>/new-link/", views.request_new_link, name="request_new_link"),
    path("requests/<int:pk>/projection/", views.request_projection, name="request_projection"),
    path("requests/<int:pk>/agreement/", views.agreement_create, name="agreement_create_from_request"),
    path("files/<int:pk>/", views.event_file, name="event_file"),
    path("settings/", views.settings_view, name="settings"),
    path("gdpr/", views.gdpr, name="gdpr"),
    path("gdpr/export/", views.gdpr_export, name="gdpr_export"),
    path("gdpr/erase/", views.gdpr_erase, name="gdpr_erase"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/outreach-breaches/", views.agreement_outreach_breaches, name="agreement_outreach_breaches"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/send/", views.agreement_send, name="agreement_send"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/decline/", views.agreement_decline, name="agreement_decline"),
    path("agreements/<int:pk>/terminate/", views.agreement_terminate, name="agreement_terminate"),
    path("agreements/<int:pk>/pdf/", views.agreement_pdf, name="agreement_pdf"),
]
