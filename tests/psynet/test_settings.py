"""Production settings: refuse the default secret key, and `check --deploy` is clean."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True)


def test_production_refuses_to_start_with_the_default_secret_key():
    result = _manage("check", DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="False",
                     SECRET_KEY="a-production-secret-key-that-is-long-and-random-0123456789-abcdefghij")
    assert result.returncode == 0, result.stdout + result.stderr
