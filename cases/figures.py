"""The dashboard's figures per municipality, kept in the cache and counted again by one
request at a time.

The figures are aggregates over every open case, the candidates in waiting-list order and
this year's jobs of one municipality: in a large municipality that is hundreds of thousands
of rows, too much to count again on every page view of every consultant. They are counted
once and stored with the municipality's *generation*; they are current until

- something they count changes in that municipality (a case, term, objection, advice,
  application, person or job is saved or deleted, or the quota or verordening changes:
  ``changed`` moves the generation on; the receivers in ``cases.signals`` call it), or
- ``FIGURES_TTL`` seconds have passed (a safety net for a change made past the ORM's
  signals, such as ``QuerySet.update``), or
- the day changes (terms run out by the calendar).

Figures that are no longer current are counted again by **one request at a time** per
municipality (a lock in the cache, ``RECOUNT_LOCK_TTL``): the request that takes the lock
counts and stores them; every other request meanwhile shows the figures counted before, with
the time they were counted (the page says it). So a stream of changes in a large
municipality costs one recount at a time, not one per page view. Only when there are no
figures at all yet (the first view, or the cache was lost) does a request count without the
lock.

The page says when the figures were counted. Decisions never use these cached figures:
placement checks capacity in the database, under a lock (``services.place_person``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from portal import cache as versions

from . import selectors
from .placement import capacity

#: Current for at most this long, whatever happens (seconds).
FIGURES_TTL = 120
#: A recount holds the lock for at most this long (seconds), should its request die.
RECOUNT_LOCK_TTL = 60
#: Figures are kept this long (seconds), to be shown while they are being counted again.
KEEP_FOR = 24 * 3600


@dataclass(frozen=True)
class DashboardFigures:
    counts: dict[str, int]
    summary: capacity.CapacitySummary
    average_days: Decimal | None
    computed_at: _dt.datetime
    #: §4.8: average hours a week of the jobs running today.
    average_hours: Decimal | None = None
    #: §6.3: provisions in place today: ``per_kind`` (persons, cost per month) and the total.
    provisions: dict | None = None


def _generation_key(municipality_id: int) -> str:
    return f"figures:generation:{municipality_id}"


#: Moves on when ``DashboardFigures`` changes shape, so that figures pickled by an older
#: release are never read back.
FIGURES_FORMAT = 4


def _figures_key(municipality_id: int) -> str:
    return f"figures:dashboard:v{FIGURES_FORMAT}:{municipality_id}"


def _lock_key(municipality_id: int) -> str:
    return f"figures:recounting:{municipality_id}"


def changed(municipality_id: int | None) -> None:
    """Something the figures of ``municipality_id`` count has changed.

    The cached figures are dropped now, and again once the transaction commits: a page
    counted in between still saw the data from before the change.
    """
    if municipality_id is None:
        return
    versions.changed(_generation_key(municipality_id))


def count_figures(user, today: _dt.date) -> DashboardFigures:
    """The figures counted now (seven queries, see ``selectors.dashboard_counts``,
    ``capacity.capacity_summary``, ``selectors.job_figures`` and
    ``selectors.provision_figures``)."""
    jobs = selectors.job_figures(user, today)
    return DashboardFigures(
        counts=selectors.dashboard_counts(user, today=today),
        summary=capacity.capacity_summary(user.municipality_id, today.year, on=today),
        average_days=jobs.average_days,
        average_hours=jobs.average_hours,
        provisions=selectors.provision_figures(user, today),
        computed_at=timezone.now(),
    )


def dashboard_figures(user, *, today: _dt.date | None = None) -> DashboardFigures:
    """The dashboard's figures for the user's municipality: the current ones from the cache
    (one cache read); else counted and stored by this request if no other request of the
    municipality is counting them, else the figures counted before (with their time)."""
    today = today or timezone.localdate()
    municipality_id = user.municipality_id
    generation_key, key = _generation_key(municipality_id), _figures_key(municipality_id)
    found = cache.get_many([generation_key, key])
    generation = found.get(generation_key)
    if generation is None:
        (generation,) = versions.current([generation_key])
    entry = found.get(key)
    kept = entry[2] if isinstance(entry, tuple) and len(entry) == 3 else None
    if (
        kept is not None
        and entry[0] == generation
        and entry[1] == today
        and timezone.now() - kept.computed_at < _dt.timedelta(seconds=FIGURES_TTL)
    ):
        return kept
    lock = _lock_key(municipality_id)
    if cache.add(lock, True, RECOUNT_LOCK_TTL):
        try:
            figures = count_figures(user, today)
            # Kept past the TTL: the figures shown while the next recount runs.
            cache.set(key, (generation, today, figures), KEEP_FOR)
        finally:
            cache.delete(lock)
        return figures
    if kept is not None:
        return kept  # another request is counting them: the figures from before
    return count_figures(user, today)
