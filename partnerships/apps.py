from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self):
        from psynet import demo, home, scale

        from . import demo as partnership_demo
        from . import scale as partnership_scale
        from .home import partnership_panels

        _schedule_daily_task()
        home.register(partnership_panels)
        demo.register(30)(partnership_demo.build)
        scale.register_scale(partnership_scale.build)


def _schedule_daily_task():
    """The daily beat entry, added to the project's schedule (the same dict Celery reads) by this app."""
    from celery.schedules import crontab
    from django.conf import settings

    settings.CELERY_BEAT_SCHEDULE.setdefault("partnerships-daily", {
        "task": "partnerships.tasks.daily_task",
        "schedule": crontab(hour=6, minute=30),
    })
