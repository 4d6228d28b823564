"""The public figures of a municipality (issue #23) in a browser: axe-clean, valid HTML (both
checked by the ``page`` fixture), charts with a title and description, no count under 5."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from cases.reports import build
from cases.reports.models import LabourForce
from tests.factories import CaseFactory, MunicipalityFactory, YearlyQuotaFactory

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = dt.date.today().year  # noqa: DTZ011


@pytest.fixture
def figures():
    town = MunicipalityFactory(cbs_code="GM0100", name="Kleindorp", labour_market_region="Regio A")
    big = MunicipalityFactory(cbs_code="GM0200", name="Grootstad", labour_market_region="Regio A")
    for municipality, working in ((town, 2), (big, 9)):
        YearlyQuotaFactory(municipality=municipality, year=YEAR, places=6)
        LabourForce.objects.create(municipality=municipality, year=YEAR, persons=30_000)
        for _ in range(working):
            CaseFactory(municipality=municipality, person__municipality=municipality, employed=True)
    build.rebuild([YEAR])
    return town


def test_a_public_municipality_page(page, figures):
    page.goto("/")
    page.get_by_role("link", name="Bekijk de cijfers per gemeente").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beschut werk in cijfers")
    page.get_by_role("link", name="Kleindorp").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Beschut werk in Kleindorp")
    chart = page.get_by_role(
        "img", name="Taakstelling en gerealiseerde plekken van Kleindorp per jaar"
    )
    expect(chart).to_be_visible()
    assert page.locator("#chart-years-desc").text_content().startswith("Staafdiagram")
    summary = page.locator("#summary-caption").locator("xpath=..")
    expect(
        summary.get_by_role("row", name="Personen aan het werk", exact=False).first
    ).to_contain_text("minder dan 5")
    expect(page.get_by_role("heading", name="Wat de cijfers betekenen")).to_be_visible()
