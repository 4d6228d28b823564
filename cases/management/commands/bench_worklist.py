"""Benchmark of the staff pages under a real load (issues #5 and #19).

Seeds cases over many municipalities of skewed (Zipf-like) sizes with ``bulk_create``, prints
the queries per page (for 1,000 cases first, then for all of them: the counts must be equal),
creates the load-test accounts and their sample of cases (``prepare_load``), starts gunicorn
on loopback with DEBUG off and drives it with Locust (``bench/locustfile.py``) at a fixed
arrival rate: a mixed staff workload (dashboard, work list first and deep pages, a search by
name, case pages of random cases, waiting list, UWV queue and one action POST in ten), open
loop (a slow answer does not slow the arrivals down). Prints p50/p95/p99 per page and overall,
the rate achieved and the errors, and whether the target of issue #19 is met.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
    .venv/bin/python manage.py migrate && \\
    .venv/bin/python manage.py bench_worklist --cases 1000000 --municipalities 340

Locust is not a dependency of the portal: ``.venv/bin/pip install locust pyotp`` (the
``bench`` extra of pyproject.toml), or ``--locust PATH`` to a locust of its own venv.
Run it against a database of its own: it adds data (municipalities named "Benchgemeente").
See docs/benchmarks.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from cases import figures
from cases.audit.models import CaseEvent
from cases.bsn import valid_bsn
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
from cases.models import CANDIDATE_STATES, Advice, Application, Case, Decision, Person
from cases.placement.models import Employment
from cases.selectors import encode_cursor
from cases.terms.models import Term
from municipalities.models import Municipality, Verordening, YearlyQuota
from portal.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from portal.models import Role, User

BENCH_NAME = "Benchgemeente"
#: Query counts are printed for this many cases first, then for all of them.
SMALL_SET = 1_000

CBS_BASE = 6000
#: Where the benchmark's BSNs start (``cases.bsn.valid_bsn``), apart from bench_sweep's, the
#: demo's and the tests' series.
BSN_BASE = 3_000_000

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


def zipf_sizes(total: int, count: int) -> list[int]:
    weights = [1 / (rank + 1) for rank in range(count)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes


#: The target of issue #19 (milliseconds, over all requests of the measured window).
TARGET_P95_MS = 150
TARGET_P99_MS = 300
LOCUSTFILE = Path(settings.BASE_DIR) / "bench" / "locustfile.py"
#: Accounts of the load run: consultants of the largest municipality, one consultant each of
#: municipalities of these ranks by size, and UWV assessors (60 with the defaults).
LARGE_USERS = 51
SMALL_RANKS = (20, 60, 120, 200, 280, 339)
UWV_USERS = 3
#: Case ids sampled per municipality for the case pages and the actions.
SAMPLE = 3000
#: Names sampled per municipality for the searches.
SAMPLE_NAMES = 300
CLOSED = (CaseState.WITHDRAWN, CaseState.CLOSED)


class Command(BaseCommand):
    help = "Seed cases and measure the staff pages under a mixed load at a fixed rate (Locust)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--municipalities", type=int, default=340)
        parser.add_argument("--no-seed", action="store_true", help="reuse the seeded data")
        parser.add_argument("--allow-sqlite", action="store_true")
        parser.add_argument(
            "--rate", type=float, default=100, help="requests per second offered (0: no load)"
        )
        parser.add_argument("--users", type=int, default=60, help="simulated staff (accounts)")
        parser.add_argument("--warmup", type=int, default=30, help="seconds before measuring")
        parser.add_argument("--seconds", type=int, default=180, help="seconds measured")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--locust",
            default=None,
            help="the locust program (default: the one beside this Python, else on PATH)",
        )
        parser.add_argument(
            "--out",
            default=str(Path(settings.VAR_DIR) / "bench"),
            help="folder for the accounts file and Locust's CSV files",
        )

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
        self.query_counts(*self.setup())
        if options["rate"] > 0:
            out = Path(options["out"])
            out.mkdir(parents=True, exist_ok=True)
            accounts = self.prepare_load(out / "load-accounts.json")
            self.load(accounts, out, options)

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
        assessor = self.user(Role.UWV_ASSESSOR, None, "bench-assessor@example.nl")
        urls = self.urls(large, consultant)
        small_urls = self.urls(small, small_consultant)
        return consultant, small_consultant, assessor, urls, small_urls

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
        # A run goes on after the persons of earlier runs (also one stopped half-way).
        seeded = Person.objects.filter(first_name="Bench", bsn__gte=valid_bsn(0, base=BSN_BASE))
        bsns = (valid_bsn(n, base=BSN_BASE) for n in itertools.count(seeded.count()))
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
                            positive_advice_on=(since - dt.timedelta(days=58)).date()
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
        cases = Case.objects.filter(municipality=town).exclude(state__in=CLOSED)
        ordered = cases.order_by("state_since", "id").values_list("state_since", "id")
        depth = max(0, min(9_000, cases.count() - 30))
        deep = ordered[depth : depth + 1].first() if depth else None  # setup only
        worklist = reverse("work:case_list")

        def after(row) -> str:  # the cursor as the list's own links write it (urlencoded)
            return worklist + "?" + urlencode({"after": encode_cursor(*row)})

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
        candidates = cases.filter(state__in=CANDIDATE_STATES).count()
        waiting_list = reverse("work:waiting_list")
        return {
            "dashboard": reverse("work:dashboard"),
            "work list, first page": worklist,
            "work list, deep page": after(deep) if deep else worklist,
            "case page": reverse("work:case_detail", args=[case_id]),
            "waiting list, first page": waiting_list,
            "waiting list, deep page": waiting_list + f"?from={max(1, candidates // 2)}",
            "UWV queue": reverse("uwv:queue"),
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

    def query_counts(self, consultant, small_consultant, assessor, urls, small_urls) -> None:
        self.stdout.write("queries per page (largest vs smallest municipality):")
        pairs = ((consultant, urls), (small_consultant, small_urls))
        for name in urls:
            variants = [(name, False)]
            if name == "dashboard":
                variants = [("dashboard, figures counted", True), ("dashboard", False)]
            for label, recount in variants:
                counts = []
                for user, user_urls in pairs:
                    client = self.client(assessor if name == "UWV queue" else user)
                    # Counted in the steady state: what the page keeps in the cache (the
                    # dashboard's figures, the user's saved filters) is there from the request
                    # before.
                    client.get(user_urls[name])
                    if recount:
                        figures.changed(user.municipality_id)
                    connection.queries_log.clear()  # the seeding filled it to its limit
                    with CaptureQueriesContext(connection) as context:
                        response = client.get(user_urls[name])
                    counts.append(f"{len(context)} ({response.status_code})")
                self.stdout.write(f"  {label:32s} {counts[0]:>10s} {counts[1]:>10s}")

    # -- the load run --------------------------------------------------------------------------

    def prepare_load(self, path: Path) -> Path:
        """The load run's accounts (password and TOTP secret of the demo, e-mail verified)
        and, per municipality they work in, a sample of case ids, open case ids and names, as
        JSON for ``bench/locustfile.py``. Idempotent: existing accounts are kept."""
        ranked = list(
            Municipality.objects.filter(name__startswith=BENCH_NAME)
            .annotate(n=Count("cases"))
            .filter(n__gt=0)
            .order_by("-n", "cbs_code")
            .values_list("id", "name", "n")
        )
        if not ranked:
            raise CommandError("Nothing seeded yet: run without --no-seed first.")
        towns: dict[int, dict] = {}
        users: list[dict] = []

        def add_town(rank: int) -> Municipality:
            town_id, name, n = ranked[min(rank, len(ranked) - 1)]
            if town_id not in towns:
                every = Case.objects.filter(municipality_id=town_id).order_by("?")
                ids = list(every.values_list("id", flat=True)[:SAMPLE])
                open_ids = list(
                    every.exclude(state__in=CLOSED).values_list("id", flat=True)[:SAMPLE]
                )
                names = list(
                    Case.objects.filter(pk__in=ids[:SAMPLE_NAMES]).values_list(
                        "person__last_name", flat=True
                    )
                )
                towns[town_id] = {
                    "name": name,
                    "cases": n,
                    "rank": rank,
                    "case_ids": ids,
                    "open_case_ids": open_ids,
                    "names": names,
                }
            return Municipality.objects.get(pk=town_id)

        large = add_town(0)
        for i in range(LARGE_USERS):
            users.append(self.load_account(f"load-c{i:02d}@example.nl", Role.CONSULTANT, large))
        for rank in SMALL_RANKS:
            town = add_town(rank)
            users.append(self.load_account(f"load-s{rank:03d}@example.nl", Role.CONSULTANT, town))
        for i in range(UWV_USERS):
            users.append(self.load_account(f"load-u{i:02d}@example.nl", Role.UWV_ASSESSOR, None))
        path.write_text(
            json.dumps(
                {
                    "password": DEMO_PASSWORD,
                    "totp_secret": DEMO_TOTP_SECRET,
                    "users": users,
                    "towns": {str(k): v for k, v in towns.items()},
                }
            )
        )
        self.stdout.write(
            f"\n{len(users)} load accounts; municipalities: "
            + ", ".join(
                f"{v['name']} (rank {v['rank']}, {v['cases']:,} cases)" for v in towns.values()
            )
        )
        return path

    def load_account(self, email: str, role, municipality) -> dict:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(
                email=email,
                role=role,
                municipality=municipality,
                first_name="Load",
                last_name=email.split("@")[0],
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        kind = "uwv" if role == Role.UWV_ASSESSOR else "municipal"
        return {"email": email, "kind": kind, "town": municipality.pk if municipality else None}

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

    def locust_program(self, given: str | None) -> str:
        beside = Path(sys.executable).with_name("locust")
        program = given or (str(beside) if beside.exists() else shutil.which("locust"))
        if not program or not Path(program).exists():
            raise CommandError(
                "Locust is not installed: .venv/bin/pip install locust pyotp (or --locust PATH)."
            )
        return program

    def load(self, accounts: Path, out: Path, options) -> None:
        locust = self.locust_program(options["locust"])
        port = options["port"]
        env = self.server_env()
        # The seeding went past the signals: every municipality's figures are counted afresh
        # (and none left in the cache by another database on the same Redis is taken).
        for town_id in Municipality.objects.values_list("id", flat=True):
            figures.changed(town_id)
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
        csv_prefix = out / "locust"
        log = out / "locust.log"
        try:
            self.wait_for(port)
            self.stdout.write(
                f"\nload (Locust, open loop): {options['rate']:g} requests/s offered by "
                f"{options['users']} staff, {options['warmup']} s warm-up, "
                f"{options['seconds']} s measured; gunicorn {options['workers']} workers, "
                f"DEBUG off, loopback; this machine: {os.cpu_count()} cores, load average "
                + " ".join(f"{v:.2f}" for v in os.getloadavg())
            )
            with log.open("w") as fh:
                subprocess.run(  # noqa: S603 - locust with fixed arguments
                    [
                        locust,
                        "-f",
                        str(LOCUSTFILE),
                        "--headless",
                        "--only-summary",
                        "-u",
                        str(options["users"]),
                        "-r",
                        "30",
                        "--host",
                        f"http://127.0.0.1:{port}",
                        "--csv",
                        str(csv_prefix),
                        "-t",
                        f"{options['warmup'] + options['seconds'] + 120}s",
                    ],
                    env={
                        **os.environ,
                        "LOAD_ACCOUNTS_FILE": str(accounts),
                        "LOAD_RATE": str(options["rate"]),
                        "LOAD_WARMUP_S": str(options["warmup"]),
                        "LOAD_MEASURE_S": str(options["seconds"]),
                    },
                    cwd=settings.BASE_DIR,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    check=False,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
        for line in log.read_text().splitlines():
            if line.startswith("[load]"):
                self.stdout.write(line)
        self.report(Path(f"{csv_prefix}_stats.csv"), options["seconds"])

    def report(self, stats_csv: Path, seconds: int) -> None:
        """The table of Locust's statistics of the measured window: per page and overall."""
        if not stats_csv.exists():
            raise CommandError(f"Locust wrote no statistics (see {stats_csv.parent}/locust.log)")
        with stats_csv.open() as fh:
            rows = list(csv.DictReader(fh))
        self.stdout.write(
            f"\n  {'page':30s} {'requests':>9s} {'errors':>7s} {'p50 ms':>7s} "
            f"{'p95 ms':>7s} {'p99 ms':>7s} {'max ms':>7s}"
        )
        total = None
        for row in rows:
            if row["Name"] == "Aggregated":
                total = row
                continue
            if row["Name"].startswith("login"):
                continue
            self.stdout.write(self.table_row(row["Name"], row))
        if total is None:
            raise CommandError("Locust measured nothing.")
        self.stdout.write(self.table_row("all requests", total))
        requests, errors = int(total["Request Count"]), int(total["Failure Count"])
        p95, p99 = float(total["95%"]), float(total["99%"])
        met = p95 <= TARGET_P95_MS and p99 <= TARGET_P99_MS and errors == 0
        self.stdout.write(
            f"\nachieved {requests / seconds:.1f} requests/s; {errors} errors; overall p95 "
            f"{p95:.0f} ms, p99 {p99:.0f} ms (target p95 <= {TARGET_P95_MS} ms, p99 <= "
            f"{TARGET_P99_MS} ms, no error: {'met' if met else 'NOT met'}); load average now "
            + " ".join(f"{v:.2f}" for v in os.getloadavg())
        )

    @staticmethod
    def table_row(name: str, row: dict) -> str:
        return (
            f"  {name:30s} {int(row['Request Count']):9d} {int(row['Failure Count']):7d} "
            f"{row['50%']:>7s} {row['95%']:>7s} {row['99%']:>7s} "
            f"{float(row['Max Response Time']):7.0f}"
        )

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
