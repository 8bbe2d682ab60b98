from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "figures"
    verbose_name = _("The year in figures")

    def ready(self):
        from psynet import demo, home, scale

        from . import demo as figures_demo
        from . import scale as figures_scale
        from .home import figures_panels

        home.register(figures_panels)
        demo.register(60)(figures_demo.build)
        scale.register_scale(figures_scale.build)
