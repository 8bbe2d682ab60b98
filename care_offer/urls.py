from django.urls import path

from . import views

app_name = "care_offer"
urlpatterns = [
    path("", views.index, name="index"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/review/", views.application_review, name="application_review"),
    path("applications/<int:pk>/interview/", views.application_interview, name="application_interview"),
    path("applications/<int:pk>/accept/", views.application_accept, name="application_accept"),
    path("applications/<int:pk>/refuse/", views.application_refuse, name="application_refuse"),
    path("applications/<int:pk>/documents/<int:doc_pk>/", views.document_file, name="document_file"),
    path("applications/<int:pk>/new-link/", views.application_new_link, name="application_new_link"),
    path("applications/<int:pk>/onboarding/<int:item_pk>/", views.onboarding_toggle, name="onboarding_toggle"),
    path("settings/", views.settings_update, name="settings"),
    path("onboarding/", views.onboarding_item_list, name="onboarding_item_list"),
    path("onboarding/new/", views.onboarding_item_create, name="onboarding_item_create"),
    path("onboarding/<int:pk>/", views.onboarding_item_update, name="onboarding_item_update"),
    path("onboarding/<int:pk>/move/", views.onboarding_item_move, name="onboarding_item_move"),
    path("employers/", views.employer_list, name="employer_list"),
    path("co-facilitators/", views.co_facilitator_list, name="co_facilitator_list"),
    path("co-facilitators/new/", views.co_facilitator_create, name="co_facilitator_create"),
    path("co-facilitators/<int:pk>/", views.co_facilitator_update, name="co_facilitator_update"),
    path("supply-demand/", views.supply_demand, name="supply_demand"),
    path("priorities/", views.priority_list, name="priority_list"),
    path("priorities/new/", views.priority_create, name="priority_create"),
    path("priorities/<int:pk>/", views.priority_update, name="priority_update"),
    path("clairvisions/", views.clairvision_list, name="clairvision_list"),
    path("clairvisions/new/", views.clairvision_create, name="clairvision_create"),
    path("outreaching-places/", views.eligibility, name="eligibility"),
    path("outreaching-places/decide/", views.override_create, name="override_create"),
    path("outreaching-places/<int:pk>/remove/", views.override_remove, name="override_remove"),
    path("budget-rules/", views.budget_rules, name="budget_rules"),
    path("budget-rules/conditions/", views.condition_update, name="condition_update"),
]
