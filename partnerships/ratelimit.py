"""A fixed-window rate limit per client address in the Django cache (Redis in production: ``incr`` is atomic
there, so concurrent workers share one count). No third-party service involved."""
import time

from django.core.cache import cache

from . import conf


def client_ip(request):
    header = conf.get("PARTNERSHIP_CLIENT_IP_HEADER")
    value = request.META.get(header) or request.META.get("REMOTE_ADDR") or "unknown"
    return value.split(",")[0].strip()[:64]


def hit(request, bucket, setting):
    """Count one hit; returns 0 when allowed, else the seconds to wait before the window reopens."""
    limit, window = conf.rate(setting)
    now = time.time()
    slot = int(now // window)
    key = f"partnerships:rl:{bucket}:{client_ip(request)}:{slot}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        count = 1
    if count > limit:
        return max(1, int((slot + 1) * window - now))
    return 0
