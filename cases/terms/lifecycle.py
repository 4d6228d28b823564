"""A term's life (DOMAIN §0): started, met, and its end date derived again from its start and
its suspensions whenever one is recorded. The callers in ``cases.services`` hold the case's
row lock and write the history and the audit entry.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from cases import rules
from cases.choices import TermKind
from cases.models import Case

from .models import DecreeHoliday, Term, TermEvent

DECREE_DAYS_CACHE_KEY = "cases:decree-days"


def decree_days() -> frozenset[date]:
    """Days equated with general holidays by royal decree (operator data, cached briefly)."""
    days = cache.get(DECREE_DAYS_CACHE_KEY)
    if days is None:
        days = frozenset(DecreeHoliday.objects.values_list("day", flat=True))
        cache.set(DECREE_DAYS_CACHE_KEY, days, 300)
    return days


def forget_decree_days() -> None:
    """The decree days changed: read them again (now, and once the change is committed)."""
    cache.delete(DECREE_DAYS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(DECREE_DAYS_CACHE_KEY))


def start_term(
    case: Case,
    kind: TermKind,
    *,
    starts_on: date,
    weeks: int | None,
    end_on: date,
    signal_on: date | None = None,
) -> Term:
    return Term.objects.create(
        case=case, kind=kind, starts_on=starts_on, weeks=weeks, end_on=end_on, signal_on=signal_on
    )


def open_term(case: Case, kind: TermKind) -> Term | None:
    """The case's running term of ``kind``, locked for update."""
    return (
        Term.objects.select_for_update().filter(case=case, kind=kind, met_on__isnull=True).first()
    )


def meet_term(case: Case, kind: TermKind, on: date) -> None:
    term = open_term(case, kind)
    if term is not None:
        term.met_on = on
        term.save(update_fields=["met_on"])


def _suspensions(term: Term) -> list[rules.Suspension]:
    periods: list[rules.Suspension] = []
    start = None
    for event in term.events.order_by("on", "id"):
        if event.kind == TermEvent.Kind.SUSPENDED and start is None:
            start = event.on
        elif event.kind == TermEvent.Kind.RESUMED and start is not None:
            periods.append(rules.Suspension(start, event.on))
            start = None
    if start is not None:
        periods.append(rules.Suspension(start, None))
    return periods


def recompute_term(term: Term, today: date | None = None) -> Term:
    """Derive ``end_on`` and ``suspended_since`` from the start and the events (DOMAIN §0)."""
    today = today or timezone.localdate()
    suspensions = _suspensions(term)
    term.end_on = rules.term_end(
        term.starts_on, term.weeks, suspensions, decree_days(), today=today
    )
    open_suspension = suspensions[-1] if suspensions and suspensions[-1].end is None else None
    term.suspended_since = open_suspension.start if open_suspension else None
    term.save(update_fields=["end_on", "suspended_since"])
    return term


def record_suspension(term: Term, *, on: date, reason: str, actor) -> TermEvent:
    """Append the suspension of ``term`` on ``on`` and derive its end again (DOMAIN §0);
    returns the event (``term`` holds the new end)."""
    event = TermEvent.objects.create(
        term=term, kind=TermEvent.Kind.SUSPENDED, on=on, reason=reason, actor=actor
    )
    recompute_term(term)
    return event


def record_resumption(term: Term, *, on: date, actor) -> TermEvent:
    """Append the resumption of ``term`` on ``on`` and derive its end again (DOMAIN §0);
    returns the event (``term`` holds the new end)."""
    event = TermEvent.objects.create(term=term, kind=TermEvent.Kind.RESUMED, on=on, actor=actor)
    recompute_term(term)
    return event


def pause_signal(term: Term, *, on: date, reason: str, actor) -> Term:
    """Pause a signal date (``weeks`` None, no Atw: the placement signal while the person is
    unavailable, §4.4): kept as a suspension event, not signalled while paused."""
    TermEvent.objects.create(
        term=term, kind=TermEvent.Kind.SUSPENDED, on=on, reason=reason, actor=actor
    )
    term.suspended_since = on
    term.save(update_fields=["suspended_since"])
    return term


def resume_signal(term: Term, *, on: date, actor) -> Term:
    """Resume a paused signal date: it moves on by the days it was paused."""
    TermEvent.objects.create(term=term, kind=TermEvent.Kind.RESUMED, on=on, actor=actor)
    paused = max(0, (on - term.suspended_since).days) if term.suspended_since else 0
    term.end_on += timedelta(days=paused)
    term.suspended_since = None
    term.save(update_fields=["end_on", "suspended_since"])
    return term
