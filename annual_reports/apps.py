from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnualReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "annual_reports"
    verbose_name = _("Annual report")

    def ready(self):
        from psynet import demo, home, scale

        from . import demo as report_demo
        from . import scale as report_scale
        from .home import report_panels

        home.register(report_panels)
        demo.register(20)(report_demo.build)
        scale.register_scale(report_scale.build)
