from celery import shared_task


@shared_task
def behind_pace_check_task():
    """Monthly (beat): network coordinators are told when the year's article 8 use is behind pace."""
    from .services import behind_pace_check

    return len(behind_pace_check())
