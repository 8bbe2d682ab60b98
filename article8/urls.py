from django.urls import path

from . import views

app_name = "article8"
urlpatterns = [
    path("", views.index, name="index"),
]
