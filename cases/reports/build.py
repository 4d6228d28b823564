"""Keeping the aggregates (``ReportFigures``) up to date: counted from the cases by
``figures.count_years``, the regions and the country combined from the municipalities' rows,
the public's suppression and the ranks worked out for the whole year at once.

- ``rebuild(years)``: every municipality in those years (the nightly task and
  ``manage.py recompute_reports``);
- ``refresh_changed()``: the current year of the municipalities whose cases or quota changed
  since the last look (a task every few minutes; cheap: it reads the case history's index);
- ``combine(year)``: only the regions, the country, suppression and ranks, from the stored
  municipal rows (after a labour-force import).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import rules
from cases.audit.models import CaseEvent
from municipalities.models import Municipality, QuotaChange

from . import figures, suppression
from .models import DurationHistogram, LabourForce, Level, RefreshMark, ReportFigures

logger = logging.getLogger(__name__)

COUNTRY_KEY = "NL"
#: Size classes by labour force (persons): (lower bound, label). A municipality's class is the
#: last one whose bound it reaches.
SIZE_CLASSES: tuple[tuple[int, str], ...] = (
    (0, "< 10.000"),
    (10_000, "10.000 – 25.000"),
    (25_000, "25.000 – 50.000"),
    (50_000, "50.000 – 100.000"),
    (100_000, "≥ 100.000"),
)
#: Figures derived from a count: hidden from the public whenever that count is.
DERIVED_FROM = {
    "places": "persons_working",
    "difference": "persons_working",
    "additional_used": "persons_working",
    "places_per_10000": "persons_working",
    "persons_working_per_10000": "persons_working",
    "persons_indicated_per_10000": "persons_indicated",
    **{f"duration.{kind}.median": f"duration.{kind}" for kind in figures.DURATIONS},
}


def size_class(labour_force: int | None) -> str | None:
    if not labour_force:
        return None
    label = None
    for bound, name in SIZE_CLASSES:
        if labour_force >= bound:
            label = name
    return label


def places(hours: Decimal) -> Decimal:
    """Places realised: the summed hours divided by 31 once (``rules.realised_places``)."""
    return rules.realised_places(Decimal(hours), settings.HOURS_PER_PLACE)


def per_10000(value, labour_force: int | None) -> Decimal | None:
    if value is None or not labour_force:
        return None
    return Decimal(value) * 10_000 / labour_force


# -- counting into the municipal rows ---------------------------------------------------------


def rebuild(years: Iterable[int] | None = None, *, today: dt.date | None = None) -> int:
    """Count ``years`` (default: from the first year with data to this one) for every
    municipality again, then combine each year. Returns the number of municipal rows."""
    today = today or timezone.localdate()
    years = sorted(set(years or range(figures.first_year(today), today.year + 1)))
    years = [year for year in years if year <= today.year]
    if not years:
        return 0
    counted = figures.count_years(years, today=today)
    written = _store(counted, years, today, municipality_ids=None)
    for year in years:
        combine(year)
    return written


def refresh(municipality_ids: Iterable[int], *, today: dt.date | None = None) -> int:
    """Count the current year of ``municipality_ids`` again and combine it."""
    today = today or timezone.localdate()
    ids = sorted(set(municipality_ids))
    if not ids:
        return 0
    counted = figures.count_years([today.year], today=today, municipality_ids=ids)
    written = _store(counted, [today.year], today, municipality_ids=ids)
    combine(today.year)
    return written


def refresh_changed(*, today: dt.date | None = None) -> int:
    """The current year of the municipalities with a case event or a quota change since the
    last call (the first call only marks the time). Returns the municipalities counted."""
    now = timezone.now()
    mark, created = RefreshMark.objects.get_or_create(name="changes", defaults={"at": now})
    if created:
        return 0
    since = mark.at
    changed = set(
        CaseEvent.objects.filter(at__gte=since)
        .order_by()
        .values_list("case__municipality_id", flat=True)
        .distinct()
    )
    changed |= set(
        QuotaChange.objects.filter(changed_at__gte=since)
        .order_by()
        .values_list("municipality_id", flat=True)
        .distinct()
    )
    if changed:
        refresh(changed, today=today)
    RefreshMark.objects.filter(pk=mark.pk).update(at=now)
    return len(changed)


def _store(
    counted: dict[tuple[int, int], figures.MunicipalYear],
    years: list[int],
    today: dt.date,
    *,
    municipality_ids: list[int] | None,
) -> int:
    """Write the municipal rows and histograms of ``years`` (every municipality, or those of
    ``municipality_ids``); the waiting list of a past year is kept as it was counted."""
    municipalities = Municipality.objects.order_by("pk")
    if municipality_ids is not None:
        municipalities = municipalities.filter(pk__in=municipality_ids)
    municipalities = list(municipalities.only("pk", "cbs_code", "name", "labour_market_region"))
    now = timezone.now()
    kept_waiting = {
        (m, year): counts.get("waiting")
        for m, year, counts in ReportFigures.objects.filter(
            level=Level.MUNICIPALITY,
            year__in=[y for y in years if y < today.year],
            municipality__in=[m.pk for m in municipalities],
        ).values_list("municipality_id", "year", "counts")
    }
    rows, histograms = [], []
    for year in years:
        for municipality in municipalities:
            found = counted.get((municipality.pk, year)) or figures.MunicipalYear(
                municipality.pk, year, figures.reference_date(year, today)
            )
            counts = {name: found.counts.get(name, 0) for name in figures.COUNTS}
            if year < today.year:
                waiting = kept_waiting.get((municipality.pk, year))
                if waiting is None:
                    counts.pop("waiting")
                else:
                    counts["waiting"] = waiting
            durations = {}
            for kind in figures.DURATIONS:
                n, median, p90 = figures.percentiles(found.histograms.get(kind, {}))
                durations[kind] = {
                    "n": n,
                    "median": None if median is None else str(median),
                    "p90": None if p90 is None else str(p90),
                }
            rows.append(
                ReportFigures(
                    level=Level.MUNICIPALITY,
                    key=municipality.cbs_code,
                    name=municipality.name,
                    municipality_id=municipality.pk,
                    region=municipality.labour_market_region,
                    year=year,
                    reference_date=found.reference_date,
                    quota_places=found.quota_places,
                    additional_offered=found.additional_offered,
                    realised_hours=found.realised_hours,
                    counts=counts,
                    durations=durations,
                    computed_at=now,
                )
            )
            histograms.append(
                DurationHistogram(
                    municipality_id=municipality.pk,
                    year=year,
                    data={
                        k: {str(d): n for d, n in h.items()} for k, h in found.histograms.items()
                    },
                )
            )
    with transaction.atomic():
        old = ReportFigures.objects.filter(level=Level.MUNICIPALITY, year__in=years)
        old_histograms = DurationHistogram.objects.filter(year__in=years)
        if municipality_ids is not None:
            old = old.filter(municipality_id__in=municipality_ids)
            old_histograms = old_histograms.filter(municipality_id__in=municipality_ids)
        old.delete()
        old_histograms.delete()
        ReportFigures.objects.bulk_create(rows, batch_size=500)
        DurationHistogram.objects.bulk_create(histograms, batch_size=500)
    return len(rows)


# -- combining: regions, country, suppression, ranks ------------------------------------------


def _sum_counts(rows: list[ReportFigures]) -> dict[str, int]:
    total: dict[str, int] = {}
    for name in figures.COUNTS:
        values = [row.counts.get(name) for row in rows]
        if name == "waiting" and (not values or any(v is None for v in values)):
            continue  # only known if known for every member
        total[name] = sum(v or 0 for v in values)
    return total


def _combined_row(level, key, name, region, year, members, histograms, now) -> ReportFigures:
    quotas = [row.quota_places for row in members]
    labour = [row.labour_force for row in members]
    durations = {}
    for kind in figures.DURATIONS:
        merged = figures.merge_histograms(
            histograms.get(row.municipality_id, {}).get(kind, {})
            for row in members
            if row.municipality_id is not None
        )
        n, median, p90 = figures.percentiles(merged)
        durations[kind] = {
            "n": n,
            "median": None if median is None else str(median),
            "p90": None if p90 is None else str(p90),
        }
    return ReportFigures(
        level=level,
        key=key,
        name=name,
        region=region,
        year=year,
        reference_date=max((row.reference_date for row in members), default=dt.date(year, 12, 31)),
        quota_places=None if any(q is None for q in quotas) else sum(quotas, Decimal(0)),
        additional_offered=sum(row.additional_offered for row in members),
        # Hours summed over the members, divided by 31 only when shown (DOMAIN §4.2).
        realised_hours=sum((row.realised_hours for row in members), Decimal(0)),
        labour_force=None if any(v is None for v in labour) else sum(labour),
        counts=_sum_counts(members),
        durations=durations,
        computed_at=now,
    )


def combine(year: int) -> None:
    """Make the regions' and the country's rows of ``year`` from its municipal rows, with the
    labour force, the public's suppression and the ranks of every row."""
    municipal = list(
        ReportFigures.objects.filter(level=Level.MUNICIPALITY, year=year).order_by("key")
    )
    labour = dict(LabourForce.objects.filter(year=year).values_list("municipality_id", "persons"))
    for row in municipal:
        row.labour_force = labour.get(row.municipality_id)
    histograms = dict(
        DurationHistogram.objects.filter(year=year).values_list("municipality_id", "data")
    )
    now = timezone.now()
    by_region: dict[str, list[ReportFigures]] = defaultdict(list)
    for row in municipal:
        if row.region:
            by_region[row.region].append(row)
    regions = [
        _combined_row(Level.REGION, name, name, name, year, members, histograms, now)
        for name, members in sorted(by_region.items())
    ]
    country = _combined_row(
        Level.COUNTRY, COUNTRY_KEY, str(_("The Netherlands")), "", year, municipal, histograms, now
    )
    _suppress(municipal, regions, country, by_region)
    _rank(municipal)
    with transaction.atomic():
        ReportFigures.objects.filter(year=year).exclude(level=Level.MUNICIPALITY).delete()
        ReportFigures.objects.bulk_create([*regions, country])
        ReportFigures.objects.bulk_update(
            municipal, ["labour_force", "hidden", "ranks"], batch_size=500
        )


def _suppress(municipal, regions, country, by_region) -> None:
    """Work out ``hidden`` of every row of one year in one go: the sums within each row, and
    each region = its municipalities, the country = its regions and the municipalities
    without a region."""
    rows = [*municipal, *regions, country]
    values = {}
    for row in rows:
        for name, value in row.counts.items():
            if value is not None:
                values[(row.level, row.key, name)] = value
    constraints = []
    for row in rows:
        for total, parts in figures.constraints_within():
            constraints.append(
                ((row.level, row.key, total), [(row.level, row.key, p) for p in parts])
            )
    region_keys = {region.key for region in regions}
    without_region = [row for row in municipal if not row.region]
    for name in figures.COUNTS:
        for region in regions:
            constraints.append(
                (
                    (Level.REGION, region.key, name),
                    [(Level.MUNICIPALITY, m.key, name) for m in by_region[region.key]],
                )
            )
        constraints.append(
            (
                (Level.COUNTRY, COUNTRY_KEY, name),
                [(Level.REGION, key, name) for key in sorted(region_keys)]
                + [(Level.MUNICIPALITY, m.key, name) for m in without_region],
            )
        )
    hidden = suppression.suppress(values, constraints)
    for row in rows:
        names = {name for (level, key, name) in hidden if level == row.level and key == row.key}
        names |= {derived for derived, source in DERIVED_FROM.items() if source in names}
        row.hidden = sorted(names)


def _rank(municipal: list[ReportFigures]) -> None:
    """Rank by places per 10,000 of the labour force (highest first) within the region and
    the size class: ``exact`` among every municipality with a labour force, ``public`` among
    those whose places the public sees."""
    rate = {
        row.key: per_10000(places(row.realised_hours), row.labour_force)
        for row in municipal
        if row.labour_force
    }

    def ranks(group: list[ReportFigures], public: bool) -> dict[str, tuple[int, int]]:
        members = [
            row
            for row in group
            if rate.get(row.key) is not None and not (public and "places" in row.hidden)
        ]
        ordered = sorted(members, key=lambda r: (-rate[r.key], r.name))
        result = {}
        for row in ordered:
            better = sum(1 for other in ordered if rate[other.key] > rate[row.key])
            result[row.key] = (better + 1, len(ordered))
        return result

    groups: dict[tuple[str, str], list[ReportFigures]] = defaultdict(list)
    for row in municipal:
        if row.region:
            groups[("region", row.region)].append(row)
        cls = size_class(row.labour_force)
        if cls:
            groups[("size", cls)].append(row)
    for row in municipal:
        row.ranks = {"size_class": size_class(row.labour_force), "exact": {}, "public": {}}
    for (kind, _name), group in groups.items():
        for public in (False, True):
            for key, (position, of) in ranks(group, public).items():
                target = next(r for r in group if r.key == key)
                target.ranks["public" if public else "exact"][kind] = [position, of]
