"""Celery tasks: take ids, call one service, safe to run twice."""
from celery import shared_task


@shared_task
def export_render_task(*, export_id):
    from .services import export_render

    return export_render(export_id=export_id)


@shared_task
def send_reminders_task(today=None):
    """Daily (beat). ``today`` (ISO date) lets a catch-up run or a test fix the day; by default the local date."""
    import datetime as dt

    from .services import reminders_send

    return len(reminders_send(today=dt.date.fromisoformat(today) if today else None))
