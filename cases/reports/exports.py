"""The report of a municipality as CSV or XLSX: the same cells as the page (suppressed for
the public exactly as there), and the definitions of the figures. Cells that a spreadsheet
would read as a formula are neutralised (``cases.exports.neutralise``)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from cases.exports import neutralise


def report_table(context: dict) -> list[list[str]]:
    """Rows of (section, figure, municipality, region, country) as text."""
    scopes = context["scopes"]
    rows = [[_("Section"), _("Figure"), *scopes]]
    for _key, label, cells in context["summary"]:
        rows.append([_("Places and persons"), str(label), *(c.text for c in cells)])
    for label, positive, negative, total in context["advice"]:
        rows.append([_("Advices"), f"{label}: {_('positive')}", positive.text, "", ""])
        rows.append([_("Advices"), f"{label}: {_('negative')}", negative.text, "", ""])
        rows.append([_("Advices"), f"{label}: {_('total')}", total.text, "", ""])
    for label, per_scope in context["durations"]:
        rows.append(
            [_("Times (days)"), f"{label}: {_('median')}", *(m.text for m, _p, _n in per_scope)]
        )
        rows.append(
            [
                _("Times (days)"),
                f"{label}: {_('90th percentile')}",
                *(p.text for _m, p, _n in per_scope),
            ]
        )
    for label, cells, _url in context["terms"]:
        rows.append([_("Within the term"), str(label), *(c.text for c in cells)])
    for label, cell in context["objections"]:
        rows.append([_("Objections"), str(label), cell.text, "", ""])
    rows.append([_("Rank"), _("In the labour-market region"), context["rank_region"].text, "", ""])
    rows.append(
        [_("Rank"), _("Among municipalities of its size"), context["rank_size"].text, "", ""]
    )
    return [[neutralise(value) for value in row] for row in rows]


def _definitions() -> list[list[str]]:
    from .figures import DEFINITIONS

    return [[neutralise(str(text))] for _key, text in DEFINITIONS]


def _filename(context: dict, ext: str) -> str:
    return f"cijfers-{context['municipality'].cbs_code}-{context['year']}.{ext}"


def _title(context: dict) -> str:
    return _("Sheltered work figures of %(name)s, %(year)s (as of %(date)s)") % {
        "name": context["municipality"].name,
        "year": context["year"],
        "date": context["own"].reference_date.strftime("%d-%m-%Y"),
    }


def csv_response(table: list[list[str]], context: dict) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([neutralise(_title(context))])
    writer.writerows(table)
    writer.writerow([])
    writer.writerow([_("Definitions")])
    writer.writerows(_definitions())
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(context, "csv")}"'
    return response


def xlsx_response(table: list[list[str]], context: dict) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Figures"))
    sheet.append([neutralise(_title(context))])
    for row in table:
        sheet.append(row)
    definitions = workbook.create_sheet(_("Definitions"))
    for row in _definitions():
        definitions.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(context, "xlsx")}"'
    return response
