"""The writes of the benchmark: importing the labour force (audited, all rows or none)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.audit.trail import audited
from municipalities.models import Municipality
from portal.models import Role
from portal.permissions import has_role

from . import build, labour_force
from .models import LabourForce, ReportFigures


def check_labour_force_file(text: str, *, year: int) -> labour_force.ParsedFile:
    """Read and check a labour-force file (nothing is written)."""
    known = dict(Municipality.objects.values_list("cbs_code", "pk"))
    return labour_force.parse(text, year=year, known_codes=known)


@dataclass(frozen=True)
class ImportResult:
    rows: int
    changed: int


def import_labour_force(*, text: str, year: int, actor, origin: str = "") -> ImportResult:
    """Apply a labour-force file for ``year`` (operators only): all rows or none. Importing
    the same file again changes nothing. The year's regions, ranks and rates follow at once
    (``build.combine``: from the stored rows, no recount of cases)."""
    with audited(
        "import_labour_force", actor=actor, object_type="labour_force", origin=origin
    ) as record:
        if not has_role(actor, Role.OPERATOR):
            raise PermissionDenied
        with transaction.atomic():
            parsed = check_labour_force_file(text, year=year)
            if not parsed.valid:
                raise ValidationError(
                    _("The file has errors. Nothing has been changed."), code="invalid_file"
                )
            current = dict(
                LabourForce.objects.select_for_update()
                .filter(year=year)
                .values_list("municipality_id", "persons")
            )
            changed = 0
            for row in sorted(parsed.rows, key=lambda r: r.municipality_id):
                if current.get(row.municipality_id) == row.persons:
                    continue
                LabourForce.objects.update_or_create(
                    municipality_id=row.municipality_id,
                    year=year,
                    defaults={"persons": row.persons, "imported_by": actor},
                )
                changed += 1
            if changed and ReportFigures.objects.filter(year=year).exists():
                build.combine(year)
        record.object_id = f"{year}:{changed}/{len(parsed.rows)}"
        return ImportResult(rows=len(parsed.rows), changed=changed)
