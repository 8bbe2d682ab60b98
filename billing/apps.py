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

        from django.db.models.signals import post_delete, post_save

        from .models import BillingParameter, CopayRule, FeeRule, QuotaRule
        from .rules import invalidate_cached_book

        for model in (FeeRule, CopayRule, QuotaRule, BillingParameter):
            post_save.connect(invalidate_cached_book, sender=model, dispatch_uid=f"billing-rules-{model.__name__}")
            post_delete.connect(invalidate_cached_book, sender=model, dispatch_uid=f"billing-rules-d-{model.__name__}")
        home.register(billing_panels)
        demo.register(40)(billing_demo.build)
        demo.register(70)(billing_demo.build_outreach)  # after care_offer's places and their eligibility
        scale.register_scale(billing_demo.build_scale)
