"""The case page's content, rendered once for each state of the case, and the work list's
table, rendered once for each set of rows (issue #5: the busiest pages).

The rendered content (everything between the page header and footer) is kept in the
memory of the process that rendered it (cache ``pages``; never in Redis: it holds personal
data). An entry is used only while all of this is as it was when it was rendered:

- the rows the case page fetches fresh on every request anyway (the case, its person,
  municipality, application, advice and decision): their values are part of the entry's
  stamp, so a change to them shows at once, however it was made;
- the case's version (``case_version_key``), which every saved or deleted term, term event,
  objection, job, period of unavailability, document and history event of the case moves
  on (``cases.signals``), as do the services that change such rows in bulk;
- the version of the staff's names (``selectors.STAFF_VERSION_KEY``: the case handler and
  the actors in the history);
- the day (a term's state depends on it), the language and whether the user may see the
  application's content.

The versions live in the shared cache, so a change made through one process makes every
process's entry stale. No entry is older than ``TIMEOUT``, whatever happens.

The work list's table (``worklist_table``) needs no versions: its rows are fetched on every
request, and its key is made of them (every value the table shows a row by), of the links
around them and of the language. The same rows give the same table, whoever asked for them:
a page with other rows, or with a row that changed, is another key. A list searched for
(a name, a BSN) is never kept.
"""

from __future__ import annotations

import hashlib
import pickle

from django.core.cache import caches
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal import cache as versions

from . import selectors

PAGE_CACHE = "pages"
#: Seconds an entry is used at most.
TIMEOUT = 600


def case_version_key(case_id: int) -> str:
    return f"case-page:version:{case_id}"


def changed(case_id: int | None) -> None:
    """Something the page of ``case_id`` shows has changed (now, and again at the commit:
    see ``portal.cache.changed``)."""
    if case_id is not None:
        versions.changed(case_version_key(case_id))


def _values(instance) -> tuple:
    if instance is None:
        return ()
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def _stamp(case) -> tuple:
    current = versions.current([case_version_key(case.pk), selectors.STAFF_VERSION_KEY])
    rows = tuple(
        _values(instance)
        for instance in (
            case,
            case.person,
            case.municipality,
            getattr(case, "application", None),
            getattr(case, "advice", None),
            getattr(case, "decision", None),
        )
    )
    return (current, timezone.localdate(), rows)


def case_content(case, *, show_content: bool, render) -> str:
    """The case page's content: from this process's cache if rendered for the same state of
    the case, else ``render()``, kept. The versions are read before ``render`` reads any row,
    so a change committed in between makes the kept entry stale at once."""
    key = f"case-page:{case.pk}:{get_language()}:{int(show_content)}"
    stamp = _stamp(case)
    store = caches[PAGE_CACHE]
    entry = store.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    html = mark_safe(render())  # noqa: S308 - rendered by our own template, escaped there
    store.set(key, (stamp, html), TIMEOUT)
    return html


def worklist_table(rows: list[dict], links: tuple, *, render) -> str:
    """The work list's table of ``rows`` (``selectors.worklist``, as they came from the
    database) with ``links`` (the query and pager links it shows): from this process's
    cache if it was rendered for the same rows and links, else ``render()``, kept."""
    # The rows are plain values (ints, strings, dates, None), which pickle writes in full
    # and unambiguously: other values are other bytes (a third of the time repr takes).
    identity = pickle.dumps(
        (get_language(), timezone.get_current_timezone_name(), get_script_prefix(), links,
         [tuple(row.items()) for row in rows]),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    key = "worklist-table:" + hashlib.sha256(identity).hexdigest()
    store = caches[PAGE_CACHE]
    html = store.get(key)
    if html is None:
        html = str(render())
        store.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered by our own template, escaped there
