"""``{% term_status %}``: a legal term the same way on every page (DOMAIN §0).

Which term it is, its last day ("1 februari 2027") and its state in words: running with the
days left, nearly due, suspended since when, met or overdue, so that no page relies on colour
alone. Usage::

    {% load terms %}
    {% term_status kind=term.kind end=term.end_on state=term.state
       suspended_since=term.suspended_since %}   (on one line: a Django tag cannot break)

``kind`` is a ``TermKind`` value (left out: no name before the date), ``state`` the
``TermState`` the page computed with ``rules.term_state``.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from cases.choices import TermKind, TermState
from cases.selectors import NEARLY_DUE_DAYS

register = template.Library()


@register.inclusion_tag("components/term_status.html")
def term_status(
    *,
    end: dt.date,
    state: str | None,
    kind: str | None = None,
    suspended_since: dt.date | None = None,
) -> dict:
    days_left = None
    if state == TermState.RUNNING:
        days_left = max((end - timezone.localdate()).days, 0)
    return {
        "name": TermKind(kind).label if kind else "",
        "end": end,
        "state": state or "",
        "suspended_since": suspended_since,
        "days_left": days_left,
        "nearly_due": days_left is not None and days_left <= NEARLY_DUE_DAYS,
    }
