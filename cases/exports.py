"""Export of the consultant's current work list to CSV and XLSX (issue #5).

Only the rows of the user's own municipality reach here (the queryset comes from
``selectors.worklist_queryset``). Cells that a spreadsheet would read as a formula
(starting with ``= + - @``, or a tab or carriage return) are neutralised with a leading
apostrophe (OWASP: CSV injection). The candidate source is the application's content: of a
direct application it is left empty until UWV has advised (DOMAIN, actors).
"""

from __future__ import annotations

import csv
from io import BytesIO

from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors import municipality_sees_content_q

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _header() -> list[str]:
    return [
        _("Reference"),
        _("Name"),
        _("Status"),
        _("Status since"),
        _("Next term ends"),
        _("Candidate source"),
        _("Case handler"),
    ]


def _rows(queryset):
    shown = ExpressionWrapper(municipality_sees_content_q(), output_field=BooleanField())
    for case in queryset.annotate(source_shown=shown).iterator(chunk_size=2000):
        application = getattr(case, "application", None) if case.source_shown else None
        yield [
            neutralise(case.reference),
            neutralise(f"{case.person.first_name} {case.person.last_name}"),
            neutralise(case.get_state_display()),
            neutralise(timezone.localtime(case.state_since).strftime("%d-%m-%Y")),
            neutralise(case.term_end.strftime("%d-%m-%Y") if case.term_end else ""),
            neutralise(application.get_source_display() if application else ""),
            neutralise(case.assignee or ""),
        ]


class _Echo:
    def write(self, value):
        return value


def _filename(ext: str) -> str:
    return f"werklijst-{timezone.localdate():%Y-%m-%d}.{ext}"


def csv_response(queryset) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff"  # so spreadsheet programs read UTF-8
        yield writer.writerow(_header())
        for row in _rows(queryset):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def xlsx_response(queryset) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Work list"))
    sheet.append(_header())
    for row in _rows(queryset):
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
