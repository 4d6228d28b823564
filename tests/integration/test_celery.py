"""Celery: the schedule points at real tasks, and a real worker with beat runs them on the
embedded broker that ``make run`` uses (eager mode would prove nothing)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache

from portal.celery import app
from portal.tasks import HEARTBEAT_KEY

ROOT = Path(__file__).resolve().parents[2]


def test_every_beat_entry_points_at_a_registered_task():
    app.loader.import_default_modules()

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r} names no task"


def test_tasks_are_acked_late_one_at_a_time():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.timezone == "UTC"


@pytest.mark.timeout_sensitive
def test_a_real_worker_and_beat_run_the_heartbeat_on_the_embedded_broker(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(VAR_DIR=str(tmp_path), HEARTBEAT_INTERVAL="1")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--beat",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    cache = FileBasedCache(str(tmp_path / "cache"), {})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and cache.get(HEARTBEAT_KEY) is None:
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.5)
        assert cache.get(HEARTBEAT_KEY) is not None, "no heartbeat within 60 s"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # a busy machine: do not let teardown fail the test
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
