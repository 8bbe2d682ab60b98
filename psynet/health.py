"""GET /health/: the state of the database, the cache/broker and the Celery workers, as JSON.
A part that is not configured is reported as such; a failing part never raises."""
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "ok", "engine": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure is a state to report
        return {"status": "error", "error": exc.__class__.__name__}


def _redis():
    if not settings.REDIS_URL:
        return {"status": "not_configured"}
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return {"status": "ok"}
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": exc.__class__.__name__}


def _workers(broker_ok):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "eager", "workers": 0}
    if not broker_ok:
        return {"status": "error", "error": "broker unavailable", "workers": 0}
    try:
        from psynet.celery import app

        replies = app.control.ping(timeout=1.0) or []
        return {"status": "ok" if replies else "no_worker", "workers": len(replies)}
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": exc.__class__.__name__, "workers": 0}


@never_cache
def health(request):
    database = _database()
    broker = _redis()
    workers = _workers(broker["status"] == "ok")
    healthy = database["status"] == "ok" and broker["status"] in ("ok", "not_configured") and \
        workers["status"] in ("ok", "eager")
    return JsonResponse({"status": "ok" if healthy else "degraded", "database": database,
                         "cache_broker": broker, "celery": workers}, status=200 if healthy else 503)


def ping(request):
    """The trivial view benchmarks compare pages with: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")
