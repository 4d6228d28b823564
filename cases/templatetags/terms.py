"""``{% term_status %}``: a legal term the same way on every page (DOMAIN §0).

Which term it is, its last day ("1 februari 2027") and its state in words: running with the
days left, nearly due, suspended since when, met or overdue, so that no page relies on colour
alone. Usage::

    {% load terms %}
    {% term_status kind=term.kind end=term.end_on state=term.state
       suspended_since=term.suspended_since %}   (on one line: a Django tag cannot break)

``kind`` is a ``TermKind`` value (left out: no name before the date), ``state`` the
``TermState`` the page computed with ``rules.term_state``.

The markup is built here with ``format_html`` rather than in an included template: list pages
show one term per row, and a template of its own per row costs more than the rest of the row.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext

from cases.choices import TermKind, TermState
from cases.selectors import NEARLY_DUE_DAYS

register = template.Library()

DATE_FORMAT = "j F Y"


def _filled(text: str, **values) -> SafeString:
    """A translated sentence with its values escaped (as ``{% blocktranslate %}`` does)."""
    return mark_safe(text % {name: conditional_escape(v) for name, v in values.items()})  # noqa: S308


def _in_words(state: str, days_left: int | None, nearly_due: bool, suspended_since) -> str:
    if state == TermState.OVERDUE:
        return gettext("overdue")
    if state == TermState.MET:
        return gettext("met")
    if state == TermState.ENDED:
        return pgettext("term", "ended")
    if state == TermState.SUSPENDED:
        if suspended_since:
            # The end shown is the end as it stood when the term stopped: say it moves on.
            return _filled(
                gettext("suspended since %(since)s; the end moves on by every day it stays so"),
                since=date_format(suspended_since, DATE_FORMAT),
            )
        return gettext("suspended")
    if days_left == 0:
        return gettext("nearly due, today is the last day")
    if nearly_due:
        sentence = ngettext(
            "nearly due, %(days)s day left", "nearly due, %(days)s days left", days_left
        )
    else:
        sentence = ngettext("running, %(days)s day left", "running, %(days)s days left", days_left)
    return _filled(sentence, days=days_left)


@register.simple_tag
def term_status(
    *,
    end: dt.date,
    state: str | None,
    kind: str | None = None,
    suspended_since: dt.date | None = None,
) -> SafeString:
    days_left = None
    if state == TermState.RUNNING:
        days_left = max((end - timezone.localdate()).days, 0)
    nearly_due = days_left is not None and days_left <= NEARLY_DUE_DAYS
    classes = "term-status"
    if state:
        classes += f" term-status--{state}"
    if nearly_due:
        classes += " term-status--nearly-due"
    text = _filled(gettext("until %(date)s"), date=date_format(end, DATE_FORMAT))
    if kind:
        text = format_html("{}: {}", TermKind(kind).label, text)
    if state:
        words = _in_words(state, days_left, nearly_due, suspended_since)
        if state == TermState.OVERDUE or nearly_due:
            text = format_html("{} <strong>({})</strong>", text, words)
        else:
            text = format_html("{} ({})", text, words)
    return format_html('<span class="{}">{}</span>', classes, text)
