"""The dashboard's figures per municipality, kept in the cache until something they count
changes.

The figures are aggregates over every open case, the candidates in waiting-list order and
this year's jobs of one municipality: in a large municipality that is hundreds of thousands
of rows, too much to count again on every page view of every consultant. They are computed
once, stored under the municipality's *generation*, and served from the cache until

- something they count changes in that municipality (a case, term, objection, advice,
  application, person or job is saved or deleted, or the quota or verordening changes:
  ``changed`` moves the generation on; the receivers in ``cases.signals`` call it), or
- ``FIGURES_TTL`` seconds have passed (a safety net for a change made past the ORM's
  signals, such as ``QuerySet.update``), or
- the day changes (terms run out by the calendar; the day is part of the key).

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

from . import capacity, selectors

#: At most this old, whatever happens.
FIGURES_TTL = 120


@dataclass(frozen=True)
class DashboardFigures:
    counts: dict[str, int]
    summary: capacity.CapacitySummary
    average_days: Decimal | None
    computed_at: _dt.datetime


def _generation_key(municipality_id: int) -> str:
    return f"figures:generation:{municipality_id}"


def _figures_key(municipality_id: int, today: _dt.date, generation: int) -> str:
    return f"figures:dashboard:{municipality_id}:{today.isoformat()}:{generation}"


def changed(municipality_id: int | None) -> None:
    """Something the figures of ``municipality_id`` count has changed.

    The cached figures are dropped now, and again once the transaction commits: a page
    counted in between still saw the data from before the change.
    """
    if municipality_id is None:
        return
    versions.changed(_generation_key(municipality_id))


def dashboard_figures(user, *, today: _dt.date | None = None) -> DashboardFigures:
    """The dashboard's figures for the user's municipality: from the cache, or counted (six
    queries, see ``selectors.dashboard_counts``, ``capacity.capacity_summary`` and
    ``selectors.average_days_to_employment``) and stored."""
    today = today or timezone.localdate()
    municipality_id = user.municipality_id
    (generation,) = versions.current([_generation_key(municipality_id)])
    key = _figures_key(municipality_id, today, generation)
    figures = cache.get(key)
    if figures is None:
        figures = DashboardFigures(
            counts=selectors.dashboard_counts(user, today=today),
            summary=capacity.capacity_summary(municipality_id, today.year, on=today),
            average_days=selectors.average_days_to_employment(user, today.year),
            computed_at=timezone.now(),
        )
        cache.set(key, figures, FIGURES_TTL)
    return figures
