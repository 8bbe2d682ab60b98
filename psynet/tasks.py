from celery import shared_task
from django.core.mail import send_mail


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_email_task(*, to, subject, body):
    send_mail(subject, body, None, to)


@shared_task
def send_notification_task(*, notification_id):
    from .services import notification_send

    return notification_send(notification_id=notification_id)


@shared_task
def ping_task():
    return "pong"
