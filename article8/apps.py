from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Article8Config(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "article8"
    verbose_name = _("Article 8 support missions")

    def ready(self):
        from psynet import demo, home, scale

        from . import demo as article8_demo
        from . import panels, scale as article8_scale

        demo.register(40)(article8_demo.build_demo)
        scale.register_scale(article8_scale.build_scale)
        home.register(panels.home_panels)
