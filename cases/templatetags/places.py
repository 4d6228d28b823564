"""``{{ value|places }}``: a number of places as people read it (``capacity.format_places``:
2 decimals at most, a decimal comma in Dutch)."""

from __future__ import annotations

from django import template

from cases.placement.capacity import format_places

register = template.Library()


@register.filter
def places(value) -> str:
    if value is None or value == "":
        return ""
    return format_places(value)
