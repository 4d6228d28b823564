"""The AVG's rules the portal applies, as pure functions: the term for answering a data
subject's request (AVG art. 12(3)), when a record's retention period has passed (AVG art.
5(1)(e) with the periods in ``settings.RETENTION_MONTHS``), and the number an anonymised
person keeps in place of a BSN.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cases.rules import add_months, extend_to_working_day

#: AVG art. 12(3): a request of the data subject (art. 15 to 22) is answered without undue
#: delay and at the latest within one month of receipt.
REQUEST_TERM_MONTHS = 1


def request_due_on(received_on: date, extra_days: Iterable[date] = ()) -> date:
    """AVG art. 12(3): the last day to answer a request received on ``received_on``.

    A term in months ends on the same date in the next month, or on that month's last day if
    it has no such date; a last day on a Saturday, Sunday or general holiday moves to the
    next working day (Regulation (EEC, Euratom) No 1182/71, art. 3(2)(c) and 3(4)).
    Received 31 January 2026: due Monday 2 March 2026 (28 February is a Saturday).
    """
    return extend_to_working_day(add_months(received_on, REQUEST_TERM_MONTHS), extra_days)


def retention_cutoff(today: date, months: int) -> date:
    """A record whose period started before this day has been kept ``months`` months:
    its retention period has passed. Kept exactly ``months`` months today: not yet."""
    if months < 0:
        raise ValueError("a retention period is not negative")
    return add_months(today, -months)


def retention_expired(started_on: date, months: int, today: date) -> bool:
    """Whether a record whose retention period started on ``started_on`` (the day the case
    ended, the draft was last saved, ...) may be anonymised or deleted on ``today``: the
    whole period has passed, so not on its last day."""
    return started_on < retention_cutoff(today, months)


def _check_digit_sum(digits: str) -> int:
    """The 11-proef's weighted sum of a nine-digit number (the last digit counts -1)."""
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True))


def anonymous_bsn(person_id: int) -> str:
    """Nine digits that stand in for the BSN of an anonymised person: unique per person and
    never a real BSN, because they fail the 11-proef every BSN passes (only one last digit
    of the ten can pass it)."""
    if not 0 < person_id < 10**8:
        raise ValueError("person id out of range for an anonymous number")
    prefix = f"{person_id:08d}"
    for last in "0123456789":
        if _check_digit_sum(prefix + last) % 11 != 0:
            return prefix + last
    raise AssertionError("unreachable: at most one digit passes the 11-proef")
