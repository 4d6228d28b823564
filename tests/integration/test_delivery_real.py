"""Delivery on real components: our own Redis, real Celery worker and beat processes, and an
SMTP server on loopback (aiosmtpd) that receives the actual mails.

Each test starts its own ``redis-server`` on a free port (the shared Redis on 6379 is never
touched) and its workers against the same PostgreSQL test database as this process
(``transaction=True``, so the data is committed and visible to them). On SQLite the test
database lives in memory and cannot be shared: these tests are skipped there; CI runs them
on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from cases import rules, services
from cases.choices import CaseState, TermKind
from cases.models import AowAge
from cases.notifications.models import DeliveryState, Notification, OutboxMessage
from cases.terms.models import Term
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
    valid_bsn,
)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.timeout_sensitive,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is missing"),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor == "sqlite":
        pytest.skip("the workers need a shared database: PostgreSQL (as on CI)")


@pytest.fixture(autouse=True)
def _reference_data(_postgres_only, transactional_db):
    """transaction=True flushes the database after each test: restore the AOW ages the data
    migration loads (the age check reads them)."""
    for row in rules.AOW_AGES:
        AowAge.objects.get_or_create(
            year=row.year, defaults={"years": row.years, "months": row.months}
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float, message: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)  # polling another process: there is no event to await
    raise AssertionError(f"timed out after {timeout} s: {message}")


# -- SMTP -----------------------------------------------------------------------------------


class Recorder:
    """Counts every message the SMTP server accepts, by Message-ID."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        if self.delay:
            await asyncio.sleep(self.delay)
        from email import message_from_bytes

        message = message_from_bytes(envelope.content)
        with self.lock:
            self.ids[message["Message-ID"]] += 1
        return "250 OK"

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.ids.values())

    def duplicates(self) -> dict[str, int]:
        with self.lock:
            return {key: n for key, n in self.ids.items() if n > 1}


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.port = controller.port
    yield recorder
    controller.stop()


# -- Redis and Celery -----------------------------------------------------------------------


class Stack:
    """Our own Redis plus any number of worker and beat processes."""

    def __init__(self, tmp_path: Path, smtp_port: int):
        self.tmp = tmp_path
        self.redis_port = free_port()
        self.redis: subprocess.Popen | None = None
        self.processes: list[subprocess.Popen] = []
        db = connection.settings_dict
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        self.env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
        self.env.update(
            DATABASE_URL=url,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            EMAIL_USE_TLS="0",
            EMAIL_TIMEOUT="5",
            VAR_DIR=str(tmp_path),
            OUTBOX_DRAIN_INTERVAL="0.5",
            OUTBOX_REDELIVER_AFTER="2",
            NOTIFICATION_SEND_LEASE="3",
            CELERY_VISIBILITY_TIMEOUT="5",
            HEARTBEAT_INTERVAL="1",
            CELERY_SKIP_CHECKS="1",
            LOG_LEVEL="INFO",
        )

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self.redis_answers, 10, "Redis did not start")

    def redis_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop_redis(self) -> None:
        self.redis.kill()
        self.redis.wait(timeout=10)
        self.redis = None

    def _start(self, args: list[str], name: str, **env) -> subprocess.Popen:
        log = (self.tmp / f"{name}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = self.tmp / f"{name}.log"
        self.processes.append(process)
        return process

    def worker(self, name: str, *, pool: str = "solo", concurrency: int = 1, **env):
        return self._start(
            [
                "worker",
                "--pool",
                pool,
                "--concurrency",
                str(concurrency),
                "--hostname",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            name,
            **env,
        )

    def beat(self, name: str, **env):
        return self._start(
            ["beat", "--schedule", str(self.tmp / f"{name}-schedule"), "--loglevel", "INFO"],
            name,
            **env,
        )

    def log(self, process) -> str:
        return process.log_path.read_text(errors="replace")

    def wait_ready(self, process, timeout: float = 45) -> None:
        def ready():
            assert process.poll() is None, self.log(process)
            return " ready." in self.log(process)

        wait_for(ready, timeout, f"worker not ready:\n{self.log(process)}")

    def kill(self, process) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if self.redis is not None:
            self.stop_redis()


@pytest.fixture
def stack(transactional_db, tmp_path, smtp):
    stack = Stack(tmp_path, smtp.port)
    stack.start_redis()
    yield stack
    stack.stop_all()  # before the test database is flushed


def submit_cases(count: int, *, municipality, actor) -> list[int]:
    ids = []
    for _ in range(count):
        person = PersonFactory(municipality=municipality, account=None, email="p@example.nl")
        case = CaseFactory(person=person, state=CaseState.DRAFT, lifecycle__actor=actor)
        services.submit_application(case_id=case.pk, actor=actor)
        ids.append(case.pk)
    return ids


def all_final() -> bool:
    mails = Notification.objects.filter(channel="email")
    return (
        mails.exists()
        and not mails.exclude(state__in=["sent", "uncertain", "failed"]).exists()
        and not OutboxMessage.objects.exists()
    )


def pg_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


# -- the tests ------------------------------------------------------------------------------


def test_applications_are_accepted_while_redis_is_down_and_mailed_once_when_it_is_back(stack, smtp):
    municipality = MunicipalityFactory()
    UserFactory(consultant=True, municipality=municipality)
    actor = UserFactory()
    worker = stack.worker("w1")
    beat = stack.beat("b1")
    stack.wait_ready(worker)

    stack.stop_redis()
    case_ids = submit_cases(10, municipality=municipality, actor=actor)  # no broker needed
    assert OutboxMessage.objects.count() == 20  # citizen and consultant, per case
    assert smtp.total == 0

    stack.start_redis()
    wait_for(lambda: smtp.total >= 20 and all_final(), 90, "mails after Redis came back")

    assert smtp.duplicates() == {}
    mails = Notification.objects.filter(case_id__in=case_ids, channel="email")
    assert set(mails.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert set(smtp.ids) == {
        f"<notification-{pk}@beschutwerk.portal>" for pk in mails.values_list("pk", flat=True)
    }
    assert beat.poll() is None and worker.poll() is None


def test_killing_workers_mid_batch_loses_no_mail(stack, smtp):
    """At least once: five kill -9 during 50 mails lose none. A mail whose SMTP transaction a
    kill cut may arrive twice, with the same Message-ID (a mail client folds it)."""
    smtp.delay = 0.05  # a send takes a moment, so kills land during sends too
    municipality = MunicipalityFactory()
    actor = UserFactory()
    submit_cases(50, municipality=municipality, actor=actor)
    stack.beat("b1")
    kills = 0
    for n in range(5):
        worker = stack.worker(f"victim{n}")
        stack.wait_ready(worker)
        before = smtp.total
        wait_for(lambda b=before: smtp.total >= b + 4 or all_final(), 60, "progress")
        stack.kill(worker)
        kills += 1
    sessions_before = pg_sessions()
    survivor = stack.worker("survivor")
    wait_for(all_final, 90, f"all mails final:\n{stack.log(survivor)[-3000:]}")

    states = Counter(Notification.objects.filter(channel="email").values_list("state", flat=True))
    assert states == {DeliveryState.SENT: 50}
    expected_ids = {
        f"<notification-{pk}@beschutwerk.portal>"
        for pk in Notification.objects.filter(channel="email").values_list("pk", flat=True)
    }
    assert set(smtp.ids) == expected_ids  # every mail arrived
    assert sum(n - 1 for n in smtp.duplicates().values()) <= kills
    # The survivor reused its database connection: a handful of sessions, not one per task.
    assert pg_sessions() - sessions_before < 15


def test_two_workers_and_two_beats_send_each_reminder_once(stack, smtp):
    import datetime as dt

    from django.utils import timezone

    municipality = MunicipalityFactory()
    UserFactory(consultant=True, municipality=municipality)
    UserFactory(uwv_assessor=True)
    soon = timezone.localdate() + dt.timedelta(days=2)
    for _ in range(15):
        case = CaseFactory(
            person=PersonFactory(municipality=municipality),
            state=CaseState.WITH_UWV,
            lifecycle=False,
        )
        Term.objects.create(
            case=case,
            kind=TermKind.UWV_ADVICE,
            starts_on=soon - dt.timedelta(weeks=8),
            weeks=8,
            end_on=soon,
        )
    fast = {"SWEEP_INTERVAL": "0.5"}
    workers = [stack.worker(name, pool="prefork", concurrency=2, **fast) for name in ("w1", "w2")]
    beats = [stack.beat(name, **fast) for name in ("b1", "b2")]

    wait_for(lambda: smtp.total >= 30 and all_final(), 90, "reminders mailed")

    # Let both beats sweep several more times after everything was sent.
    def sweeps() -> int:
        return sum(stack.log(w).count("sweep:") for w in workers)

    seen = sweeps()
    wait_for(lambda: sweeps() >= seen + 6, 30, "more sweeps")

    assert smtp.duplicates() == {}
    assert smtp.total == 30  # 15 cases × (consultant + assessor)
    assert Notification.objects.count() == 60  # and as many inbox messages
    assert all(p.poll() is None for p in workers + beats)


def test_with_redis_down_every_page_works_and_applications_are_mailed_once_it_is_back(
    stack, smtp, settings
):
    """Redis is an accelerator: with it stopped, signed-in people keep working, ten
    applications sent through the web are stored, and their mails go out within 60 s of its
    return. The Redis restart signs nobody out."""
    from django.test import Client
    from django.urls import reverse

    from cases.models import Case
    from tests.integration.conftest import sign_in
    from tests.integration.test_citizen_application import fill_all, start

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{stack.redis_port}/0",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.5,
            },
        },
    }
    municipality = MunicipalityFactory(name="Amsterdam", cbs_code="GM0363")

    VerordeningFactory(municipality=municipality)
    YearlyQuotaFactory(municipality=municipality)
    consultant = UserFactory(consultant=True, municipality=municipality)
    staff = sign_in(Client(), consultant)
    assessor = sign_in(Client(), UserFactory(uwv_assessor=True))
    administrator = sign_in(Client(), UserFactory(municipal_admin=True, municipality=municipality))
    citizens = []
    for n in range(10):
        client = Client()
        client.force_login(UserFactory(email=f"inwoner{n}@example.nl"))
        citizens.append(client)
    # Production's pace for the outbox, so that the 60 s below are the real ones.
    worker = stack.worker("w1", OUTBOX_DRAIN_INTERVAL="10", OUTBOX_REDELIVER_AFTER="45")
    stack.beat("b1", OUTBOX_DRAIN_INTERVAL="10", OUTBOX_REDELIVER_AFTER="45")
    stack.wait_ready(worker)
    staff.get(reverse("work:dashboard"))  # caches filled while Redis is up

    stack.stop_redis()
    for n, client in enumerate(citizens):
        draft = start(client)
        fill_all(client, draft, municipality, bsn=valid_bsn(7000 + n))
        response = client.post(reverse("citizen:draft_review", args=[draft.pk]))
        assert response.status_code == 302, response.content.decode()[:2000]
    cases = list(Case.objects.filter(person__municipality=municipality))
    assert len(cases) == 10
    assert OutboxMessage.objects.count() == 20  # the citizen and the consultant, per case
    pages = [
        (citizens[0], reverse("home")),
        (citizens[0], reverse("citizen:case_list")),
        (citizens[0], reverse("citizen:case_detail", args=[cases[0].pk])),
        (staff, reverse("work:dashboard")),
        (staff, reverse("work:case_list")),
        (staff, reverse("work:case_detail", args=[cases[0].pk])),
        (staff, reverse("work:waiting_list")),
        (staff, reverse("notifications:list")),
        (assessor, reverse("uwv:queue")),
        (administrator, reverse("manage:municipality", args=[municipality.pk])),
    ]
    for client, url in pages:
        assert client.get(url).status_code == 200, url
    assert smtp.total == 0

    stack.start_redis()
    back = time.monotonic()
    wait_for(lambda: smtp.total >= 20 and all_final(), 60, "mails within 60 s of Redis' return")
    print(f"mailed {time.monotonic() - back:.1f} s after Redis came back")

    assert smtp.duplicates() == {}
    for client, url in pages:
        assert client.get(url).status_code == 200, url  # still signed in
