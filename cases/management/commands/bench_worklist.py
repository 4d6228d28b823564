"""Benchmark of the professionals' pages (issue #5).

Seeds cases over many municipalities of skewed (Zipf-like) sizes with ``bulk_create``, starts
gunicorn on loopback with DEBUG off, and drives it with concurrent users (connections from
wrk, Debian's package ``wrk``; without think time unless ``--think-ms``), in ``--rounds``
rounds over the pages in turns. Prints the queries per page at 1,000 cases and at all of
them, p50/p95 latency and requests per second (the median of the rounds) for the dashboard,
the work list (first and a deep page), the case page and the Django admin changelist of the
same cases, and whether the targets of issue #5 are met.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
    .venv/bin/python manage.py migrate && \\
    .venv/bin/python manage.py bench_worklist --cases 1000000 --municipalities 340

Run it against a database of its own: it adds data (municipalities named "Benchgemeente").
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from cases import figures
from cases.choices import (
    AdviceOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    CaseState,
    ContractKind,
    FundingKind,
    TermKind,
    WorkplaceKind,
)
from cases.models import (
    CANDIDATE_STATES,
    Advice,
    Application,
    Case,
    CaseEvent,
    Decision,
    Employment,
    Person,
    Term,
)
from cases.selectors import encode_cursor
from municipalities.models import Municipality, Verordening, YearlyQuota
from portal.models import Role, User

BENCH_NAME = "Benchgemeente"
#: Query counts are printed for this many cases first, then for all of them.
SMALL_SET = 1_000

#: wrk prints its own summary; this adds one line with the figures the benchmark reports
#: (latencies in microseconds, duration in microseconds, failed or non-2xx responses).
WRK_SCRIPT = """
think = tonumber(os.getenv("BENCH_THINK_MS") or "0")
if think > 0 then
  delay = function() return think end
end
-- BENCH_PATHS: a file of paths, one a line, asked for in turn (else the URL given).
local paths = {}
local file = os.getenv("BENCH_PATHS") or ""
if file ~= "" then
  for line in io.lines(file) do paths[#paths + 1] = line end
end
if #paths > 0 then
  local turn = 0
  init = function(args) turn = math.random(#paths) end
  request = function()
    turn = turn % #paths + 1
    return wrk.format(nil, paths[turn])
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n",
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""
#: The page of up to MANY_CASES cases in turn (under load only).
MANY_CASES = 5_000
MANY_CASES_PAGE = "case page, cases in turn"
#: The work list's pages in turn: up to MANY_PAGES of its first pages (under load only).
MANY_PAGES = 2_000
MANY_PAGES_PAGE = "work list, pages in turn"
#: The pages asked for one after another (the others: one URL each).
IN_TURN = (MANY_CASES_PAGE, MANY_PAGES_PAGE)
CBS_BASE = 6000
BSN_PREFIX_BASE = 70_000_000

#: State mix of the seeded cases (most history is closed or employed).
STATE_MIX = [
    (CaseState.CLOSED, 35),
    (CaseState.EMPLOYED, 25),
    (CaseState.AWAITING_PLACEMENT, 15),
    (CaseState.UNAVAILABLE, 3),
    (CaseState.WITH_UWV, 10),
    (CaseState.ADVICE_ISSUED, 5),
    (CaseState.REJECTED, 5),
    (CaseState.OBJECTION, 2),
]


def valid_bsns(prefix: int):
    """Valid BSNs (11-proef) from an 8-digit prefix upwards: the prefix plus its check digit;
    prefixes whose check digit would be 10 are skipped."""
    while True:
        digits = f"{prefix:08d}"
        total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if total < 10:
            yield f"{digits}{total}"
        prefix += 1


def reference_loop_ms() -> float:
    """A fixed piece of pure Python, timed: how fast this machine runs Python, so figures of
    runs on different machines can be compared (the pages are bound by Python's speed)."""

    def step(value: int) -> int:
        return value + 1

    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        value = 0
        for _ in range(1_000_000):
            value = step(value)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def zipf_sizes(total: int, count: int) -> list[int]:
    weights = [1 / (rank + 1) for rank in range(count)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes


class Command(BaseCommand):
    help = "Seed cases and measure the professionals' pages under concurrent load."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--municipalities", type=int, default=340)
        parser.add_argument("--users", type=int, default=16, help="concurrent users")
        parser.add_argument(
            "--seconds", type=int, default=10, help="seconds of load per page (after 2 s warm-up)"
        )
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
        parser.add_argument(
            "--rounds",
            type=int,
            default=3,
            help="rounds over all pages (in turns, so a drift of the machine's speed hits "
            "every page alike); the median of the rounds is printed",
        )
        parser.add_argument(
            "--think-ms",
            type=int,
            default=0,
            help="pause of each user between an answer and the next request (default none)",
        )
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--no-seed", action="store_true", help="reuse the seeded data")
        parser.add_argument("--allow-sqlite", action="store_true")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql" and not options["allow_sqlite"]:
            raise CommandError("Run the benchmark on PostgreSQL (set DATABASE_URL).")
        if not options["no_seed"]:
            # First a small set, to count the queries per page, then the rest: the counts
            # must be the same.
            first = min(options["cases"], SMALL_SET)
            started = time.perf_counter()
            self.seed(first, options["municipalities"])
            self.analyze()
            self.query_counts(*self.setup())
            self.seed(options["cases"] - first, options["municipalities"])
            self.stdout.write(f"\nseeded in {time.perf_counter() - started:.1f} s")
            self.analyze()
        consultant, small_consultant, operator, urls, small_urls = self.setup()
        self.stdout.write(
            f"\nthis machine: {os.cpu_count()} cores; reference loop (1,000,000 Python calls, "
            f"best of 5): {reference_loop_ms():.0f} ms"
        )
        self.query_counts(consultant, small_consultant, operator, urls, small_urls)
        self.sequential(consultant, operator, urls)
        if options["users"] > 0:
            self.load(urls, consultant, operator, options)

    def analyze(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def setup(self):
        towns = list(Municipality.objects.filter(name__startswith=BENCH_NAME).order_by("cbs_code"))
        if not towns:
            raise CommandError("Nothing seeded yet: run without --no-seed first.")
        large, small = towns[0], towns[-1]
        total = Case.objects.count()
        self.large_cases = Case.objects.filter(municipality=large).count()
        small_cases = Case.objects.filter(municipality=small).count()
        self.stdout.write(
            f"\ncases in the database: {total:,}; largest municipality {large.name}: "
            f"{self.large_cases:,} cases; smallest {small.name}: {small_cases:,} cases"
        )
        consultant = self.user(Role.CONSULTANT, large, "bench-consultant@example.nl")
        small_consultant = self.user(Role.CONSULTANT, small, "bench-small@example.nl")
        operator = self.user(Role.OPERATOR, None, "bench-operator@example.nl")
        urls = self.urls(large, consultant)
        path_lists = self.path_lists  # the pages under load are the largest municipality's
        small_urls = self.urls(small, small_consultant)
        self.path_lists = path_lists
        return consultant, small_consultant, operator, urls, small_urls

    # -- seeding -----------------------------------------------------------------------------

    def seed(self, total: int, count: int) -> None:
        if total <= 0:
            return
        year = timezone.localdate().year
        towns = []
        for i in range(count):
            town, _created = Municipality.objects.get_or_create(
                cbs_code=f"GM{CBS_BASE + i:04d}", defaults={"name": f"{BENCH_NAME} {i:03d}"}
            )
            towns.append(town)
            Verordening.objects.get_or_create(
                municipality=town,
                in_force_from=dt.date(2020, 1, 1),
                defaults={
                    "discussed_with_target_group_on": dt.date(2019, 12, 1),
                    "provisions": "Begeleiding.",
                },
            )
            YearlyQuota.objects.get_or_create(
                municipality=town, year=year, defaults={"places": Decimal(max(1, i % 40))}
            )
        actor = self.user(Role.UWV_ASSESSOR, None, "bench-assessor@example.nl")
        last = (
            Person.objects.filter(bsn__gte=f"{BSN_PREFIX_BASE}0")
            .order_by("-bsn")
            .values_list("bsn", flat=True)
            .first()
        )
        bsns = valid_bsns(int(last) // 10 + 1 if last else BSN_PREFIX_BASE)
        offset = Case.objects.filter(reference__startswith="BW-B-").count()
        mix = [state for state, weight in STATE_MIX for _ in range(weight)]
        today = timezone.localdate()
        now = timezone.now()
        n = offset
        for town, size in zip(towns, zipf_sizes(total, count), strict=True):
            for start in range(0, size, 5000):
                batch = min(5000, size - start)
                persons = Person.objects.bulk_create(
                    [
                        Person(
                            bsn=next(bsns),
                            first_name="Bench",
                            last_name=f"Persoon {n + k}",
                            birth_date=dt.date(1990, 1, 1),
                            municipality=town,
                            benefit_kind=BenefitKind.WAJONG
                            if (n + k) % 4 == 0
                            else BenefitKind.PARTICIPATIEWET,
                        )
                        for k in range(batch)
                    ]
                )
                cases = []
                for k, person in enumerate(persons):
                    state = mix[(n + k) % len(mix)]
                    since = now - dt.timedelta(minutes=(n + k) * 7 % 500_000)
                    positive = state in (
                        CaseState.EMPLOYED,
                        CaseState.AWAITING_PLACEMENT,
                        CaseState.UNAVAILABLE,
                    )
                    cases.append(
                        Case(
                            reference=f"BW-B-{n + k:09d}",
                            person=person,
                            municipality=town,
                            state=state,
                            state_since=since,
                            submitted_at=since,
                            closed_at=since if state == CaseState.CLOSED else None,
                            positive_decision_on=(since - dt.timedelta(days=30)).date()
                            if positive
                            else None,
                        )
                    )
                cases = Case.objects.bulk_create(cases)
                Application.objects.bulk_create(
                    [
                        Application(
                            case=case,
                            applicant_kind=ApplicantKind.PERSON,
                            submitted_by=actor,
                            received_on=case.state_since.date(),
                            source=CandidateSource.SCHOOL,
                        )
                        for case in cases
                    ]
                )
                Term.objects.bulk_create(
                    [
                        Term(
                            case=case,
                            kind=TermKind.UWV_ADVICE,
                            starts_on=case.state_since.date(),
                            weeks=8,
                            end_on=case.state_since.date() + dt.timedelta(weeks=8),
                        )
                        for case in cases
                        if case.state == CaseState.WITH_UWV
                    ]
                )
                Employment.objects.bulk_create(
                    [
                        Employment(
                            case=case,
                            municipality=town,
                            employer_name="SOB",
                            workplace_kind=WorkplaceKind.SOCIAL_ENTERPRISE,
                            hours_per_week=Decimal(25),
                            start_on=min(today, case.state_since.date()),
                            contract_kind=ContractKind.INDEFINITE,
                            funding_kind=FundingKind.WAGE_SUBSIDY,
                        )
                        for case in cases
                        if case.state == CaseState.EMPLOYED
                    ]
                )
                n += batch

    def user(self, role, municipality, email) -> User:
        user, _created = User.objects.get_or_create(
            email=email,
            defaults={
                "role": role,
                "municipality": municipality,
                "is_staff": role == Role.OPERATOR,
                "is_superuser": role == Role.OPERATOR,
            },
        )
        return user

    # -- measuring ---------------------------------------------------------------------------

    def urls(self, town, handler) -> dict[str, str]:
        cases = Case.objects.filter(municipality=town).exclude(
            state__in=[CaseState.WITHDRAWN, CaseState.CLOSED]
        )
        ordered = cases.order_by("state_since", "id").values_list("state_since", "id")
        depth = max(0, min(9_000, cases.count() - 30))
        deep = ordered[depth : depth + 1].first() if depth else None  # setup only
        worklist = reverse("work:case_list")

        def after(row) -> str:  # the cursor as the list's own links write it (urlencoded)
            return worklist + "?" + urlencode({"after": encode_cursor(*row)})

        # The pages of a consultant paging on: each the first 25 after a case.
        pages_in_turn = [after(row) for row in ordered[: MANY_PAGES * 25 : 25]]
        # The case page with the most on it: a person waiting for a place (with a decision,
        # terms and history: ``complete_history``).
        # (A tiny municipality may have none: then its first open case, or any of its cases.)
        case_id = next(
            pk
            for pk in (
                cases.filter(state=CaseState.AWAITING_PLACEMENT)
                .order_by("id")
                .values_list("id", flat=True)
                .first(),
                cases.order_by("id").values_list("id", flat=True).first(),
                Case.objects.filter(municipality=town)
                .order_by("id")
                .values_list("id", flat=True)
                .first(),
            )
            if pk is not None
        )
        # As most cases have one, the measured case has a case handler (its name is shown).
        Case.objects.filter(pk=case_id).update(assignee=handler)
        self.complete_history(Case.objects.get(pk=case_id), handler)
        # Consultants open one case after another: the case page of many cases in turn.
        many = list(
            cases.filter(state=CaseState.AWAITING_PLACEMENT)
            .order_by("id")
            .values_list("id", flat=True)[:MANY_CASES]
        ) or [case_id]
        self.path_lists = {
            MANY_CASES_PAGE: [reverse("work:case_detail", args=[pk]) for pk in many],
            MANY_PAGES_PAGE: pages_in_turn or [worklist],
        }
        candidates = cases.filter(state__in=CANDIDATE_STATES).count()
        waiting_list = reverse("work:waiting_list")
        changelist = reverse("admin:cases_case_changelist")
        return {
            "dashboard": reverse("work:dashboard"),
            "work list, first page": worklist,
            "work list, deep page": after(deep) if deep else worklist,
            MANY_PAGES_PAGE: self.path_lists[MANY_PAGES_PAGE][0],
            "case page": reverse("work:case_detail", args=[case_id]),
            MANY_CASES_PAGE: self.path_lists[MANY_CASES_PAGE][0],
            "waiting list, first page": waiting_list,
            "waiting list, deep page": waiting_list + f"?from={max(1, candidates // 2)}",
            "admin changelist": changelist + f"?municipality__id__exact={town.pk}",
            "admin changelist, deep page": changelist  # pages count from 1
            + f"?municipality__id__exact={town.pk}&p={depth // 100 + 1}",
            "admin changelist, all cases": changelist,
        }

    def complete_history(self, case: Case, handler: User) -> None:
        """What a real case waiting for a place has and its page shows (the bulk seed leaves
        it out): UWV's advice, the decision, its terms and its history. Idempotent."""
        if case.state != CaseState.AWAITING_PLACEMENT or hasattr(case, "decision"):
            return
        assessor = self.user(Role.UWV_ASSESSOR, None, "bench-assessor@example.nl")
        decided = case.positive_decision_on or timezone.localdate()
        received, advised = decided - dt.timedelta(weeks=10), decided - dt.timedelta(weeks=4)
        Advice.objects.create(
            case=case,
            outcome=AdviceOutcome.POSITIVE,
            needs_supervision=True,
            can_perform_task=True,
            basic_employee_skills=True,
            hours_at_a_stretch=Decimal(2),
            hours_per_day=Decimal(6),
            reasons="Onderzocht.",
            issued_on=advised,
            assessor=assessor,
        )
        Decision.objects.create(
            case=case,
            positive=True,
            follows_advice=True,
            sent_on=decided,
            verordening=case.municipality.verordeningen.order_by("in_force_from").first(),
            decided_by=handler,
        )
        for kind, start, weeks, met in (
            (TermKind.UWV_ADVICE, received, 8, advised),
            (TermKind.DECISION, advised, 8, decided),
            (TermKind.OBJECTION, decided, 6, None),
        ):
            Term.objects.get_or_create(
                case=case,
                kind=kind,
                defaults={
                    "starts_on": start,
                    "weeks": weeks,
                    "end_on": start + dt.timedelta(weeks=weeks),
                    "met_on": met,
                },
            )
        for action, actor, to_state in (
            ("application_created", assessor, CaseState.SUBMITTED),
            ("investigation_started", assessor, CaseState.WITH_UWV),
            ("advice_issued", assessor, CaseState.ADVICE_ISSUED),
            ("decision_recorded", handler, CaseState.AWAITING_PLACEMENT),
            ("assigned", handler, ""),
        ):
            CaseEvent.objects.create(case=case, actor=actor, action=action, to_state=to_state)

    def client(self, user) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        session = client.session
        session["portal_staff_mfa_ok"] = True
        session.save()
        return client

    def query_counts(self, consultant, small_consultant, operator, urls, small_urls) -> None:
        self.stdout.write("queries per page (largest vs smallest municipality):")
        pairs = ((consultant, urls), (small_consultant, small_urls))
        for name in urls:
            if name in IN_TURN:
                continue
            variants = [(name, False)]
            if name == "dashboard":
                variants = [("dashboard, figures counted", True), ("dashboard", False)]
            for label, recount in variants:
                counts = []
                for user, user_urls in pairs:
                    client = self.client(operator if name.startswith("admin") else user)
                    # Counted in the steady state: what the page keeps in the cache (the
                    # dashboard's figures, the user's saved filters) is there from the request
                    # before.
                    client.get(user_urls[name])
                    if recount:
                        self.forget(name, user)
                    connection.queries_log.clear()  # the seeding filled it to its limit
                    with CaptureQueriesContext(connection) as context:
                        response = client.get(user_urls[name])
                    counts.append(f"{len(context)} ({response.status_code})")
                self.stdout.write(f"  {label:32s} {counts[0]:>10s} {counts[1]:>10s}")

    def sequential(self, consultant, operator, urls, repeat: int = 20) -> None:
        """One user, in-process (test client, no network), DEBUG as configured: the time the
        server side takes per page for the largest municipality."""
        self.stdout.write(
            f"\none user in-process, {repeat} requests per page, municipality of "
            f"{self.large_cases:,} cases:"
        )
        self.stdout.write(f"  {'page':32s} {'p50 ms':>8s} {'p95 ms':>8s}")
        rows = [("dashboard, figures counted", "dashboard", True)]
        rows += [(name, name, False) for name in urls if name not in IN_TURN]
        for label, name, recount in rows:
            client = self.client(operator if name.startswith("admin") else consultant)
            client.get(urls[name])  # warm-up
            timings = []
            for _ in range(repeat):
                if recount:
                    self.forget(name, consultant)
                started = time.perf_counter()
                client.get(urls[name])
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            self.stdout.write(f"  {label:32s} {statistics.median(timings):8.1f} {p95:8.1f}")

    def forget(self, name, user) -> None:
        """The dashboard counts its figures again."""
        if name == "dashboard":
            figures.changed(user.municipality_id)

    def session_cookie(self, user) -> str:
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store["portal_staff_mfa_ok"] = True
        store.save()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    def server_env(self) -> dict[str, str]:
        """The environment of the measured server (DEBUG off), its static files collected."""
        if getattr(self, "_server_env", None) is not None:
            return self._server_env
        env = {
            **os.environ,
            "DEBUG": "false",
            # The sessions made here are signed with this process's key: share it.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
        }
        # DEBUG off uses the manifest storage: collect the static files for it first.
        env["STATIC_ROOT"] = str(Path(settings.BASE_DIR) / "var" / "bench-static")
        subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            cwd=settings.BASE_DIR,
            check=True,
        )
        self._server_env = env
        return env

    def load(self, urls, consultant, operator, options) -> None:
        self.wrk = shutil.which("wrk")
        if self.wrk is None:
            raise CommandError("wrk is not installed (Debian: apt-get install wrk).")
        port = options["port"]
        env = self.server_env()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(gunicorn),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options["workers"]),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        try:
            self.wait_for(port)
            cookies = {
                "user": self.session_cookie(consultant),
                "admin": self.session_cookie(operator),
            }
            think = (
                f"{options['think_ms']} ms think time"
                if options["think_ms"]
                else "without think time"
            )
            rounds = max(1, options["rounds"])
            self.stdout.write(
                f"\nload (wrk): {options['users']} concurrent users, {think}, "
                f"{options['seconds']} s per page, {rounds} rounds over the pages in turns "
                f"(median of the rounds), gunicorn {options['workers']} workers, "
                "DEBUG off, loopback"
            )
            loaded = {k: v for k, v in urls.items() if not k.startswith("waiting list")}
            # (The waiting list is not a page of the target; its time is printed in-process.)
            runs = {name: [] for name in loaded}
            for _round in range(rounds):
                for name, url in loaded.items():
                    cookie = cookies["admin" if name.startswith("admin") else "user"]
                    paths = self.path_lists.get(name)
                    self.run_load(port, url, cookie, options["users"], 2, paths=paths)  # warm-up
                    runs[name].append(
                        self.run_load(
                            port,
                            url,
                            cookie,
                            options["users"],
                            options["seconds"],
                            options["think_ms"],
                            paths=paths,
                        )
                    )
            self.stdout.write(
                f"  {'page':32s} {'p50 ms':>8s} {'p95 ms':>8s} {'req/s':>8s}  p95 of the rounds"
            )
            results = {}
            for name, measured in runs.items():
                p50, p95, rps = (statistics.median(run[i] for run in measured) for i in range(3))
                results[name] = p95
                spread = " / ".join(f"{run[1]:.0f}" for run in measured)
                self.stdout.write(f"  {name:32s} {p50:8.1f} {p95:8.1f} {rps:8.1f}  {spread}")
            portal = {k: v for k, v in results.items() if not k.startswith("admin")}
            slowest = max(portal, key=portal.get)
            self.stdout.write(
                f"\nslowest portal page: {slowest}, p95 {portal[slowest]:.1f} ms "
                f"(target 100 ms: {'met' if portal[slowest] <= 100 else 'NOT met'})"
            )
            for name in ("admin changelist", "admin changelist, all cases"):
                ratio = results[name] / portal[slowest]
                self.stdout.write(
                    f"{name} p95 / slowest portal page p95: {ratio:.1f}x "
                    f"(target 20x: {'met' if ratio >= 20 else 'NOT met'})"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)

    def wait_for(self, port: int) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not start")

    def run_load(
        self, port, url, cookie, users, seconds, think_ms=0, paths=None
    ) -> tuple[float, float, float]:
        """Drive ``url`` (or each of ``paths`` in turn) with wrk: ``users`` connections, each
        sending its next request as soon as the answer is in (the worst case) or
        ``think_ms`` after it."""
        script = Path(settings.BASE_DIR) / "var" / "bench-wrk.lua"
        script.write_text(WRK_SCRIPT)
        paths_file = Path(settings.BASE_DIR) / "var" / "bench-paths.txt"
        paths_file.write_text("\n".join(paths or []) + "\n")
        result = subprocess.run(  # noqa: S603 - wrk with fixed arguments
            [
                self.wrk,
                f"--threads={min(2, users)}",
                f"--connections={users}",
                f"--duration={seconds}s",
                "--timeout=30s",
                f"--header=Cookie: {cookie}",
                "--header=Host: 127.0.0.1",
                f"--script={script}",
                f"http://127.0.0.1:{port}{url}",
            ],
            capture_output=True,
            text=True,
            check=True,
            env={
                **os.environ,
                "BENCH_THINK_MS": str(think_ms),
                "BENCH_PATHS": str(paths_file) if paths else "",
            },
        )
        line = next((row for row in result.stdout.splitlines() if row.startswith("RESULT ")), None)
        if line is None:
            raise CommandError(f"wrk printed no result:\n{result.stdout}{result.stderr}")
        p50, p95, requests, duration_us, errors = (int(v) for v in line.split()[1:])
        if errors:
            raise CommandError(f"{url}: {errors} of {requests} responses failed or not 2xx")
        return p50 / 1000, p95 / 1000, requests / (duration_us / 1_000_000)
