"""Fixtures of the browser tests."""

import pytest

from cases import rules
from cases.models import AowAge


@pytest.fixture
def aow_ages():
    """transaction=True flushes the database: restore the AOW ages the age check reads."""
    for row in rules.AOW_AGES:
        AowAge.objects.get_or_create(
            year=row.year, defaults={"years": row.years, "months": row.months}
        )
