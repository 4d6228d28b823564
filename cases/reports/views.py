"""The benchmark's pages (``/cijfers/``): public, with exact counts for the municipality's own
staff and for operators; the labour-force import for operators (``/cijfers/beroepsbevolking/``).

The pages read only the aggregates (``selectors``); what a reader may see is decided per row
by ``selectors.sees_exact`` and carried out by ``present``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.audit.trail import origin_of
from cases.choices import CandidateSource, CaseState
from municipalities.forms import CsvImportConfirmForm
from portal.models import Role
from portal.permissions import has_role, role_required

from . import charts, exports, figures, present, selectors, services
from .forms import LabourForceImportForm


def _year(request, years: list[int]) -> int | None:
    """The year asked for (``?jaar=``), else the newest; an unknown year is a 404."""
    if not years:
        return None
    asked = request.GET.get("jaar")
    if asked is None:
        return years[0]
    try:
        year = int(asked)
    except ValueError:
        raise Http404 from None
    if year not in years:
        raise Http404
    return year


def _work_list(**query) -> str:
    return f"{reverse('work:case_list')}?{urlencode(query)}"


def _list_urls(year: int, current_year: int) -> dict[str, str]:
    """The lists behind the figures, for the municipality's own staff: only this year's
    stock figures have a list that shows today's cases."""
    urls = {f"source.{s}": _work_list(source=s) for s in CandidateSource.values}
    urls["term.uwv_advice"] = _work_list(state="at_uwv")
    urls["term.decision"] = _work_list(state=CaseState.ADVICE_ISSUED)
    urls["objections.filed"] = _work_list(state="objection_open")
    if year == current_year:
        urls["persons_working"] = _work_list(state=CaseState.EMPLOYED)
        urls["waiting"] = reverse("work:waiting_list")
        urls["persons_indicated"] = _work_list(state=CaseState.AWAITING_PLACEMENT)
    return urls


@require_GET
def overview(request):
    """Every municipality's main figures in one year, and the country's."""
    years = selectors.report_years()
    year = _year(request, years)
    rows, country = selectors.overview(year) if year else ([], None)
    exact_all = has_role(request.user, Role.OPERATOR)
    lines = []
    for row in rows:
        exact = exact_all or selectors.sees_exact(request.user, row.municipality_id)
        lines.append(
            {
                "row": row,
                "quota": present.quota(row),
                "places": present.places(row, exact),
                "persons_working": present.count(row, "persons_working", exact),
                "rate": present.rate(row, "places", exact),
                "waiting": present.count(row, "waiting", exact),
            }
        )
    country_line = None
    if country is not None:
        country_line = {
            "row": country,
            "quota": present.quota(country),
            "places": present.places(country, exact_all),
            "persons_working": present.count(country, "persons_working", exact_all),
            "rate": present.rate(country, "places", exact_all),
            "waiting": present.count(country, "waiting", exact_all),
        }
    return render(
        request,
        "reports/overview.html",
        {
            "years": years,
            "year": year,
            "lines": lines,
            "country": country_line,
            "exact": exact_all,
            "can_import": has_role(request.user, Role.OPERATOR),
            "definitions": figures.DEFINITIONS,
        },
    )


def _context(request, cbs_code: str) -> dict:
    report = selectors.municipality_report(cbs_code)
    municipality = report.municipality
    years = report.years
    year = _year(request, years)
    exact = selectors.sees_exact(request.user, municipality.pk)
    operator = has_role(request.user, Role.OPERATOR)
    own = report.own.get(year) if year else None
    region = report.region.get(year) if year else None
    country = report.country.get(year) if year else None
    rows, exacts = [own, region, country], [exact, operator, operator]
    urls = _list_urls(year, max(years)) if exact and not operator and years else {}
    summary = present.summary_lines(rows, exacts, urls)
    places_by_year = [
        (y, present.quota(report.own[y]), present.places(report.own[y], exact))
        for y in sorted(years)
    ]
    scopes = [municipality.name, region.name if region else _("Region"), _("The Netherlands")]
    rate_cells = [present.rate(r, "places", e) for r, e in zip(rows, exacts, strict=True)]
    context = {
        "municipality": municipality,
        "years": years,
        "year": year,
        "own": own,
        "region": region,
        "country": country,
        "scopes": scopes,
        "exact": exact,
        "summary": summary,
        "advice": present.advice_table(own, exact, urls),
        "durations": present.duration_lines(rows, exacts),
        "terms": present.term_lines(rows, exacts, urls),
        "objections": present.objection_lines(own, exact),
        "rank_region": present.rank(own, "region", exact),
        "rank_size": present.rank(own, "size", exact),
        "size_class": (own.ranks or {}).get("size_class") if own else None,
        "places_by_year": places_by_year,
        "definitions": figures.DEFINITIONS,
    }
    if own is not None:
        context["chart_years"] = charts.bar_chart(
            "chart-years",
            _("Quota and places realised of %(name)s per year") % {"name": municipality.name},
            _(
                "Bar chart: per year the quota (solid bars) and the places realised (hatched "
                "bars). The same figures are in the table next to it."
            ),
            [str(y) for y, _q, _p in places_by_year],
            [
                (_("Quota"), [q for _y, q, _p in places_by_year]),
                (_("Places realised"), [p for _y, _q, p in places_by_year]),
            ],
        )
        context["chart_rate"] = charts.bar_chart(
            "chart-rate",
            _("Places per 10,000 of the labour force in %(year)s") % {"year": year},
            _(
                "Bar chart: places per 10,000 of the labour force of the municipality, its "
                "region and the Netherlands. The same figures are in the table next to it."
            ),
            scopes,
            [(_("Places per 10,000"), rate_cells)],
        )
        context["rate_cells"] = list(zip(scopes, rate_cells, strict=True))
    return context


@require_GET
def municipality_report(request, cbs_code: str):
    return render(request, "reports/municipality.html", _context(request, cbs_code))


@require_GET
def municipality_download(request, cbs_code: str, fmt: str):
    """The page's figures as CSV or XLSX, with the definitions; suppressed as on the page."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    context = _context(request, cbs_code)
    if context["own"] is None:
        raise Http404
    table = exports.report_table(context)
    if fmt == "csv":
        return exports.csv_response(table, context)
    return exports.xlsx_response(table, context)


# -- labour force (operators import; administrators see) --------------------------------------


@login_required
@role_required(Role.OPERATOR, Role.MUNICIPAL_ADMIN)
@require_http_methods(["GET", "POST"])
def labour_force_import(request):
    """Upload → check → preview (or row errors) → confirm → apply, as the quota import.
    Operators import (national data); administrators see what is loaded."""
    operator = has_role(request.user, Role.OPERATOR)
    context = {"can_import": operator, "loaded": selectors.labour_force_years()}
    if request.method == "POST" and not operator:
        raise Http404
    if request.method == "POST" and "confirm" in request.POST:
        confirm = CsvImportConfirmForm(request.POST)
        if not confirm.is_valid():
            raise Http404
        try:
            result = services.import_labour_force(
                text=confirm.cleaned_data["content"],
                year=confirm.cleaned_data["year"],
                actor=request.user,
                origin=origin_of(request),
            )
        except ValidationError:
            messages.error(request, _("The file has errors. Nothing has been changed."))
            return redirect("reports:labour_force_import")
        messages.success(
            request,
            _(
                "The labour force for %(year)s has been imported: "
                "%(changed)s of %(rows)s rows changed."
            )
            % {
                "year": confirm.cleaned_data["year"],
                "changed": result.changed,
                "rows": result.rows,
            },
        )
        return redirect("reports:labour_force_import")
    form = LabourForceImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            text, year = form.cleaned_data["file"], form.cleaned_data["year"]
            parsed = services.check_labour_force_file(text, year=year)
            context.update(parsed=parsed, year=year)
            if parsed.valid:
                context["preview"] = parsed.rows
                context["confirm"] = CsvImportConfirmForm(
                    initial={"year": year, "content": text}, auto_id=False
                )
            else:
                status = 400
        else:
            status = 400
    context["form"] = form
    return render(request, "reports/labour_force_import.html", context, status=status)
