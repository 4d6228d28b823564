"""Reading CBS's labour force per municipality (StatLine CSV export) — docs/labour-force-import.md.

Columns are found by their header (case-insensitive, in any order): the region code
(``RegioS``, ``Regio's code``, ``Gemeentecode``, ``CBS-code``, ``code``), optionally the name
(``Regio's``, ``Gemeente``) and the period (``Perioden``: ``2026`` or ``2026JJ00``), and the
labour force (a header that starts with ``Beroepsbevolking`` or ``Totaal beroepsbevolking``;
with ``x 1 000`` in it the numbers are thousands). Rows of other region kinds (the country
``NL01``, provinces ``PV``, COROP areas ``CR``) are left out; every municipality row is
checked and the file is applied only when no row has an error, as the quota import does
(``municipalities.quota_import``, whose reading of the file this reuses).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from municipalities.quota_import import CBS_CODE, MAX_BYTES, MAX_ROWS

CODE_HEADERS = {
    "regios",
    "regio's code",
    "regiocode",
    "gemeentecode",
    "cbs-code",
    "cbs code",
    "code",
}
NAME_HEADERS = {"regio's", "regios naam", "gemeente", "gemeentenaam", "naam"}
PERIOD_HEADERS = {"perioden", "periode", "jaar"}
VALUE_PREFIXES = ("beroepsbevolking", "totaal beroepsbevolking", "werkzame en werkloze")
THOUSANDS = re.compile(r"x\s*1[ .]?000\b")
PERIOD = re.compile(r"^(\d{4})(JJ00)?$")


@dataclass
class LabourForceRow:
    line: int
    cbs_code: str
    municipality_name: str
    value_text: str
    persons: int | None = None
    municipality_id: int | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    rows: list[LabourForceRow]
    file_errors: list[str]
    #: Rows of other region kinds (country, provinces), left out.
    other_regions: int = 0

    @property
    def valid(self) -> bool:
        return not self.file_errors and all(not row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[LabourForceRow]:
        return [row for row in self.rows if row.errors]


def _columns(header: list[str]) -> tuple[dict[str, int], bool] | None:
    names = [h.strip().strip('"').lower() for h in header]
    found: dict[str, int] = {}
    thousands = False
    for index, name in enumerate(names):
        if name in CODE_HEADERS and "code" not in found:
            found["code"] = index
        elif name in NAME_HEADERS and "name" not in found:
            found["name"] = index
        elif name in PERIOD_HEADERS and "period" not in found:
            found["period"] = index
        elif name.startswith(VALUE_PREFIXES) and "value" not in found:
            found["value"] = index
            thousands = bool(THOUSANDS.search(name))
    if "code" not in found or "value" not in found:
        return None
    return found, thousands


def parse_number(text: str, thousands: bool) -> int | None:
    """``"435,2"`` (thousands) → 435200; ``"12345"`` → 12345; ``"."`` (CBS: no figure) → None."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif not thousands:
        cleaned = (
            cleaned.replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned) else cleaned
        )
    if not re.fullmatch(r"\d+(\.\d+)?", cleaned):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern already refused it
        return None
    if thousands:
        value *= 1000
    if value != value.to_integral_value():
        return None
    return int(value)


def parse(text: str, *, year: int, known_codes: dict[str, int]) -> ParsedFile:
    """Read and check every row (nothing is written)."""
    if len(text.encode()) > MAX_BYTES:
        return ParsedFile([], [_("The file is too large (at most 1 MB).")])
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return ParsedFile([], [_("The file is empty.")])
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    found = _columns(next(reader))
    if found is None:
        return ParsedFile(
            [],
            [
                _(
                    "The first row must name the columns: the region code (RegioS) and the "
                    "labour force (Beroepsbevolking)."
                )
            ],
        )
    columns, thousands = found
    rows: list[LabourForceRow] = []
    seen: dict[str, int] = {}
    other = 0
    for line_number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue

        def cell(key: str, values=values) -> str:
            index = columns.get(key)
            return values[index].strip() if index is not None and index < len(values) else ""

        code = cell("code").upper()
        if code and not code.startswith("GM"):
            other += 1
            continue
        if len(rows) >= MAX_ROWS:
            return ParsedFile(rows, [_("The file has too many rows (at most 1,000).")], other)
        row = LabourForceRow(line_number, code, cell("name"), cell("value"))
        if not CBS_CODE.match(code) or code not in known_codes:
            row.errors.append(_("Unknown CBS code “%(code)s”.") % {"code": code or "–"})
        elif code in seen:
            row.errors.append(
                _("Duplicate row: %(code)s is already on line %(line)s.")
                % {"code": code, "line": seen[code]}
            )
        else:
            row.municipality_id = known_codes[code]
            seen[code] = line_number
        if "period" in columns:
            match = PERIOD.match(cell("period").upper())
            if not match or int(match.group(1)) != year:
                row.errors.append(
                    _("The period “%(period)s” is not the year %(year)s.")
                    % {"period": cell("period") or "–", "year": year}
                )
        persons = parse_number(row.value_text, thousands)
        if persons is None:
            row.errors.append(_("“%(value)s” is not a number.") % {"value": row.value_text or "–"})
        elif persons <= 0:
            row.errors.append(_("The labour force must be more than 0."))
        else:
            row.persons = persons
        rows.append(row)
    if not rows:
        return ParsedFile([], [_("The file has no rows of a municipality.")], other)
    return ParsedFile(rows, [], other)
