"""Reading the ministerial regulation's quota table from CSV (see docs/quota-import.md).

The file has a header row and three columns: CBS code, municipality, number of places.
Separator ``;`` or ``,``; UTF-8 (with or without BOM). The number may use a decimal comma.
Every row is checked; the file is applied only when no row has an error. This module only
reads and checks; ``services.import_quota`` writes.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from cases import rules

HEADER_ALIASES = {
    "cbs_code": {"cbs code", "cbs-code", "cbscode", "cbs_code", "gemeentecode", "code"},
    "municipality": {"municipality", "gemeente", "gemeentenaam", "naam"},
    "places": {
        "number of places",
        "places",
        "aantal plekken",
        "plekken",
        "aantal",
        "taakstelling",
        "aantal plaatsen",
    },
}
CBS_CODE = re.compile(r"^GM\d{4}$")
MAX_BYTES = 1_000_000
MAX_ROWS = 1_000


@dataclass
class QuotaRow:
    """One data row of the file: ``line`` is its line number in the file (header = 1)."""

    line: int
    cbs_code: str
    municipality_name: str
    value_text: str
    places: Decimal | None = None
    municipality_id: int | None = None
    #: A correct row of a municipality the importing user does not manage: not applied.
    skipped: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    rows: list[QuotaRow]
    #: Errors about the whole file (no header, wrong columns, too large).
    file_errors: list[str]

    @property
    def valid(self) -> bool:
        return not self.file_errors and all(not row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[QuotaRow]:
        return [row for row in self.rows if row.errors]

    @property
    def applicable_rows(self) -> list[QuotaRow]:
        return [row for row in self.rows if not row.errors and not row.skipped]

    @property
    def skipped_rows(self) -> list[QuotaRow]:
        return [row for row in self.rows if row.skipped]


def decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _column_map(header: list[str]) -> dict[str, int] | None:
    names = [h.strip().lower() for h in header]
    mapping = {}
    for key, aliases in HEADER_ALIASES.items():
        for index, name in enumerate(names):
            if name in aliases:
                mapping[key] = index
                break
        else:
            return None
    return mapping


def parse_places(text: str) -> Decimal | None:
    """``"12"``, ``"12,5"`` or ``"12.50"`` → Decimal; anything else → None."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d{1,2})?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern already refused it
        return None


def parse(text: str, *, known_codes: dict[str, int], allowed_ids: set[int] | None) -> ParsedFile:
    """Read and check every row.

    ``known_codes``: CBS code → municipality id of every municipality in the portal.
    ``allowed_ids``: the municipalities the importing user may change (None: all). Rows of
    other municipalities are checked too (the whole national file must be correct) but marked
    ``skipped``: an administrator can upload the ministerial regulation as published.
    """
    if len(text.encode()) > MAX_BYTES:
        return ParsedFile([], [str(_("The file is too large (at most 1 MB)."))])
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return ParsedFile([], [str(_("The file is empty."))])
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _parse_rows(reader, delimiter, known_codes=known_codes, allowed_ids=allowed_ids)
    except csv.Error:
        # A cell longer than the csv module's limit (128 KB), say.
        return ParsedFile(
            [],
            [
                str(
                    _(
                        "Line %(line)s of the file cannot be read: a cell is too long, or a "
                        "quotation mark is missing. Save the file again as CSV."
                    )
                )
                % {"line": reader.line_num}
            ],
        )


def _parse_rows(
    reader, delimiter: str, *, known_codes: dict[str, int], allowed_ids: set[int] | None
) -> ParsedFile:
    header = next(reader)
    columns = _column_map(header)
    if columns is None:
        return ParsedFile(
            [],
            [
                str(
                    _(
                        "The first row must name the columns: CBS code, municipality and "
                        "number of places."
                    )
                )
            ],
        )
    rows: list[QuotaRow] = []
    seen: dict[str, int] = {}
    for line_number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            return ParsedFile(rows, [str(_("The file has too many rows (at most 1,000)."))])

        def cell(key: str, values=values) -> str:
            index = columns[key]
            return values[index].strip() if index < len(values) else ""

        row = QuotaRow(
            line=line_number,
            cbs_code=cell("cbs_code").upper(),
            municipality_name=cell("municipality"),
            value_text=cell("places"),
        )
        if any(v.strip() for v in values[len(header) :]):
            # In a file separated by commas, 640,5 without quotes is two cells: 640 and 5.
            row.errors.append(
                str(
                    _(
                        "This line has more cells than the first line. Is there a comma in a "
                        "number? Then put the number between quotation marks (“640,5”) or "
                        "separate the columns with a semicolon (;)."
                    )
                    if delimiter == ","
                    else _("This line has more cells than the first line.")
                )
            )
        if not CBS_CODE.match(row.cbs_code) or row.cbs_code not in known_codes:
            row.errors.append(
                str(_("Unknown CBS code “%(code)s”.") % {"code": row.cbs_code or "–"})
            )
        else:
            row.municipality_id = known_codes[row.cbs_code]
            if allowed_ids is not None and row.municipality_id not in allowed_ids:
                row.skipped = True
            if row.cbs_code in seen:
                row.errors.append(
                    str(_("Duplicate row: %(code)s is already on line %(line)s."))
                    % {"code": row.cbs_code, "line": seen[row.cbs_code]}
                )
            else:
                seen[row.cbs_code] = line_number
        places = parse_places(row.value_text)
        if places is None:
            row.errors.append(
                str(_("“%(value)s” is not a number.")) % {"value": row.value_text or "–"}
            )
        elif places < 0:
            row.errors.append(str(_("The number of places cannot be negative.")))
        else:
            try:
                rules.check_quota(places)
            except rules.RuleViolation as violation:
                row.errors.append(str(violation))
            else:
                row.places = places
        rows.append(row)
    if not rows:
        return ParsedFile([], [str(_("The file has no rows with a quota."))])
    parsed = ParsedFile(rows, [])
    if parsed.valid and not parsed.applicable_rows:
        parsed.file_errors.append(str(_("The file has no row for a municipality you manage.")))
    return parsed
