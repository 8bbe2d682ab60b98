from django.apps import AppConfig


class Article8Config(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'article8'
