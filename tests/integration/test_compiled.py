"""Compiled queries (``portal.compiled``): the same rows as the ORM for every binding of
their slots, compiled once per thread; the work list, the case's history and its terms
through them."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import uuid
from types import SimpleNamespace

import pytest
from django.db import connection, connections, models
from django.db.models import OuterRef, Q, Subquery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import selectors
from cases.choices import CandidateSource, CaseState, TermKind, TermState
from cases.models import Application, Case, CaseEvent, Objection, Term, TermEvent
from portal.compiled import CompiledValues, Slot, compiled_values, model_columns
from tests.factories import CaseFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def fresh_key() -> tuple:
    """A key no other test (or earlier run in this thread) has compiled."""
    return ("test_compiled", uuid.uuid4().hex)


def concrete_values(instance) -> tuple:
    return tuple(getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields)


# -- a caseload ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The users here never sign in: hashing their passwords slowly buys nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def caseload(municipality, consultant):
    """Cases of one municipality in many states, handlers, sources and terms (open, met,
    suspended; ending before, on and after today), a few with the same ``state_since``; and
    cases of another municipality interleaved with them."""
    today = timezone.localdate()
    assessor = UserFactory(uwv_assessor=True, totp=False)
    colleague = UserFactory(
        consultant=True,
        municipality=municipality,
        first_name="Anna",
        last_name="de Wit",
        totp=False,
    )
    unnamed = UserFactory(
        consultant=True, municipality=municipality, first_name="", last_name="", totp=False
    )
    other = UserFactory(consultant=True, first_name="Olga", totp=False)
    base = timezone.now().replace(microsecond=654321) - dt.timedelta(days=30)
    tie = base.replace(microsecond=0) + dt.timedelta(days=5)  # isoformat without micros

    def make(
        town,
        state,
        *,
        hours=0,
        at=None,
        assignee=None,
        source=CandidateSource.SCHOOL,
        priority=False,
        last_name=None,
    ):
        person = PersonFactory(municipality=town, **({"last_name": last_name} if last_name else {}))
        case = CaseFactory(
            person=person,
            state=state,
            state_since=at or base + dt.timedelta(hours=hours),
            assignee=assignee,
            priority_group=priority,
            lifecycle__actor=assessor,
        )
        Application.objects.filter(case=case).update(source=source)
        return case

    def open_term(case, kind, starts_on, end_on, **extra):
        return Term.objects.create(
            case=case, kind=kind, starts_on=starts_on, end_on=end_on, **extra
        )

    town = municipality
    c = SimpleNamespace()
    c.a = make(town, CaseState.WITH_UWV, hours=1, assignee=consultant)  # UWV term overdue
    c.b = make(town, CaseState.SUBMITTED, at=tie, assignee=colleague, source=CandidateSource.CARE)
    Term.objects.filter(case=c.b).update(end_on=today + 10 * DAY)  # running
    c.c = make(town, CaseState.ADVICE_ISSUED, at=tie)  # decision term, suspended
    Term.objects.filter(case=c.c).update(suspended_since=today - 3 * DAY)
    c.d = make(
        town, CaseState.OBJECTION, at=tie, assignee=consultant, source=CandidateSource.BENEFIT_FILES
    )  # a pending objection
    open_term(c.d, TermKind.OBJECTION, today - 10 * DAY, today + 20 * DAY)
    c.e = make(
        town,
        CaseState.AWAITING_PLACEMENT,
        at=tie,
        assignee=colleague,
        source=CandidateSource.OTHER,
        priority=True,
        last_name="Jansen",
    )
    c.f = make(town, CaseState.AWAITING_PLACEMENT, hours=30)
    open_term(
        c.f, TermKind.PLACEMENT, today - 60 * DAY, today - 30 * DAY, met_on=today - 35 * DAY
    )  # met: not an open term
    c.g = make(
        town, CaseState.EMPLOYED, hours=-5, assignee=unnamed, source=CandidateSource.BENEFIT_FILES
    )
    c.h = make(town, CaseState.UNAVAILABLE, hours=200, source=CandidateSource.CARE, priority=True)
    c.i = make(town, CaseState.WITHDRAWN, hours=50, assignee=consultant)
    c.j = make(town, CaseState.CLOSED, hours=60, assignee=colleague, source=CandidateSource.OTHER)
    c.k = make(town, CaseState.REJECTED, hours=70, source=CandidateSource.CARE)
    Objection.objects.create(
        case=c.k,
        filed_on=today - 40 * DAY,
        grounds="Nee.",
        in_time=True,
        outcome=Objection.Outcome.DISMISSED,
        decided_on=today - 20 * DAY,
    )  # decided: not open
    c.l = make(town, CaseState.WITH_UWV, hours=80, assignee=colleague)  # overdue + running
    open_term(c.l, TermKind.PLACEMENT, today - 5 * DAY, today + 5 * DAY)
    c.m = make(
        town,
        CaseState.AWAITING_PLACEMENT,
        hours=90,
        assignee=consultant,
        source=CandidateSource.DAY_ACTIVITIES,
    )
    open_term(c.m, TermKind.PLACEMENT, today - 20 * DAY, today)  # ends today: running
    c.n = make(town, CaseState.DRAFT, hours=100, source=CandidateSource.SELF_REFERRAL)
    c.o = make(town, CaseState.ADVICE_ISSUED, hours=110, assignee=consultant, priority=True)
    Term.objects.filter(case=c.o).update(end_on=today - DAY)  # overdue since yesterday
    own = [c.a, c.b, c.c, c.d, c.e, c.f, c.g, c.h, c.i, c.j, c.k, c.l, c.m, c.n, c.o]

    elsewhere = other.municipality
    c.p = make(elsewhere, CaseState.WITH_UWV, at=tie, assignee=other, last_name="Jansen")
    c.q = make(
        elsewhere, CaseState.AWAITING_PLACEMENT, hours=2, source=CandidateSource.CARE, priority=True
    )
    c.r = make(elsewhere, CaseState.OBJECTION, hours=85, assignee=other)
    Term.objects.filter(case=c.p).update(end_on=today + 3 * DAY)
    foreign = [c.p, c.q, c.r]

    CaseEvent.objects.create(case=c.a, actor=consultant, action="created", to_state="draft")
    CaseEvent.objects.create(case=c.a, action="submitted", to_state="submitted")
    return SimpleNamespace(
        today=today,
        user=consultant,
        colleague=colleague,
        unnamed=unnamed,
        other=other,
        municipality=municipality,
        own=own,
        foreign=foreign,
        tie=tie,
        base=base,
        **vars(c),
    )


# -- compiled_values and CompiledValues ---------------------------------------------------


def cases_from(town, since, decided_by):
    """One shape of query; plain values for the ORM or slots for the compiled query."""
    last_event = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-id")
    return (
        Case.objects.filter(municipality_id=town, state_since__gte=since)
        .filter(Q(positive_decision_on__isnull=True) | Q(positive_decision_on__lte=decided_by))
        .annotate(last_event_at=Subquery(last_event.values("at")[:1]))
        .order_by("state_since", "id")
        .values(
            "id",
            "reference",
            "state",
            "state_since",
            "submitted_at",
            "closed_at",
            "positive_decision_on",
            "priority_group",
            "assignee_id",
            "assignee__email",
            "person__birth_date",
            "application__received_on",
            "last_event_at",
        )
    )


def compiled_cases_from() -> CompiledValues:
    return compiled_values(
        fresh_key(),
        lambda: cases_from(
            Slot("town", models.BigIntegerField()),
            Slot("since", models.DateTimeField()),
            Slot("decided_by", models.DateField()),
        ),
    )


def test_compiled_query_returns_what_the_orm_returns_for_each_binding(caseload):
    compiled = compiled_cases_from()
    early = caseload.base - dt.timedelta(days=10)
    bindings = [
        {"town": caseload.municipality.pk, "since": early, "decided_by": caseload.today},
        {"town": caseload.municipality.pk, "since": caseload.tie, "decided_by": caseload.today},
        {
            "town": caseload.municipality.pk,
            "since": early,
            "decided_by": caseload.today - dt.timedelta(weeks=11),
        },
        {"town": caseload.other.municipality_id, "since": early, "decided_by": caseload.today},
        {
            "town": caseload.municipality.pk,
            "since": timezone.now() + DAY,
            "decided_by": caseload.today,
        },
    ]
    results = []
    for values in (*bindings, *bindings):  # each binding twice, in turn
        rows = compiled.run(**values)
        assert rows == list(cases_from(**values)), values
        results.append([row["id"] for row in rows])
    first_round = results[: len(bindings)]
    assert first_round == results[len(bindings) :]
    assert len({tuple(ids) for ids in first_round}) == len(bindings)  # all different
    assert sorted(first_round[0]) == sorted(case.pk for case in caseload.own)
    assert sorted(first_round[3]) == sorted(case.pk for case in caseload.foreign)
    assert first_round[4] == []

    rows = compiled.run(**bindings[0])
    for row in rows:
        assert type(row["state_since"]) is dt.datetime and timezone.is_aware(row["state_since"])
        assert type(row["priority_group"]) is bool
        assert type(row["person__birth_date"]) is dt.date
        assert row["positive_decision_on"] is None or type(row["positive_decision_on"]) is dt.date
    by_pk = {row["id"]: row for row in rows}
    employed, draft, a = by_pk[caseload.g.pk], by_pk[caseload.n.pk], by_pk[caseload.a.pk]
    assert employed["positive_decision_on"] == caseload.today - dt.timedelta(weeks=10)
    assert draft["positive_decision_on"] is None and draft["submitted_at"] is None
    assert draft["application__received_on"] is None and draft["assignee__email"] is None
    assert draft["last_event_at"] is None
    assert a["assignee__email"] == caseload.user.email
    last = CaseEvent.objects.filter(case=caseload.a).order_by("-at", "-id").first().at
    assert type(a["last_event_at"]) is dt.datetime and timezone.is_aware(a["last_event_at"])
    assert a["last_event_at"] == last
    assert {row["priority_group"] for row in rows} == {True, False}


def test_compiled_query_converts_json_and_datetimes(caseload):
    CaseEvent.objects.create(
        case=caseload.b, actor=caseload.colleague, action="assigned", details={"to": [1, "x"]}
    )

    def events(case):
        return (
            CaseEvent.objects.filter(case_id=case)
            .order_by("at", "id")
            .values("id", "at", "actor_id", "action", "details")
        )

    compiled = compiled_values(fresh_key(), lambda: events(Slot("case", models.BigIntegerField())))
    for case in (caseload.a, caseload.b, caseload.a):
        rows = compiled.run(case=case.pk)
        assert rows and rows == list(events(case.pk))
    assert compiled.run(case=caseload.b.pk)[0]["details"] == {"to": [1, "x"]}
    assert compiled.run(case=caseload.c.pk) == []


def test_run_refuses_missing_or_unknown_values_and_runs_nothing(
    caseload, django_assert_num_queries
):
    compiled = compiled_cases_from()
    full = {"town": caseload.municipality.pk, "since": caseload.base, "decided_by": caseload.today}
    wrong = [
        {},
        {"town": caseload.municipality.pk},
        {key: value for key, value in full.items() if key != "decided_by"},
        {**full, "extra": 1},
        {"town": full["town"], "since": full["since"], "decided": full["decided_by"]},
    ]
    with django_assert_num_queries(0):
        for values in wrong:
            with pytest.raises(TypeError):
                compiled.run(**values)
            with pytest.raises(TypeError):
                compiled.rows(**values)
    assert compiled.run(**full)  # the query itself is fine


def test_run_models_refuses_wrong_values_and_runs_nothing(caseload, django_assert_num_queries):
    compiled = compiled_values(
        fresh_key(),
        lambda: Term.objects.filter(case_id=Slot("case", models.BigIntegerField())).values(
            *model_columns(Term)
        ),
    )
    with django_assert_num_queries(0):
        for values in ({}, {"case": caseload.a.pk, "kind": "x"}, {"term": caseload.a.pk}):
            with pytest.raises(TypeError):
                compiled.run_models(Term, **values)


def test_only_a_values_queryset_is_compiled(caseload):
    slot = Slot("town", models.BigIntegerField())
    with pytest.raises(TypeError):
        CompiledValues(Case.objects.filter(municipality_id=slot), "default")
    key = fresh_key()
    with pytest.raises(TypeError):
        compiled_values(key, lambda: Case.objects.all())
    # What was refused is not kept: the key compiles once it is given a values() queryset.
    compiled = compiled_values(
        key, lambda: Case.objects.filter(municipality_id=slot).order_by("id").values("id")
    )
    assert compiled.run(town=caseload.other.municipality_id) == [
        {"id": case.pk} for case in sorted(caseload.foreign, key=lambda case: case.pk)
    ]


def test_a_key_compiles_once_per_thread(caseload):
    key, builds = fresh_key(), []

    def build():
        builds.append(threading.current_thread().name)
        return Case.objects.filter(pk=Slot("pk", models.BigIntegerField())).values("id")

    first = compiled_values(key, build)
    assert compiled_values(key, build) is first
    assert builds == [threading.current_thread().name]
    assert first.run(pk=caseload.a.pk) == [{"id": caseload.a.pk}]
    assert first.run(pk=caseload.b.pk) == [{"id": caseload.b.pk}]
    assert len(builds) == 1

    got, errors = [], []

    def in_thread():
        # Compiling needs no database connection: this thread never opens one.
        try:
            got.extend([compiled_values(key, build), compiled_values(key, build)])
            # The thread's connection object replaced: compiled again, for the new one.
            connections["default"] = connections.create_connection("default")
            got.extend([compiled_values(key, build), compiled_values(key, build)])
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=in_thread, name="compiled-test-thread")
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and not errors
    main, other = threading.current_thread().name, "compiled-test-thread"
    assert builds == [main, other, other]
    assert got[0] is got[1] and got[2] is got[3] and got[2] is not got[0]
    assert got[0] is not first and got[0].connection is not first.connection
    assert got[2].connection is not got[0].connection
    assert got[0].sql == first.sql
    # This thread's query is still its own, not compiled again.
    assert compiled_values(key, build) is first and len(builds) == 3


def test_run_models_gives_instances_as_the_orm_loads_them(caseload):
    TermEvent.objects.create(
        term=Term.objects.get(case=caseload.c),
        kind=TermEvent.Kind.SUSPENDED,
        on=caseload.today - 3 * DAY,
        reason="Wacht op stukken",
        actor=caseload.user,
    )
    terms = compiled_values(
        fresh_key(),
        lambda: (
            Term.objects.filter(case__municipality_id=Slot("town", models.BigIntegerField()))
            .order_by("end_on", "id")
            .values(*model_columns(Term))
        ),
    )
    events = compiled_values(
        fresh_key(),
        lambda: (
            CaseEvent.objects.filter(case_id=Slot("case", models.BigIntegerField()))
            .order_by("at", "id")
            .values(*model_columns(CaseEvent))
        ),
    )
    for town in (caseload.municipality.pk, caseload.other.municipality_id):
        loaded = terms.run_models(Term, town=town)
        expected = list(Term.objects.filter(case__municipality_id=town).order_by("end_on", "id"))
        assert loaded and loaded == expected
        assert [concrete_values(t) for t in loaded] == [concrete_values(t) for t in expected]
        assert all(type(t) is Term for t in loaded)
        assert all(t._state.adding is False and t._state.db == "default" for t in loaded)
    assert any(t.met_on is not None for t in terms.run_models(Term, town=caseload.municipality.pk))
    assert any(
        t.suspended_since is not None for t in terms.run_models(Term, town=caseload.municipality.pk)
    )
    loaded = events.run_models(CaseEvent, case=caseload.a.pk)
    expected = list(CaseEvent.objects.filter(case=caseload.a).order_by("at", "id"))
    assert len(loaded) == 2
    assert [concrete_values(e) for e in loaded] == [concrete_values(e) for e in expected]
    assert all(timezone.is_aware(e.at) and not e._state.adding for e in loaded)
    assert events.run_models(CaseEvent, case=caseload.b.pk) == []


# -- the work list ------------------------------------------------------------------------


class Spy:
    """Records every ``compiled_values`` call of ``cases.selectors`` and what it returned."""

    def __init__(self, monkeypatch):
        self.calls = []
        real = selectors.compiled_values

        def spy(key, build, *args, **kwargs):
            compiled = real(key, build, *args, **kwargs)
            self.calls.append((key, compiled))
            return compiled

        monkeypatch.setattr(selectors, "compiled_values", spy)


@pytest.fixture
def spy(monkeypatch):
    return Spy(monkeypatch)


class Caseload:
    """What the work list should show, worked out in Python from the rows themselves."""

    def __init__(self, municipality_id):
        cases = Case.objects.filter(municipality_id=municipality_id).select_related(
            "person", "assignee", "application"
        )
        self.cases = {case.pk: case for case in cases}
        self.open_terms = {}
        for term in Term.objects.filter(case__in=cases, met_on__isnull=True).order_by(
            "end_on", "id"
        ):
            self.open_terms.setdefault(term.case_id, []).append(term)
        self.pending = set(
            Objection.objects.filter(case__in=cases, outcome=Objection.Outcome.PENDING).values_list(
                "case_id", flat=True
            )
        )

    def wanted(self, case, user, filters, today) -> bool:
        state = filters.get("state")
        terms = self.open_terms.get(case.pk, [])
        source = case.application.source if hasattr(case, "application") else None
        if not state:
            ok = case.state not in (CaseState.WITHDRAWN, CaseState.CLOSED)
        elif state == "at_uwv":
            ok = case.state in (CaseState.SUBMITTED, CaseState.WITH_UWV)
        elif state == "objection_open":
            ok = case.pk in self.pending
        else:
            ok = case.state == state
        term_state = filters.get("term_state")
        if term_state == TermState.OVERDUE:
            ok &= any(t.suspended_since is None and t.end_on < today for t in terms)
        elif term_state == TermState.SUSPENDED:
            ok &= any(t.suspended_since is not None for t in terms)
        elif term_state == TermState.RUNNING:
            ok &= any(t.suspended_since is None and t.end_on >= today for t in terms)
        if filters.get("source"):
            ok &= source == filters["source"]
        assignee = filters.get("assignee")
        if assignee == "me":
            ok &= case.assignee_id == user.pk
        elif assignee == "none":
            ok &= case.assignee_id is None
        elif assignee:
            ok &= case.assignee_id == int(assignee)
        if filters.get("school_leavers"):
            ok &= source == CandidateSource.SCHOOL or case.priority_group
        return ok

    def pks(self, user, filters, today) -> list[int]:
        found = [c for c in self.cases.values() if self.wanted(c, user, filters, today)]
        found.sort(key=lambda c: (c.state_since, c.pk), reverse=filters.get("sort") == "newest")
        return [case.pk for case in found]

    def row(self, pk, today) -> dict:
        case = self.cases[pk]
        terms = self.open_terms.get(pk)
        first = terms[0] if terms else None
        if first is None:
            term_state = None
        elif first.suspended_since is not None:
            term_state = TermState.SUSPENDED
        else:
            term_state = TermState.OVERDUE if first.end_on < today else TermState.RUNNING
        return {
            "pk": pk,
            "reference": case.reference,
            "state": case.state,
            "state_since": case.state_since,
            "name": f"{case.person.first_name} {case.person.last_name}",
            "assignee": str(case.assignee) if case.assignee_id else None,
            "term_end": first.end_on if first else None,
            "term_state": term_state,
        }


def all_pages(user, filters, today, limit=3) -> tuple[list[dict], int]:
    """Every row of the work list, following its cursors; and the number of pages."""
    rows, cursor = [], None
    for pages in itertools.count(1):
        page = selectors.worklist(user, filters, cursor=cursor, limit=limit, today=today)
        assert len(page.rows) <= limit
        rows += page.rows
        if page.next_cursor is None:
            assert page.rows or pages == 1, "an empty last page"
            return rows, pages
        assert len(page.rows) == limit
        assert pages < 20, "the cursors never end"
        cursor = page.next_cursor


def orm_pks(user, filters, today) -> list[int]:
    return list(
        selectors.worklist_queryset(user, filters, today=today).values_list("pk", flat=True)
    )


def test_work_list_is_the_orms_for_every_filter_combination(caseload, spy):
    user, today = caseload.user, caseload.today
    model = Caseload(caseload.municipality.pk)
    rows_by_pk = {pk: model.row(pk, today) for pk in model.cases}
    own = {case.pk for case in caseload.own}
    combinations = itertools.product(
        [
            None,
            "at_uwv",
            "objection_open",
            CaseState.WITH_UWV,
            CaseState.AWAITING_PLACEMENT,
            CaseState.WITHDRAWN,
            CaseState.CLOSED,
        ],
        [None, TermState.OVERDUE, TermState.SUSPENDED, TermState.RUNNING],
        [None, CandidateSource.SCHOOL, CandidateSource.CARE],
        [None, "me", "none", str(caseload.colleague.pk)],
        [False, True],
        [None, "newest"],
    )
    tried = several_rows = several_pages = 0
    shown = set()
    for state, term_state, source, assignee, school_leavers, sort in combinations:
        filters = {
            key: value
            for key, value in {
                "state": state,
                "term_state": term_state,
                "source": source,
                "assignee": assignee,
                "school_leavers": school_leavers,
                "sort": sort,
            }.items()
            if value
        }
        expected = orm_pks(user, filters, today)
        assert expected == model.pks(user, filters, today), filters
        calls = len(spy.calls)
        rows, pages = all_pages(user, filters, today)
        assert len(spy.calls) - calls == pages, f"not compiled: {filters}"
        assert [row["pk"] for row in rows] == expected, filters
        assert rows == [rows_by_pk[pk] for pk in expected], filters
        assert set(expected) <= own
        if len(expected) > 1:  # a page boundary after every row, ties among them
            rows, pages = all_pages(user, filters, today, limit=1)
            assert [row["pk"] for row in rows] == expected, filters
            assert pages == len(expected)
        tried += 1
        several_rows += len(expected) > 1
        several_pages += len(expected) > 3
        shown.update(expected)
    assert tried == 7 * 4 * 3 * 4 * 2 * 2
    # The cursors were followed in many lists, in some with pages of 3.
    assert several_rows >= 90 and several_pages >= 10, (several_rows, several_pages)
    assert shown == own  # every case of the municipality shown by some combination


def test_work_list_binds_today(caseload, spy):
    """The same compiled shape with another day: other terms are overdue."""
    user, model = caseload.user, Caseload(caseload.municipality.pk)
    found = {}
    for days in (-200, -1, 0, 1, 6, 15, 30):
        today = caseload.today + days * DAY
        for term_state in (TermState.OVERDUE, TermState.RUNNING):
            filters = {"term_state": term_state}
            expected = orm_pks(user, filters, today)
            assert expected == model.pks(user, filters, today)
            rows, _pages = all_pages(user, filters, today)
            assert rows == [model.row(pk, today) for pk in expected], (days, term_state)
            found[days, term_state] = tuple(expected)
    assert len(set(found.values())) >= 6
    assert found[-200, TermState.OVERDUE] == ()
    assert caseload.m.pk in found[0, TermState.RUNNING]  # ends today: still running
    assert caseload.m.pk in found[1, TermState.OVERDUE]
    # Compiled once per shape (with and without a cursor), not once per day.
    assert len({id(compiled) for _key, compiled in spy.calls}) <= 4


def test_work_list_of_another_municipality_is_its_own(caseload, spy):
    """The compiled query is shared by users of different municipalities in one thread."""
    a, b, today = caseload.user, caseload.other, caseload.today
    models_of = {a.pk: Caseload(a.municipality_id), b.pk: Caseload(b.municipality_id)}
    own = {a.pk: {c.pk for c in caseload.own}, b.pk: {c.pk for c in caseload.foreign}}
    for filters in (
        {},
        {"assignee": "me"},
        {"sort": "newest"},
        {"state": "objection_open"},
        {"school_leavers": True},
        {"assignee": str(caseload.colleague.pk)},
    ):
        before = len(spy.calls)
        for user in (a, b, a, b):
            model = models_of[user.pk]
            rows, _pages = all_pages(user, filters, today)
            expected = model.pks(user, filters, today)
            assert [row["pk"] for row in rows] == expected, (user, filters)
            assert rows == [model.row(pk, today) for pk in expected]
            assert set(expected) <= own[user.pk]
        firsts = [compiled for key, compiled in spy.calls[before:] if not key[2]]
        assert len(firsts) == 4 and all(compiled is firsts[0] for compiled in firsts)
    assert all_pages(a, {"assignee": str(b.pk)}, today)[0] == []
    # Both lists have rows: the scoping above was put to the test.
    assert len(all_pages(b, {}, today)[0]) == 3
    assert [r["pk"] for r in all_pages(b, {"assignee": "me"}, today)[0]] == [
        caseload.r.pk,
        caseload.p.pk,  # by status date: r's is 85 hours after base, p's 5 days
    ]


def test_work_list_search_finds_only_the_own_municipality(caseload, spy):
    user, other, today = caseload.user, caseload.other, caseload.today

    def found(who, q, limit=3, **filters):
        return [row["pk"] for row in all_pages(who, {"q": q, **filters}, today, limit)[0]]

    assert found(user, "jansen") == [caseload.e.pk]
    assert found(user, "  JANSEN ") == [caseload.e.pk]
    assert found(other, "jansen") == [caseload.p.pk]
    assert found(user, caseload.e.person.bsn) == [caseload.e.pk]
    assert found(user, caseload.p.person.bsn) == []
    assert found(other, caseload.p.person.bsn) == [caseload.p.pk]
    assert found(user, caseload.e.reference.lower()) == [caseload.e.pk]
    assert found(user, caseload.p.reference) == []
    assert found(user, "sam jansen") == [caseload.e.pk]
    assert found(user, "jansen", assignee="me") == []
    # Everyone is called Sam: the whole list, page by page, with the filters applied.
    model = Caseload(caseload.municipality.pk)
    for filters in ({}, {"sort": "newest"}, {"assignee": "me", "sort": "newest"}):
        expected = model.pks(user, filters, today)
        assert found(user, "Sam", limit=2, **filters) == expected
        assert len(expected) > 2
    rows = all_pages(user, {"q": "Sam"}, today)[0]
    assert rows == [model.row(pk, today) for pk in model.pks(user, {}, today)]
    assert spy.calls == []  # a search never goes through a compiled query


# -- the case's history and terms ---------------------------------------------------------


def test_case_history_in_order_with_the_actors_names(caseload):
    case, other_case = caseload.o, caseload.k
    named, unnamed = caseload.colleague, caseload.unnamed
    moment = timezone.now().replace(microsecond=0) - dt.timedelta(days=2)
    second = CaseEvent.objects.create(case=case, actor=unnamed, action="assigned")
    first = CaseEvent.objects.create(
        case=case, actor=named, action="created", to_state=CaseState.DRAFT
    )
    system = CaseEvent.objects.create(
        case=case, action="term_lapsed", from_state="x", to_state=CaseState.ADVICE_ISSUED
    )
    same_time = CaseEvent.objects.create(case=case, actor=named, action="note")
    CaseEvent.objects.create(case=other_case, actor=named, action="created")
    CaseEvent.objects.filter(pk=first.pk).update(at=moment)
    CaseEvent.objects.filter(pk=second.pk).update(at=moment + dt.timedelta(hours=1))
    CaseEvent.objects.filter(pk__in=[system.pk, same_time.pk]).update(
        at=moment + dt.timedelta(hours=2, microseconds=5)
    )

    history = selectors.case_history(case)

    later = moment + dt.timedelta(hours=2, microseconds=5)
    assert history == [
        {"at": moment, "action": "created", "to_state": "draft", "actor": "Anna de Wit"},
        {
            "at": moment + dt.timedelta(hours=1),
            "action": "assigned",
            "to_state": "",
            "actor": unnamed.email,
        },
        {"at": later, "action": "term_lapsed", "to_state": "advice_issued", "actor": None},
        {"at": later, "action": "note", "to_state": "", "actor": "Anna de Wit"},
    ]
    assert all(timezone.is_aware(event["at"]) for event in history)
    assert [e["action"] for e in selectors.case_history(other_case)] == ["created"]
    assert [e["actor"] for e in selectors.case_history(caseload.a)] == [str(caseload.user), None]
    assert selectors.case_history(caseload.b) == []


def test_case_terms_with_and_without_their_events(caseload, django_assert_num_queries):
    case, today, actor = caseload.d, caseload.today, caseload.user
    Term.objects.filter(case=case).delete()
    later = Term.objects.create(
        case=case,
        kind=TermKind.OBJECTION,
        starts_on=today - 5 * DAY,
        end_on=today + 30 * DAY,
        suspended_since=today - DAY,
    )
    met = Term.objects.create(
        case=case,
        kind=TermKind.DECISION,
        starts_on=today - 90 * DAY,
        end_on=today - 30 * DAY,
        met_on=today - 40 * DAY,
        weeks=8,
    )
    same_start = Term.objects.create(
        case=case,
        kind=TermKind.PLACEMENT,
        starts_on=today - 5 * DAY,
        end_on=today + 9 * DAY,
    )
    resumed = TermEvent.objects.create(
        term=later, kind=TermEvent.Kind.RESUMED, on=today - 2 * DAY, actor=actor
    )
    suspended = TermEvent.objects.create(
        term=later,
        kind=TermEvent.Kind.SUSPENDED,
        on=today - 4 * DAY,
        reason="Ziek",
        actor=actor,
    )
    again = TermEvent.objects.create(
        term=later, kind=TermEvent.Kind.SUSPENDED, on=today - DAY, actor=actor
    )
    on_met = TermEvent.objects.create(
        term=met, kind=TermEvent.Kind.SUSPENDED, on=today - 60 * DAY, actor=actor
    )
    TermEvent.objects.create(  # another case's term: never among these
        term=Term.objects.get(case=caseload.c),
        kind=TermEvent.Kind.SUSPENDED,
        on=today - 3 * DAY,
        actor=actor,
    )

    with django_assert_num_queries(2):  # the terms, their events
        terms = selectors.case_terms(case, with_events=True)
        events = [list(term.event_list) for term in terms]
    assert terms == [met, later, same_start]
    assert [concrete_values(t) for t in terms] == [
        concrete_values(t) for t in (met, later, same_start)
    ]
    assert all(not term._state.adding for term in terms)
    assert events == [[on_met], [suspended, resumed, again], []]
    assert [concrete_values(e) for e in events[1]] == [
        concrete_values(e) for e in TermEvent.objects.filter(term=later).order_by("on", "id")
    ]

    with django_assert_num_queries(1):  # the terms only
        terms = selectors.case_terms(case, with_events=False)
        assert [term.event_list for term in terms] == [[], [], []]
    assert terms == [met, later, same_start]

    with CaptureQueriesContext(connection) as queries:
        assert selectors.case_terms(caseload.g, with_events=True) == []
    assert len(queries) == 1  # no terms: no events asked for
    assert [t.pk for t in selectors.case_terms(caseload.c)] == list(
        Term.objects.filter(case=caseload.c).values_list("pk", flat=True)
    )


# -- the case with its related rows (run_related), and what is refused -----------------------


def test_the_case_comes_with_its_related_rows_as_select_related_gives_them(caseload):
    """Every case of the municipality, in every state (some without application, advice or
    decision rows): the same values as ``select_related``, each relation there without a
    further query, the way back from a one-to-one row known too."""
    from django.http import Http404

    user = caseload.user
    relations = selectors.CASE_PAGE_RELATED
    advice_seen = decision_seen = False
    for expected in Case.objects.select_related(*relations).filter(
        municipality=caseload.municipality
    ):
        case = selectors.get_work_case_for(user, expected.pk)
        assert concrete_values(case) == concrete_values(expected)
        with CaptureQueriesContext(connection) as queries:
            for name in relations:
                got, want = getattr(case, name, None), getattr(expected, name, None)
                assert (got is None) == (want is None), (expected.reference, name)
                if want is not None:
                    assert concrete_values(got) == concrete_values(want), (expected, name)
                    if name in ("application", "advice", "decision"):
                        assert got.case is case
            advice_seen |= getattr(case, "advice", None) is not None
            decision_seen |= getattr(case, "decision", None) is not None
        assert len(queries) == 0, queries.captured_queries
        assert case._state.adding is False
    assert advice_seen and decision_seen  # both kinds of case were compared
    for foreign in caseload.foreign:
        with pytest.raises(Http404):
            selectors.get_work_case_for(user, foreign.pk)
    with pytest.raises(Http404):
        selectors.get_work_case_for(user, max(c.pk for c in caseload.own + caseload.foreign) + 1)
    # A consultant of the other municipality gets theirs, and not this one's.
    assert selectors.get_work_case_for(caseload.other, caseload.p.pk) == caseload.p
    with pytest.raises(Http404):
        selectors.get_work_case_for(caseload.other, caseload.a.pk)


def test_run_related_and_run_models_refuse_a_query_of_other_columns(caseload):
    compiled = compiled_values(
        fresh_key(),
        lambda: Case.objects.filter(pk=Slot("case", models.BigIntegerField())).values(
            "reference", "id"
        ),
    )
    with pytest.raises(TypeError):
        compiled.run_related(Case, ("person",), case=caseload.a.pk)
    with pytest.raises(TypeError):
        compiled.run_models(Case, case=caseload.a.pk)


def test_columns_are_named_in_the_order_values_gives_them(caseload):
    """An annotation asked for before a field comes first in the row, as ``values()`` has
    it."""

    def build(town):
        return (
            Case.objects.filter(municipality_id=town)
            .annotate(handler=models.F("assignee__email"))
            .order_by("id")
            .values("handler", "reference", "id")
        )

    compiled = compiled_values(fresh_key(), lambda: build(Slot("town", models.BigIntegerField())))
    rows = compiled.run(town=caseload.municipality.pk)
    assert rows == list(build(caseload.municipality.pk))
    assert [list(row) for row in rows[:1]] == [["handler", "reference", "id"]]


def test_a_slot_cannot_be_given_none(caseload, django_assert_num_queries):
    """The ORM would write ``IS NULL``; a slot would compare with NULL and find nothing."""
    compiled = compiled_values(
        fresh_key(),
        lambda: Case.objects.filter(assignee_id=Slot("who", models.BigIntegerField())).values(
            "id"
        ),
    )
    with django_assert_num_queries(0), pytest.raises(TypeError):
        compiled.run(who=None)


# -- the signed-in user, read by portal.auth's backends ----------------------------------------


def test_the_signed_in_user_is_read_by_the_compiled_query_and_checked_every_request(client):
    """The backends in use are the project's; the user of the session is found, a
    deactivated or deleted one is signed out at their next request."""
    from django.conf import settings as django_settings

    from tests.integration.conftest import sign_in

    assert django_settings.AUTHENTICATION_BACKENDS == [
        "portal.auth.ModelBackend",
        "portal.auth.AuthenticationBackend",
    ]
    citizen = UserFactory(first_name="Sam", last_name="Vos", totp=False)
    sign_in(client, citizen)
    response = client.get("/")
    assert response.status_code == 200
    signed_in = response.wsgi_request.user
    assert signed_in.pk == citizen.pk
    assert tuple(
        getattr(signed_in, field.attname) for field in type(citizen)._meta.concrete_fields
    ) == concrete_values(type(citizen).objects.get(pk=citizen.pk))

    type(citizen).objects.filter(pk=citizen.pk).update(is_active=False)
    assert not client.get("/").wsgi_request.user.is_authenticated

    other = UserFactory(totp=False)
    sign_in(client, other)
    assert client.get("/").wsgi_request.user.pk == other.pk
    other.delete()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_thread_keeps_at_most_so_many_compiled_queries(caseload, monkeypatch):
    """The oldest compiled query goes first; one asked for again is compiled again."""
    from portal import compiled

    monkeypatch.setattr(compiled, "MAX_PER_THREAD", 3)
    builds = []

    def build_for(key):
        def build():
            builds.append(key)
            return Case.objects.filter(pk=Slot("case", models.BigIntegerField())).values("id")

        return build

    keys = [fresh_key() for _ in range(4)]
    for key in keys:
        assert compiled_values(key, build_for(key)).run(case=caseload.a.pk) == [
            {"id": caseload.a.pk}
        ]
    assert builds == keys
    assert len(compiled._compiled.queries) == 3
    compiled_values(keys[3], build_for(keys[3]))  # kept
    compiled_values(keys[0], build_for(keys[0]))  # gone: compiled again
    assert builds == [*keys, keys[0]]
