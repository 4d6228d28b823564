"""Numbered valid BSNs for demo data, benchmarks and tests: one series, checked with
python-stdnum (``stdnum.nl.bsn``). A real person's BSN is validated by ``models.validate_bsn``."""

from __future__ import annotations

from stdnum.nl import bsn as stdnum_bsn


def valid_bsn(n: int, *, base: int = 1_000_000) -> str:
    """The n-th valid BSN (11-proef) of the series from ``base``: unique per ``n`` and the same
    every time. ``base + n`` gives the first seven digits and the last two are the first that
    pass (every run of 100 holds one), so different ``n`` never share a prefix."""
    prefix = base + n
    if not 0 <= prefix < 10_000_000:
        raise ValueError(f"no nine-digit BSN for n={n} from base {base}")
    for suffix in range(100):
        candidate = f"{prefix * 100 + suffix:09d}"
        if stdnum_bsn.is_valid(candidate):
            return candidate
    raise AssertionError(f"no valid BSN with prefix {prefix}")  # pragma: no cover
