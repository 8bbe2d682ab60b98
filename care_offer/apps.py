from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareOfferConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "care_offer"
    verbose_name = _("Care offer and provider network")

    def ready(self):
        from psynet import demo, home, scale

        from . import demo as care_offer_demo
        from . import scale as care_offer_scale
        from .home import care_offer_panels

        home.register(care_offer_panels)
        demo.register(60)(care_offer_demo.build)
        scale.register_scale(care_offer_scale.build)
