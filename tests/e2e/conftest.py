"""Fixtures of the browser tests."""

import pytest

from cases import rules
from cases.models import AowAge


@pytest.fixture(autouse=True)
def aow_ages(transactional_db):
    """Browser tests flush the database (transaction=True): restore the AOW ages the data
    migration loads, which the age check reads."""
    for row in rules.AOW_AGES:
        AowAge.objects.get_or_create(
            year=row.year, defaults={"years": row.years, "months": row.months}
        )
