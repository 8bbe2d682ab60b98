import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_fill_time(settings):
    settings.PARTNERSHIP_MIN_FILL_SECONDS = "0"
