"""/collaboration/: the stable public address networks print on flyers (``?network=RSK`` preselects one)."""
from django.urls import path

from . import public_views as views

app_name = "collaboration"
urlpatterns = [
    path("", views.collaboration_form, name="form"),
    path("thanks/", views.thanks, name="thanks"),
    path("privacy/", views.privacy, name="privacy"),
    path("municipality-suggestions/", views.municipality_suggestions, name="municipality_suggestions"),
    path("follow/<str:token>/", views.follow, name="follow"),
    path("follow/<str:token>/message/", views.follow_message, name="follow_message"),
    path("follow/<str:token>/withdraw/", views.follow_withdraw, name="follow_withdraw"),
    path("follow/<str:token>/files/<int:event_id>/", views.follow_file, name="follow_file"),
    path("follow/<str:token>/agreements/<int:pk>/", views.partner_agreement, name="follow_agreement"),
    path("follow/<str:token>/agreements/<int:pk>/code/", views.partner_agreement_code, name="follow_agreement_code"),
    path("follow/<str:token>/agreements/<int:pk>/sign/", views.partner_agreement_sign, name="follow_agreement_sign"),
    path("follow/<str:token>/agreements/<int:pk>/decline/", views.partner_agreement_decline,
         name="follow_agreement_decline"),
    path("follow/<str:token>/agreements/<int:pk>/pdf/", views.partner_agreement_pdf, name="follow_agreement_pdf"),
    path("agreement/<str:token>/", views.partner_agreement, name="agreement"),
    path("agreement/<str:token>/code/", views.partner_agreement_code, name="agreement_code"),
    path("agreement/<str:token>/sign/", views.partner_agreement_sign, name="agreement_sign"),
    path("agreement/<str:token>/decline/", views.partner_agreement_decline, name="agreement_decline"),
    path("agreement/<str:token>/pdf/", views.partner_agreement_pdf, name="agreement_pdf"),
]
