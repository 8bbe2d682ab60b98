"""A real Celery worker, in its own process, on the test database and Redis."""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path, settings):
    from psynet.celery import app

    db = connection.settings_dict
    database_url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_QUEUE": queue, "CELERY_EAGER": "False",
           "EMAIL_FILE_PATH": str(mail_dir), "DJANGO_SETTINGS_MODULE": "psynet.settings"}
    log = open(tmp_path / "worker.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "psynet", "worker", "--pool", "solo", "-Q", queue,
         "--hostname", f"{queue}@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    previous = (app.conf.task_default_queue, app.conf.task_always_eager)
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    deadline = time.time() + 30
    while time.time() < deadline:
        replies = app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5)
        if replies:
            break
    else:
        process.kill()
        pytest.fail("the Celery worker did not start:\n" + (tmp_path / "worker.log").read_text()[-2000:])
    yield {"queue": queue, "mail_dir": mail_dir, "log": tmp_path / "worker.log"}
    app.conf.task_default_queue, app.conf.task_always_eager = previous
    process.terminate()
    process.wait(timeout=20)


def wait_for(condition, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def sent_mails(mail_dir):
    return [p.read_text() for p in sorted(Path(mail_dir).glob("*.log"))]
