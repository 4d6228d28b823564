"""The AVG's rules as pure functions: the month to answer a request (AVG art. 12(3)), when a
retention period has passed, and the number standing in for an anonymised person's BSN."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.nl import bsn

from cases.privacy.rules import anonymous_bsn, request_due_on, retention_cutoff, retention_expired


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 3, 10), dt.date(2026, 4, 10)),  # a Friday
        (dt.date(2026, 1, 31), dt.date(2026, 3, 2)),  # 28 February is a Saturday
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),  # April has no 31st
        (dt.date(2026, 11, 25), dt.date(2026, 12, 28)),  # 25 December: Christmas, then Sunday
        (dt.date(2026, 3, 27), dt.date(2026, 4, 28)),  # 27 April: King's Day
    ],
)
def test_a_request_is_answered_within_one_month_to_the_next_working_day(received, due):
    assert request_due_on(received) == due


def test_a_decree_day_moves_the_last_day_too():
    assert request_due_on(dt.date(2026, 4, 9), [dt.date(2026, 5, 11)]) == dt.date(2026, 5, 12)


def test_a_record_is_kept_its_whole_period_and_may_go_the_day_after():
    ended = dt.date(2016, 3, 15)
    assert not retention_expired(ended, 120, dt.date(2026, 3, 15))
    assert retention_expired(ended, 120, dt.date(2026, 3, 16))
    # Ended on 29 February: ten years later is 28 February (no 29th).
    assert retention_cutoff(dt.date(2034, 2, 28), 120) == dt.date(2024, 2, 28)
    assert retention_expired(dt.date(2024, 2, 28), 120, dt.date(2034, 3, 1))
    with pytest.raises(ValueError):
        retention_cutoff(dt.date(2026, 1, 1), -1)


@pytest.mark.parametrize("person_id", [1, 7, 10, 123_456, 99_999_999])
def test_the_stand_in_number_is_nine_digits_unique_and_never_a_real_bsn(person_id):
    number = anonymous_bsn(person_id)
    assert len(number) == 9 and number.isdigit()
    assert number[:8] == f"{person_id:08d}"
    assert not bsn.is_valid(number)


def test_no_two_persons_share_a_stand_in_number():
    numbers = {anonymous_bsn(person_id) for person_id in range(1, 5000)}
    assert len(numbers) == 4999
    with pytest.raises(ValueError):
        anonymous_bsn(10**8)
