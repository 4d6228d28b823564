"""Values cached under a version, on the default cache (Redis in production).

The cache only ever speeds things up: with Redis away every read is a miss (django-redis's
``IGNORE_EXCEPTIONS``) and the value is computed from the database.
"""

from __future__ import annotations

import time

# -- values cached under a version ----------------------------------------------------------
# A cached value is good while the version it was stored under is the current one: a change
# moves the version on (``changed``) instead of deleting entries, so a request that read the
# old rows just before a commit cannot put them back as current.


def _fresh_start() -> int:
    """Where a missing version starts: the clock in microseconds, so a version that Redis lost
    (a restart, an eviction) never comes back as a value it had before, which an entry kept
    elsewhere (``current``: in a process's own memory) could still carry."""
    return time.time_ns() // 1000


def bump(version_key: str) -> None:
    """Move a version on (a missing or evicted version starts again from the clock)."""
    from django.core.cache import cache

    cache.add(version_key, _fresh_start(), timeout=None)
    try:
        cache.incr(version_key)
    except ValueError:  # evicted between add and incr
        cache.set(version_key, _fresh_start(), timeout=None)


def current(version_keys: list[str]) -> tuple[int, ...]:
    """The current value of each version (one cache read; a missing one is started)."""
    from django.core.cache import cache

    found = cache.get_many(version_keys)
    missing = [key for key in version_keys if found.get(key) is None]
    for key in missing:
        cache.add(key, _fresh_start(), timeout=None)
    if missing:
        found.update(cache.get_many(missing))
    return tuple(found.get(key) for key in version_keys)


def changed(version_key: str) -> None:
    """What the entries under ``version_key`` hold has changed: stale now, for this
    transaction's own next read, and again after the commit, for any request that cached the
    rows as they were before the commit in between."""
    from django.db import transaction

    bump(version_key)
    transaction.on_commit(lambda: bump(version_key))


def versioned(key: str, version_key: str, compute, timeout: int):
    """The value under ``key`` if stored under the current version, else ``compute()``,
    stored. One cache read (the version and the entry together); a missing version is
    started as ``current`` starts it, so no entry stored before it went missing matches."""
    from django.core.cache import cache

    found = cache.get_many([version_key, key])
    version = found.get(version_key)
    if version is None:
        (version,) = current([version_key])
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return entry[1]
    value = compute()
    cache.set(key, (version, value), timeout)
    return value
