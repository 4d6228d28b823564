"""Values cached under a version (``portal.cache``): a version that went missing (Redis
restarted, or evicted the key) never makes an entry stored before that current again."""

from __future__ import annotations

from django.core.cache import cache

from portal import cache as versions


def test_a_lost_version_makes_the_entries_stored_under_it_stale():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert versions.versioned("t:entry", "t:version", compute, 60) == 1
    assert versions.versioned("t:entry", "t:version", compute, 60) == 1  # kept
    cache.delete("t:version")
    assert versions.versioned("t:entry", "t:version", compute, 60) == 2


def test_a_change_makes_the_entry_stale_and_versions_only_grow():
    versions.versioned("t:entry", "t:version", lambda: "old", 60)
    before = versions.current(["t:version"])[0]
    versions.bump("t:version")
    assert versions.current(["t:version"])[0] > before
    assert versions.versioned("t:entry", "t:version", lambda: "new", 60) == "new"
