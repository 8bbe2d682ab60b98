from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PsynetConfig(AppConfig):
    name = "psynet"
    verbose_name = _("PsyNet core")

    def ready(self):
        from . import signals  # noqa: F401  (cache invalidation)
