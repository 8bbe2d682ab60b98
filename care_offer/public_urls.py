"""/apply/: the stable public address of the application for a convention (``/apply/RSN/`` on a flyer)."""
from django.urls import path

from . import public_views as views

app_name = "apply"
urlpatterns = [
    path("", views.choose, name="choose"),
    path("thanks/", views.thanks, name="thanks"),
    path("<str:code>/", views.application_form, name="form"),
]
