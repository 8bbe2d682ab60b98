from celery import shared_task


@shared_task
def send_applicant_notice_task(*, notice_id, to, subject, body):
    """Send one e-mail to an applicant; safe to run twice (the service claims the notice first)."""
    from .services import applicant_notice_send

    return applicant_notice_send(notice_id=notice_id, to=to, subject=subject, body=body)
