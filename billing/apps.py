from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from psynet import demo, home, scale

        from . import demo as billing_demo
        from .home import billing_panels

        home.register(billing_panels)
        demo.register(40)(billing_demo.build)
        scale.register_scale(billing_demo.build_scale)
