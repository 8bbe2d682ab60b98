"""/apply/: the stable public address of the application for a convention (``/apply/RSN/`` on a flyer), and the
applicant's private follow-up page (``/apply/follow/<token>/``, the link of their e-mails)."""
from django.urls import path

from . import public_views as views

app_name = "apply"
urlpatterns = [
    path("", views.choose, name="choose"),
    path("thanks/", views.thanks, name="thanks"),
    path("follow/<str:token>/", views.follow, name="follow"),
    path("follow/<str:token>/message/", views.follow_message, name="follow_message"),
    path("follow/<str:token>/documents/<int:doc_pk>/", views.follow_document, name="follow_document"),
    path("<str:code>/", views.application_form, name="form"),
]
