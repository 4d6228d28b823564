"""Benchmark of the term sweep (issue 7): prints figures, asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        python manage.py bench_sweep --cases 100000 --municipalities 340

Seeds open cases with running terms over the municipalities (in a database whose name
contains "bench", unless ``--force``), runs the set-based sweep twice (a first run and a
rerun with nothing new) and a naive per-case loop over a sample of the same cases (inside a
transaction that is rolled back), and prints cases per second, queries per 1,000 cases and
the ratio. The seeded rows are removed afterwards unless ``--keep``.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.bsn import valid_bsn
from cases.choices import BenefitKind, CaseState, TermKind
from cases.models import Case, Person
from cases.notifications import dispatch
from cases.notifications.models import Notification, NotificationChannel, OutboxMessage
from cases.terms.models import Term
from municipalities.models import Municipality
from portal.models import Role, User

PREFIX = "BENCH"
#: Where the benchmark's BSNs start (``cases.bsn.valid_bsn``), apart from demo and test data.
BSN_BASE = 2_000_000
TERM_MIX = [
    (TermKind.UWV_ADVICE, CaseState.WITH_UWV, 50),
    (TermKind.DECISION, CaseState.ADVICE_ISSUED, 25),
    (TermKind.OBJECTION, CaseState.REJECTED, 15),
    (TermKind.PLACEMENT, CaseState.AWAITING_PLACEMENT, 10),
]


class Command(BaseCommand):
    help = "Benchmark the set-based term sweep against a naive per-case loop."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--municipalities", type=int, default=340)
        parser.add_argument("--naive-sample", type=int, default=2_000)
        parser.add_argument("--keep", action="store_true")
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, **options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in name and not options["force"]:
            raise CommandError(
                f"Refusing to seed {name!r}: use a database whose name contains 'bench' "
                "(createdb portal_bench; migrate) or pass --force."
            )
        if connection.vendor != "postgresql":
            self.stderr.write("Note: the targets are for PostgreSQL; this is " + connection.vendor)
        today = timezone.localdate()
        self.cleanup()
        started = time.perf_counter()
        case_count = self.seed(options["cases"], options["municipalities"], today)
        self.stdout.write(
            f"seeded {case_count} open cases over {options['municipalities']} municipalities "
            f"in {time.perf_counter() - started:.1f} s"
        )
        try:
            first = self.timed_sweep(today, case_count, "first run")
            rerun = self.timed_sweep(today, case_count, "rerun (nothing new)")
            naive_rate = self.naive(today, options["naive_sample"])
            self.stdout.write(
                f"naive per-case loop: {naive_rate:,.0f} cases/s "
                f"(sample of {options['naive_sample']} cases, rolled back)"
            )
            self.stdout.write(f"ratio first run / naive: {first / naive_rate:,.1f}x")
            dupes = (
                Notification.objects.values("case", "kind", "term_end", "recipient_key", "channel")
                .order_by()
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .count()
            )
            self.stdout.write(f"duplicate notifications: {dupes}")
            self.stdout.write(f"(rerun: {rerun:,.0f} cases/s)")
        finally:
            if not options["keep"]:
                self.cleanup()

    # -- seeding ----------------------------------------------------------------------------

    def seed(self, cases: int, municipalities: int, today) -> int:
        rng = random.Random(7)  # noqa: S311 - benchmark data, not security
        munis = Municipality.objects.bulk_create(
            [
                Municipality(cbs_code=f"GM{6000 + i:04d}", name=f"{PREFIX} gemeente {i}")
                for i in range(municipalities)
            ]
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"{PREFIX.lower()}-consulent-{m.pk}@example.nl",
                    role=Role.CONSULTANT,
                    municipality=m,
                    password="!",
                )
                for m in munis
            ]
            + [
                User(
                    email=f"{PREFIX.lower()}-uwv-{i}@example.nl",
                    role=Role.UWV_ASSESSOR,
                    password="!",
                )
                for i in range(1)
            ]
        )
        consultant_of = {u.municipality_id: u.pk for u in users if u.municipality_id}
        now = timezone.now()
        batch = 5_000
        for start in range(0, cases, batch):
            size = min(batch, cases - start)
            persons = Person.objects.bulk_create(
                [
                    Person(
                        bsn=valid_bsn(start + i, base=BSN_BASE),
                        first_name="Bench",
                        last_name=str(start + i),
                        birth_date=today.replace(year=today.year - 30),
                        municipality=munis[(start + i) % municipalities],
                        benefit_kind=BenefitKind.PARTICIPATIEWET,
                    )
                    for i in range(size)
                ]
            )
            kinds = rng.choices(
                [(k, s) for k, s, _w in TERM_MIX], weights=[w for *_x, w in TERM_MIX], k=size
            )
            case_rows = Case.objects.bulk_create(
                [
                    Case(
                        reference=f"{PREFIX}-{start + i:07d}",
                        person=person,
                        municipality_id=person.municipality_id,
                        state=kinds[i][1],
                        state_since=now,
                        submitted_at=now,
                        assignee_id=(
                            consultant_of[person.municipality_id] if (start + i) % 2 else None
                        ),
                    )
                    for i, person in enumerate(persons)
                ]
            )
            terms = []
            for i, case in enumerate(case_rows):
                end = today + timedelta(days=rng.randint(-20, 55))
                terms.append(
                    Term(
                        case=case,
                        kind=kinds[i][0],
                        starts_on=end - timedelta(weeks=8),
                        weeks=8,
                        end_on=end,
                    )
                )
            Term.objects.bulk_create(terms)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        return cases

    def cleanup(self) -> None:
        """Remove every seeded row (set-based: the bench database holds nothing else of it)."""
        t = {
            "outbox": OutboxMessage._meta.db_table,
            "notification": Notification._meta.db_table,
            "term": Term._meta.db_table,
            "case": Case._meta.db_table,
            "person": Person._meta.db_table,
            "user": User._meta.db_table,
            "municipality": Municipality._meta.db_table,
        }
        like = f"{PREFIX}-%"
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
            statements = [
                "DELETE FROM {outbox} WHERE notification_id IN (SELECT n.id FROM "
                "{notification} n JOIN {case} c ON c.id = n.case_id WHERE c.reference LIKE %s)",
                "DELETE FROM {notification} WHERE case_id IN "
                "(SELECT id FROM {case} WHERE reference LIKE %s)",
                "DELETE FROM {term} WHERE case_id IN "
                "(SELECT id FROM {case} WHERE reference LIKE %s)",
                "DELETE FROM {notification} WHERE recipient_id IN "
                "(SELECT id FROM {user} WHERE email LIKE %s)",
            ]
            for sql in statements:
                pattern = f"{PREFIX.lower()}-%" if "email" in sql else like
                cursor.execute(sql.format(**t), [pattern])
            cursor.execute(
                "DELETE FROM {case} WHERE reference LIKE %s".format(**t),  # noqa: S608
                [like],
            )
            cursor.execute(
                "DELETE FROM {person} WHERE first_name = 'Bench' AND id NOT IN "  # noqa: S608
                "(SELECT person_id FROM {case})".format(**t)
            )
            cursor.execute(
                "DELETE FROM {user} WHERE email LIKE %s".format(**t),  # noqa: S608
                [f"{PREFIX.lower()}-%"],
            )
            cursor.execute(
                "DELETE FROM {municipality} WHERE name LIKE %s".format(**t),  # noqa: S608
                [f"{PREFIX} %"],
            )

    # -- measuring --------------------------------------------------------------------------

    def timed_sweep(self, today, case_count: int, label: str) -> float:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = dispatch.sweep(today)
            elapsed = time.perf_counter() - started
        rate = case_count / elapsed
        per_thousand = len(captured) / (case_count / 1000)
        self.stdout.write(
            f"{label}: {elapsed * 1000:,.0f} ms, {rate:,.0f} cases/s, "
            f"{len(captured)} queries ({per_thousand:.3f} per 1,000 cases), "
            f"{result.created:,} notifications created"
        )
        return rate

    def naive(self, today, sample: int) -> float:
        """The obvious loop: per case read its terms and recipients, then get_or_create each
        notification and its outbox row. Rolled back so it leaves nothing behind."""
        stages = {}
        for stage in dispatch.STAGES:
            stages.setdefault(stage.term_kind, []).append(stage)
        case_ids = list(
            Case.objects.filter(reference__startswith=f"{PREFIX}-")
            .order_by("pk")
            .values_list("pk", flat=True)[:sample]
        )
        # Measured on cases the set-based runs have not touched yet: clear their rows first.
        started = time.perf_counter()
        with transaction.atomic():
            Notification.objects.filter(case_id__in=case_ids).delete()
            started = time.perf_counter()
            for case_id in case_ids:
                case = Case.objects.get(pk=case_id)
                for term in Term.objects.filter(
                    case=case, met_on__isnull=True, suspended_since__isnull=True
                ):
                    left = (term.end_on - today).days
                    for stage in stages.get(term.kind, []):
                        if not (
                            left <= stage.up_to and (stage.after is None or left > stage.after)
                        ):
                            continue
                        recipients = []
                        if case.assignee_id:
                            recipients = list(
                                User.objects.filter(pk=case.assignee_id, is_active=True)
                            )
                        elif "team" in stage.audiences:
                            recipients = list(
                                User.objects.filter(
                                    role=Role.CONSULTANT,
                                    municipality_id=case.municipality_id,
                                    is_active=True,
                                )
                            )
                        if "uwv" in stage.audiences:
                            recipients += list(
                                User.objects.filter(role=Role.UWV_ASSESSOR, is_active=True)
                            )
                        for user in recipients:
                            for channel in (NotificationChannel.INBOX, NotificationChannel.EMAIL):
                                notification, created = Notification.objects.get_or_create(
                                    case=case,
                                    kind=stage.kind,
                                    term_end=term.end_on,
                                    recipient_key=f"user:{user.pk}",
                                    channel=channel,
                                    defaults={
                                        "recipient": user,
                                        "created_at": timezone.now(),
                                        "email": user.email if channel == "email" else "",
                                        "state": "pending" if channel == "email" else "sent",
                                    },
                                )
                                if created and channel == NotificationChannel.EMAIL:
                                    OutboxMessage.objects.create(
                                        notification=notification, created_at=timezone.now()
                                    )
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return len(case_ids) / elapsed
