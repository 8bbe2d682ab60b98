from django.urls import path

from . import views

app_name = "article8"
urlpatterns = [
    path("", views.index, name="index"),
    path("missions/new/", views.mission_create, name="mission_create"),
    path("missions/propose/", views.mission_propose, name="mission_propose"),
    path("missions/<int:pk>/", views.mission_detail, name="mission_detail"),
    path("missions/<int:pk>/review/", views.mission_review, name="mission_review"),
    path("missions/<int:pk>/priorities/", views.mission_priorities, name="mission_priorities"),
    path("missions/<int:pk>/approve/", views.mission_approve, name="mission_approve"),
    path("missions/<int:pk>/refuse/", views.mission_refuse, name="mission_refuse"),
    path("missions/<int:pk>/plan/", views.mission_plan, name="mission_plan"),
    path("missions/<int:pk>/deliver/", views.mission_deliver, name="mission_deliver"),
    path("missions/<int:pk>/close/", views.mission_close, name="mission_close"),
    path("missions/<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("contact-hours/", views.contact_hour_list, name="contact_hour_list"),
    path("contact-hours/new/", views.contact_hour_create, name="contact_hour_create"),
    path("contact-hours/<int:pk>/", views.contact_hour_update, name="contact_hour_update"),
    path("offers/", views.offer_list, name="offer_list"),
    path("offers/new/", views.offer_create, name="offer_create"),
    path("offers/<int:pk>/", views.offer_update, name="offer_update"),
    path("plan/", views.plan, name="plan"),
    path("plan/objectives/<int:pk>/actions/new/", views.plan_action_create, name="plan_action_create"),
    path("plan/actions/<int:pk>/", views.plan_action_update, name="plan_action_update"),
    path("allocations/", views.allocation_list, name="allocation_list"),
    path("allocations/new/", views.allocation_create, name="allocation_create"),
    path("allocations/<int:pk>/decide/", views.allocation_decide, name="allocation_decide"),
    path("allocations/<int:pk>/paid/", views.allocation_paid, name="allocation_paid"),
    path("budget/", views.budget_list, name="budget_list"),
    path("place-plan/", views.place_plan, name="place_plan"),
    path("settings/", views.settings_update, name="settings"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/", views.dashboard_export, name="dashboard_export"),
    # Public, no login: the network's published offer (linkable from its website).
    path("offer/<str:code>/", views.public_offer, name="public_offer"),
]
