"""Professionals in Chromium (issue #5): the assessor records an advice; the consultant
decides, downloads the letter, places the person and ends the job. axe checks every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.choices import CaseState, TermKind
from cases.models import Advice, Case
from cases.placement.models import Employment
from cases.terms.models import Term
from tests.e2e.accounts import sign_in
from tests.factories import (
    CaseFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def submit(page, action: str) -> None:
    """Send the form of ``action``: the one whose fields carry its prefix."""
    page.locator(f'form:has([name^="{action}-"]) button[type="submit"]').click()


def test_assessor_records_an_advice(page):
    assessor = UserFactory(uwv_assessor=True)
    case = CaseFactory(state=CaseState.WITH_UWV, person=PersonFactory(last_name="Bakker"))
    VerordeningFactory(municipality=case.municipality, in_force_from=dt.date(2020, 1, 1))
    today = timezone.localdate()
    Term.objects.filter(case=case).update(starts_on=today, end_on=today + dt.timedelta(weeks=8))
    case.application.received_on = today
    case.application.save(update_fields=["received_on"])

    sign_in(page, assessor)
    page.get_by_role("link", name="Adviesaanvragen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adviesaanvragen")
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)

    page.locator('[name="advice-outcome"][value="positive"]').check()
    page.locator('[name="advice-needs_supervision"]').check()
    page.locator('[name="advice-can_perform_task"]').check()
    page.locator('[name="advice-basic_employee_skills"]').check()
    page.locator('[name="advice-hours_at_a_stretch"]').fill("2")
    page.locator('[name="advice-hours_per_day"]').fill("6")
    page.locator('[name="advice-reasons"]').fill("Heeft permanent toezicht nodig.")
    submit(page, "advice")

    expect(page.locator(".messages")).to_contain_text("advies is uitgebracht")
    advice = Advice.objects.get(case=case)
    assert advice.outcome == "positive"
    assert Case.objects.get(pk=case.pk).state == CaseState.ADVICE_ISSUED
    assert page.axe.pages_checked


def test_consultant_decides_downloads_the_letter_places_and_ends_the_job(page):
    consultant = UserFactory(consultant=True)
    municipality = consultant.municipality
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    YearlyQuotaFactory(municipality=municipality, year=timezone.localdate().year, places=5)
    case = CaseFactory(
        state=CaseState.ADVICE_ISSUED, person=PersonFactory(municipality=municipality)
    )
    Advice.objects.filter(case=case).update(outcome="positive", needs_supervision=True)

    sign_in(page, consultant)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    page.get_by_role("link", name=re.compile("besluiten te nemen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Werklijst")
    page.get_by_role("link", name=case.reference).click()

    page.get_by_role("link", name="Besluit vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Besluit vastleggen")
    page.locator('[name="decide-positive"][value="yes"]').check()
    submit(page, "decide")
    expect(page.locator(".messages")).to_contain_text("besluit is vastgelegd")
    assert Case.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("besluitbrief")).click()
    download = download_info.value
    assert download.suggested_filename == f"besluit-{case.reference}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    page.get_by_role("link", name="Persoon plaatsen").click()
    page.locator('[name="place-employer_name"]').fill("SOB De Werkplaats")
    page.locator('[name="place-workplace_kind"]').select_option("social_enterprise")
    page.locator('[name="place-hours_per_week"]').fill("61")
    page.locator('[name="place-contract_kind"]').select_option("indefinite")
    page.locator('[name="place-agreed_wage"]').fill("2000,00")
    page.locator('[name="place-wage_value_pct"]').fill("40")
    submit(page, "place")
    expect(page.locator(".error-summary")).to_contain_text("hoogstens 60 uur")
    assert not Employment.objects.filter(case=case).exists()

    page.locator('[name="place-hours_per_week"]').fill("25")
    submit(page, "place")
    expect(page.locator(".messages")).to_contain_text("geplaatst")
    job = Employment.objects.get(case=case)
    assert job.hours_per_week == 25

    page.get_by_role("link", name="Baan beëindigen").click()
    page.locator('[name="end_employment-reason"]').fill("Contract afgelopen")
    submit(page, "end_employment")
    expect(page.locator(".messages")).to_contain_text("baan is beëindigd")
    job.refresh_from_db()
    assert job.end_on is not None
    assert Case.objects.get(pk=case.pk).state == CaseState.AWAITING_PLACEMENT
    assert Term.objects.filter(case=case, kind=TermKind.PLACEMENT, met_on__isnull=True).exists()

    page.get_by_role("link", name="Verhuizing naar een andere gemeente vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Verhuizing naar een andere gemeente vastleggen"
    )

    page.get_by_role("link", name="Wachtlijst").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtlijst")
    expect(page.get_by_role("link", name=re.compile(case.person.last_name))).to_be_visible()
    assert len(page.axe.pages_checked) >= 9


def test_the_work_list_uses_the_screen_and_shows_the_municipalitys_next_term(page):
    """Realistic cases made by the services (history with sub-second times): a refusal and a
    person waiting for a place whose objection terms ran out. The list shows the placement
    signal, no lapsed objection term as overdue, on the full width of the screen; the case
    page's history is valid HTML (the page fixture checks every page)."""
    consultant = UserFactory(consultant=True)
    municipality = consultant.municipality
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2020, 1, 1))
    YearlyQuotaFactory(municipality=municipality, year=timezone.localdate().year, places=5)
    refused, waiting = (
        CaseFactory(state=CaseState.ADVICE_ISSUED, person=PersonFactory(municipality=municipality))
        for _ in range(2)
    )
    # advised two weeks ago: the placement signal (three months after the advice) is not due
    Advice.objects.filter(case=waiting).update(
        outcome="positive",
        needs_supervision=True,
        issued_on=timezone.localdate() - dt.timedelta(days=14),
    )
    Advice.objects.filter(case=refused).update(outcome="negative")
    services.record_decision(case_id=refused.pk, positive=False, actor=consultant)
    services.record_decision(case_id=waiting.pk, positive=True, actor=consultant)
    lapsed = timezone.localdate() - dt.timedelta(days=2)
    Term.objects.filter(kind=TermKind.OBJECTION).update(starts_on=lapsed, end_on=lapsed)

    sign_in(page, consultant)
    page.get_by_role("link", name="Werklijst").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Werklijst")
    table = page.locator("table.utrecht-table")
    expect(table).not_to_contain_text("verlopen")
    expect(table.locator("tr", has_text=waiting.reference)).to_contain_text("Signaal plaatsing")

    assert page.locator("main").bounding_box()["width"] > 1200  # not a 60rem column
    for reference in (refused.reference, waiting.reference):
        link = page.get_by_role("link", name=reference)
        assert link.evaluate("a => a.getClientRects().length") == 1, f"{reference} wraps"
    search = page.locator(".search-form button").bounding_box()
    filters = page.locator(".filter-form").bounding_box()
    assert filters["y"] - (search["y"] + search["height"]) >= 16, (search, filters)

    page.get_by_role("link", name=waiting.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(waiting.reference)
    expect(page.locator("main")).to_contain_text("Bezwaartermijn")
    assert page.locator("time").count() >= 1  # the decision, at its sub-second moment
