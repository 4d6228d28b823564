"""Reads of the benchmark's pages: only the aggregates, never the cases (a fixed handful of
queries, whatever the number of cases), and who sees exact counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from municipalities.models import Municipality
from portal.models import Role
from portal.permissions import has_role, role_of

from .models import LabourForce, Level, ReportFigures


def sees_exact(user, municipality_id: int | None) -> bool:
    """Exact counts: operators everywhere; municipal staff for their own municipality only.
    Everyone else (the public, citizens, UWV) sees the suppressed figures."""
    if has_role(user, Role.OPERATOR):
        return True
    return (
        municipality_id is not None
        and role_of(user) in (Role.CONSULTANT, Role.MUNICIPAL_ADMIN)
        and user.municipality_id == municipality_id
    )


def report_years() -> list[int]:
    """The years with figures, newest first (one query)."""
    return list(
        ReportFigures.objects.filter(level=Level.COUNTRY)
        .order_by("-year")
        .values_list("year", flat=True)
    )


@dataclass(frozen=True)
class MunicipalityReport:
    municipality: Municipality
    #: By year, oldest first.
    own: dict[int, ReportFigures]
    region: dict[int, ReportFigures]
    country: dict[int, ReportFigures]

    @property
    def years(self) -> list[int]:
        return sorted(self.own, reverse=True)


def municipality_report(cbs_code: str) -> MunicipalityReport:
    """A municipality (404 if unknown) and every year of its rows, its region's and the
    country's: two queries."""
    municipality = (
        Municipality.objects.filter(cbs_code=cbs_code.upper())
        .only("pk", "cbs_code", "name", "labour_market_region")
        .first()
    )
    if municipality is None:
        raise Http404
    rows = ReportFigures.objects.filter(
        Q(level=Level.MUNICIPALITY, key=municipality.cbs_code)
        | Q(level=Level.REGION, key=municipality.labour_market_region or "-")
        | Q(level=Level.COUNTRY)
    ).order_by("year")
    own, region, country = {}, {}, {}
    for row in rows:
        {Level.MUNICIPALITY: own, Level.REGION: region, Level.COUNTRY: country}[row.level][
            row.year
        ] = row
    return MunicipalityReport(municipality, own, region, country)


def overview(year: int) -> tuple[list[ReportFigures], ReportFigures | None]:
    """Every municipality's row of ``year`` by name, and the country's: one query."""
    rows = list(
        ReportFigures.objects.filter(year=year, level__in=[Level.MUNICIPALITY, Level.COUNTRY])
        .defer("durations")
        .order_by("name")
    )
    country = next((row for row in rows if row.level == Level.COUNTRY), None)
    return [row for row in rows if row.level == Level.MUNICIPALITY], country


def labour_force_years() -> list[tuple[int, int, int]]:
    """Per year: how many municipalities have a labour force, and its total (one query)."""
    from django.db.models import Count, Sum

    return list(
        LabourForce.objects.order_by("-year")
        .values("year")
        .annotate(n=Count("pk"), total=Sum("persons"))
        .values_list("year", "n", "total")
    )
