from celery import shared_task

from .importer import batch_run


@shared_task
def import_sessions_task(batch_id):
    """Safe to run twice: a finished batch is skipped, and re-applied rows are duplicates."""
    batch_run(batch_id)
