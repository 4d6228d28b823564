"""Which counts the public may not see (issue #23, decision in docs/decisions.md).

*Primary* suppression hides every count from 1 to 4 (0 is shown: there is nobody to protect).
*Secondary* suppression hides more counts, so that no published sum lets a reader work out a
hidden count: wherever a total and its parts are published (a row of the advice table, a
region and its municipalities, the country and its regions), the hidden cells must leave each
primary cell more than one possible value.

The check is interval propagation, the way an attacker would reason: a visible cell is its
value; a primary hidden cell lies in 1..4 (the page says "fewer than 5"); a secondary hidden
cell is at least 5 (only cells of 5 or more are hidden for the sake of others). Every
``total = sum(parts)`` narrows the intervals of its hidden members, again and again until
nothing changes. A primary cell whose interval has shrunk to one value is exposed; for each
exposed cell the smallest visible part of 5 or more in one of its sums is hidden too (a part
rather than a total), and the check runs again.

Pure functions over plain values; ``build`` applies them to a year's rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable

INF = float("inf")
#: Counts from 1 up to this one are hidden.
THRESHOLD = 4

Cell = Hashable
Constraint = tuple[Cell, list[Cell]]


def is_small(value: int | None) -> bool:
    """A count the public never sees: 1 to 4."""
    return value is not None and 1 <= value <= THRESHOLD


def _bounds(
    values: dict[Cell, int], hidden: set[Cell], primary: set[Cell], constraints: list[Constraint]
) -> dict[Cell, list[float]]:
    """The interval a reader can narrow each hidden cell to."""
    bounds: dict[Cell, list[float]] = {
        cell: [1, THRESHOLD] if cell in primary else [THRESHOLD + 1, INF] for cell in hidden
    }

    def lo(cell):
        return bounds[cell][0] if cell in bounds else values[cell]

    def hi(cell):
        return bounds[cell][1] if cell in bounds else values[cell]

    by_cell: dict[Cell, list[int]] = defaultdict(list)
    for index, (total, parts) in enumerate(constraints):
        for cell in (total, *parts):
            if cell in bounds:
                by_cell[cell].append(index)
    queue = [
        i
        for i, (total, parts) in enumerate(constraints)
        if any(c in bounds for c in (total, *parts))
    ]
    queued = set(queue)
    guard = 0
    while queue and guard < 1_000_000:
        guard += 1
        index = queue.pop()
        queued.discard(index)
        total, parts = constraints[index]
        changed: list[Cell] = []
        if total in bounds:
            new_lo, new_hi = sum(lo(p) for p in parts), sum(hi(p) for p in parts)
            if _narrow(bounds[total], new_lo, new_hi):
                changed.append(total)
        for part in parts:
            if part not in bounds:
                continue
            others_lo = sum(lo(p) for p in parts if p != part) if len(parts) > 1 else 0
            others_hi = sum(hi(p) for p in parts if p != part) if len(parts) > 1 else 0
            if _narrow(bounds[part], lo(total) - others_hi, hi(total) - others_lo):
                changed.append(part)
        for cell in changed:
            for other in by_cell[cell]:
                if other not in queued:
                    queued.add(other)
                    queue.append(other)
    return bounds


def _narrow(interval: list[float], lo: float, hi: float) -> bool:
    new = [max(interval[0], lo), min(interval[1], hi)]
    if new != interval:
        interval[:] = new
        return True
    return False


def suppress(values: dict[Cell, int], constraints: Iterable[Constraint]) -> set[Cell]:
    """The cells to hide from the public: every count from 1 to 4, and enough others that no
    sum in ``constraints`` (each ``(total, parts)``, all of whose cells are in ``values``)
    gives one of them away."""
    constraints = [
        (total, list(parts))
        for total, parts in constraints
        if total in values and all(p in values for p in parts)
    ]
    primary = {cell for cell, value in values.items() if is_small(value)}
    hidden = set(primary)
    containing: dict[Cell, list[int]] = defaultdict(list)
    for index, (total, parts) in enumerate(constraints):
        for cell in (total, *parts):
            containing[cell].append(index)
    for _round in range(10_000):
        bounds = _bounds(values, hidden, primary, constraints)
        exposed = sorted((cell for cell in primary if bounds[cell][0] == bounds[cell][1]), key=repr)
        if not exposed:
            return hidden
        progressed = False
        for cell in exposed:
            choice = _secondary(cell, values, hidden, constraints, containing)
            if choice:
                hidden.update(choice)
                progressed = True
        if not progressed:  # pragma: no cover - every sum has a cell left to hide
            break
    return hidden


def _secondary(cell, values, hidden, constraints, containing) -> list[Cell]:
    """A visible cell of 5 or more in one of ``cell``'s sums: the smallest part, else the
    smallest total. With none left (every other cell 0 or hidden), every member of its sums."""
    candidates = []
    for index in containing[cell]:
        total, parts = constraints[index]
        for member in (total, *parts):
            if member not in hidden and values[member] > THRESHOLD:
                candidates.append((member == total, values[member], repr(member), member))
    if candidates:
        return [min(candidates)[3]]
    found = []
    for index in containing[cell]:
        total, parts = constraints[index]
        found.extend(m for m in (total, *parts) if m not in hidden and values[m] > 0)
    return found
