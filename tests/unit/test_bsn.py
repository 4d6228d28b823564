"""DOMAIN glossary (person): a BSN has nine digits and passes the 11-proef."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cases.models import validate_bsn

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def elf_proef(number: str) -> bool:
    """The 11-proef written out independently of python-stdnum."""
    return (
        len(number) == 9
        and number.isdigit()
        and number != "000000000"
        and sum(int(d) * w for d, w in zip(number, WEIGHTS, strict=True)) % 11 == 0
    )


def is_accepted(number: str) -> bool:
    try:
        validate_bsn(number)
    except ValidationError:
        return False
    return True


@given(st.integers(min_value=0, max_value=999_999_999))
def test_bsn_accepted_exactly_when_the_11_proef_holds(n):
    number = f"{n:09d}"
    assert is_accepted(number) == elf_proef(number)


@given(
    st.integers(min_value=10_000_000, max_value=999_999_999), st.integers(0, 8), st.integers(1, 9)
)
def test_bsn_any_single_digit_error_is_caught(n, position, delta):
    number = f"{n:09d}"
    if not elf_proef(number):
        return
    digits = list(number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    assert not is_accepted("".join(digits))


@pytest.mark.parametrize("value", ["12345678", "1234567890", "12345678a", ""])
def test_bsn_wrong_shape_is_refused_with_a_dutch_message(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_bsn(value)
    assert excinfo.value.code == "invalid_bsn"
