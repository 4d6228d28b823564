"""The figures of an aggregate row as a reader sees them: exact, or with the public's
suppression (a hidden count never leaves here as a number: only its marker does)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.placement.capacity import format_places

from . import build, figures, suppression
from .models import ReportFigures


@dataclass(frozen=True)
class Cell:
    """One figure as shown: ``text`` always; ``value`` only when the reader may see it (for
    charts and downloads); ``hidden`` when it is suppressed; ``url``: the list behind it."""

    text: str
    value: Decimal | int | None = None
    hidden: bool = False
    url: str = ""


def small_text() -> str:
    return _("fewer than 5")


def hidden_text() -> str:
    return _("not shown")


EMPTY = Cell("–")


def _number(value, decimals: int = 0) -> str:
    if decimals:
        value = Decimal(value).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return number_format(value, decimals, force_grouping=True)


def _hidden(row: ReportFigures | None, name: str, exact: bool) -> bool:
    return row is not None and not exact and name in row.hidden


def count(row: ReportFigures | None, name: str, exact: bool, url: str = "") -> Cell:
    if row is None or row.counts.get(name) is None:
        return EMPTY
    value = row.counts[name]
    if _hidden(row, name, exact):
        return Cell(small_text() if suppression.is_small(value) else hidden_text(), hidden=True)
    return Cell(_number(value), value=value, url=url)


def places(row: ReportFigures | None, exact: bool) -> Cell:
    if row is None:
        return EMPTY
    if _hidden(row, "places", exact):
        return Cell(hidden_text(), hidden=True)
    value = build.places(row.realised_hours)
    return Cell(format_places(value), value=value)


def quota(row: ReportFigures | None) -> Cell:
    if row is None or row.quota_places is None:
        return EMPTY
    return Cell(format_places(row.quota_places), value=row.quota_places)


def difference(row: ReportFigures | None, exact: bool) -> Cell:
    if row is None or row.quota_places is None:
        return EMPTY
    if _hidden(row, "difference", exact):
        return Cell(hidden_text(), hidden=True)
    value = build.places(row.realised_hours) - row.quota_places
    text = format_places(value)
    return Cell(f"+{text}" if value > 0 else text, value=value)


def additional_used(row: ReportFigures | None, exact: bool) -> Cell:
    if row is None or row.quota_places is None:
        return EMPTY
    if _hidden(row, "additional_used", exact):
        return Cell(hidden_text(), hidden=True)
    value = max(Decimal(0), build.places(row.realised_hours) - row.quota_places)
    return Cell(format_places(value), value=value)


def offered(row: ReportFigures | None) -> Cell:
    if row is None:
        return EMPTY
    return Cell(_number(row.additional_offered), value=row.additional_offered)


def labour_force(row: ReportFigures | None) -> Cell:
    if row is None or not row.labour_force:
        return EMPTY
    return Cell(_number(row.labour_force), value=row.labour_force)


def rate(row: ReportFigures | None, name: str, exact: bool) -> Cell:
    """``places``, ``persons_working`` or ``persons_indicated`` per 10,000 of the labour
    force, one decimal."""
    if row is None or not row.labour_force:
        return EMPTY
    if _hidden(row, f"{name}_per_10000", exact):
        return Cell(hidden_text(), hidden=True)
    base = build.places(row.realised_hours) if name == "places" else row.counts.get(name)
    value = build.per_10000(base, row.labour_force)
    if value is None:
        return EMPTY
    return Cell(_number(value, 1), value=value.quantize(Decimal("0.1"), ROUND_HALF_UP))


def duration(row: ReportFigures | None, kind: str, stat: str, exact: bool) -> Cell:
    """``median`` or ``p90`` of a duration in days (``n``: the number of cases)."""
    if row is None:
        return EMPTY
    found = row.durations.get(kind) or {}
    if stat == "n":
        return count(row, f"duration.{kind}", exact)
    if found.get(stat) is None:
        return EMPTY
    if _hidden(row, f"duration.{kind}.median", exact):
        return Cell(hidden_text(), hidden=True)
    value = Decimal(found[stat])
    return Cell(_number(value, 1 if value % 1 else 0), value=value)


def share(row: ReportFigures | None, kind: str, exact: bool) -> Cell:
    """Percentage of the terms of ``kind`` met within the term."""
    if row is None:
        return EMPTY
    total = row.counts.get(f"term.{kind}.total") or 0
    if not total:
        return EMPTY
    names = [f"term.{kind}.{part}" for part in ("total", "within", "late")]
    if any(_hidden(row, name, exact) for name in names):
        return Cell(hidden_text(), hidden=True)
    value = Decimal(row.counts[f"term.{kind}.within"]) * 100 / total
    return Cell(f"{_number(value, 0)}%", value=value.quantize(Decimal(1), ROUND_HALF_UP))


def rank(row: ReportFigures | None, kind: str, exact: bool) -> Cell:
    """``region`` or ``size``: "3 of 12"."""
    if row is None:
        return EMPTY
    found = (row.ranks.get("exact" if exact else "public") or {}).get(kind)
    if not found:
        return Cell(_("not ranked"))
    return Cell(_("%(position)s of %(of)s") % {"position": found[0], "of": found[1]})


LABELS = {
    "quota": gettext_lazy("Quota (places)"),
    "places": gettext_lazy("Places realised"),
    "difference": gettext_lazy("Difference with the quota (places)"),
    "persons_working": gettext_lazy("Persons working"),
    "additional_offered": gettext_lazy("Additional places offered"),
    "additional_used": gettext_lazy("Additional places in use"),
    "waiting": gettext_lazy("Waiting list (persons)"),
    "waiting_places": gettext_lazy("Waiting list (places)"),
    "persons_indicated": gettext_lazy("Persons with a positive advice"),
    "labour_force": gettext_lazy("Labour force"),
    "places_per_10000": gettext_lazy("Places per 10,000 of the labour force"),
    "persons_working_per_10000": gettext_lazy("Persons working per 10,000 of the labour force"),
    "persons_indicated_per_10000": gettext_lazy(
        "Persons with a positive advice per 10,000 of the labour force"
    ),
    "applications": gettext_lazy("Applications received"),
    "advice.total": gettext_lazy("Advices"),
    "advice.positive": gettext_lazy("Positive advices"),
    "advice.negative": gettext_lazy("Negative advices"),
    "objections.filed": gettext_lazy("Objections filed"),
    "objections.decided": gettext_lazy("Objections decided"),
    "objections.granted": gettext_lazy("Upheld"),
    "objections.dismissed": gettext_lazy("Dismissed"),
    "objections.inadmissible": gettext_lazy("Inadmissible"),
    "objections.withdrawn": gettext_lazy("Withdrawn"),
    "application_advice": gettext_lazy("Application to advice"),
    "advice_decision": gettext_lazy("Advice to decision"),
    "advice_work": gettext_lazy("Positive advice to first day of work"),
    "uwv_advice": gettext_lazy("UWV advices within 8 weeks"),
    "decision": gettext_lazy("Decisions within the term"),
}


def summary_lines(rows: list[ReportFigures | None], exact: list[bool], urls: dict) -> list:
    """The comparison table: ``(key, label, [cell per row])``, rows e.g. municipality,
    region, country; ``exact`` per row; ``urls``: figure → list URL (first row only)."""

    def line(key, make):
        return (
            key,
            LABELS[key],
            [make(row, e, i) for i, (row, e) in enumerate(zip(rows, exact, strict=True))],
        )

    def link(key, i):
        return urls.get(key, "") if i == 0 else ""

    waiting_places = lambda row, e, i: count(row, "waiting", e)  # noqa: E731 - each person = 1 place
    return [
        line("quota", lambda row, e, i: quota(row)),
        line("places", lambda row, e, i: places(row, e)),
        line("difference", lambda row, e, i: difference(row, e)),
        line(
            "persons_working",
            lambda row, e, i: count(row, "persons_working", e, link("persons_working", i)),
        ),
        line("additional_offered", lambda row, e, i: offered(row)),
        line("additional_used", lambda row, e, i: additional_used(row, e)),
        line("waiting", lambda row, e, i: count(row, "waiting", e, link("waiting", i))),
        line("waiting_places", waiting_places),
        line(
            "persons_indicated",
            lambda row, e, i: count(row, "persons_indicated", e, link("persons_indicated", i)),
        ),
        line("labour_force", lambda row, e, i: labour_force(row)),
        line("places_per_10000", lambda row, e, i: rate(row, "places", e)),
        line("persons_working_per_10000", lambda row, e, i: rate(row, "persons_working", e)),
        line("persons_indicated_per_10000", lambda row, e, i: rate(row, "persons_indicated", e)),
        line("applications", lambda row, e, i: count(row, "applications", e)),
        line("advice.positive", lambda row, e, i: count(row, "advice.positive", e)),
        line("advice.negative", lambda row, e, i: count(row, "advice.negative", e)),
        line(
            "objections.filed",
            lambda row, e, i: count(row, "objections.filed", e, link("objections.filed", i)),
        ),
    ]


def advice_table(row: ReportFigures | None, exact: bool, urls: dict) -> list:
    """Per candidate source: (label, positive, negative, total) cells, then the totals."""
    from cases.choices import CandidateSource

    result = []
    for source in figures.SOURCES:
        result.append(
            (
                CandidateSource(source).label,
                count(row, figures.advice_key(source, "positive"), exact),
                count(row, figures.advice_key(source, "negative"), exact),
                count(row, figures.advice_key(source), exact, urls.get(f"source.{source}", "")),
            )
        )
    totals = (
        _("Total"),
        count(row, figures.advice_key(outcome="positive"), exact),
        count(row, figures.advice_key(outcome="negative"), exact),
        count(row, figures.advice_key(), exact),
    )
    return [*result, totals]


def duration_lines(rows: list, exact: list[bool]) -> list:
    """Per duration: (label, [(median, p90, n) per row])."""
    return [
        (
            LABELS[kind],
            [
                (
                    duration(row, kind, "median", e),
                    duration(row, kind, "p90", e),
                    duration(row, kind, "n", e),
                )
                for row, e in zip(rows, exact, strict=True)
            ],
        )
        for kind in figures.DURATIONS
    ]


def term_lines(rows: list, exact: list[bool], urls: dict) -> list:
    return [
        (
            LABELS[kind],
            [share(row, kind, e) for row, e in zip(rows, exact, strict=True)],
            urls.get(f"term.{kind}", ""),
        )
        for kind in figures.TERM_KINDS
    ]


def objection_lines(row: ReportFigures | None, exact: bool) -> list:
    names = ["objections.filed", "objections.decided"] + [
        f"objections.{o}" for o in figures.OBJECTION_OUTCOMES
    ]
    return [(LABELS[name], count(row, name, exact)) for name in names]
