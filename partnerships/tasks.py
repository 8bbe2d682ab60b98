"""Celery tasks: take ids, call one service, safe to run twice."""
from celery import shared_task


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_acknowledgement_task(*, request_ids, to, subject, body):
    from .services import acknowledgement_send

    return acknowledgement_send(request_ids=request_ids, to=to, subject=subject, body=body)


@shared_task
def daily_task():
    """Reminders (10-working-day limit, unsigned and ending agreements), agreement start and end dates,
    and the anonymisation of requests past their retention period."""
    from .services import reminders_send, requests_anonymise_expired

    sent = reminders_send()
    anonymised = requests_anonymise_expired()
    return {"reminders": len(sent), "anonymised": len(anonymised)}


@shared_task
def agreement_pdf_task(*, agreement_id):
    from .agreements import agreement_render_pdf

    return agreement_render_pdf(agreement_id=agreement_id)
