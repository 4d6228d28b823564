"""Municipal administration in a real browser (issue 6), axe-core on every page.

- An administrator adds a verordening version with additional places and another ordering
  rule, previews the order, saves it, and the consultant's waiting list shows the new order.
- A quota CSV with errors is refused with row-level messages; a correct one is applied.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.choices import CaseState
from municipalities.models import QuotaChange, Verordening, YearlyQuota
from tests.e2e.accounts import sign_in, staff_user
from tests.factories import (
    CaseFactory,
    EmploymentFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
    VerordeningFactory,
    YearlyQuotaFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()


def waiting_references(page) -> list[str]:
    cells = page.locator("table tbody tr td:nth-child(2)").all_inner_texts()
    return [re.search(r"\((BW-[^)]+)\)", text).group(1) for text in cells]


def test_new_verordening_version_changes_the_consultants_waiting_list(page):
    today = timezone.localdate()
    admin = staff_user(municipal_admin=True)
    municipality = admin.municipality
    consultant = staff_user(consultant=True, municipality=municipality)
    VerordeningFactory(municipality=municipality, in_force_from=dt.date(2024, 1, 1))
    YearlyQuotaFactory(municipality=municipality, year=today.year, places=1)
    EmploymentFactory(
        case__person__municipality=municipality, start_on=today.replace(month=1, day=1)
    )  # the quota of one place is reached: the verordening decides who is next
    cases = []
    for i in range(3):
        case = CaseFactory(
            person=PersonFactory(municipality=municipality),
            state=CaseState.AWAITING_PLACEMENT,
            positive_decision_on=today - dt.timedelta(days=90 - 10 * i),
            lifecycle__actor=admin,
        )
        # The earliest advice applied last: the order by application date is the reverse.
        case.application.received_on = today - dt.timedelta(days=200 + 10 * i)
        case.application.save(update_fields=["received_on"])
        cases.append(case.reference)

    sign_in(page, admin)
    page.get_by_role("link", name="Gemeentelijk beheer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(municipality.name)
    page.get_by_role("link", name="Versies en geschiedenis").click()
    page.get_by_role("link", name="Nieuwe versie toevoegen").click()

    page.get_by_label("Geldig vanaf").fill(today.isoformat())
    page.get_by_label("Besproken met vertegenwoordigers van de doelgroep op").fill(
        (today - dt.timedelta(days=30)).isoformat()
    )
    page.get_by_label("Biedt extra plekken").check()
    page.get_by_label("Extra plekken per jaar").fill("1")
    page.get_by_label("Datum van de aanvraag").check()
    page.get_by_role("button", name="Volgorde tonen").click()

    preview = page.get_by_role("region", name="Volgorde voor de kandidaten van vandaag")
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview.locator("tbody tr").first).to_contain_text(cases[2])
    assert Verordening.objects.filter(municipality=municipality).count() == 1

    page.get_by_role("button", name="Versie opslaan").click()
    expect(page.get_by_text("De versie van de verordening is opgeslagen.")).to_be_visible()
    page.get_by_role("link", name="Terug naar de geschiedenis van versies").click()
    expect(page.get_by_role("row").filter(has_text="Vandaag geldig")).to_contain_text(
        "Datum van de aanvraag"
    )
    sign_out(page)

    sign_in(page, consultant)
    page.get_by_role("link", name="Wachtlijst").first.click()
    expect(page.locator("table tbody tr")).to_have_count(3)
    assert waiting_references(page) == list(reversed(cases))
    rows = page.locator("table tbody tr")
    expect(rows.nth(0)).to_contain_text("Extra plek")
    expect(rows.nth(1)).to_contain_text("Wachtlijst")
    expect(rows.nth(2)).to_contain_text("Wachtlijst")
    assert len(page.axe.pages_checked) >= 8


def test_quota_csv_with_errors_is_refused_and_a_correct_one_applied(page, tmp_path):
    operator = staff_user(operator=True)
    amsterdam = MunicipalityFactory(cbs_code="GM0363", name="Amsterdam")
    MunicipalityFactory(cbs_code="GM0599", name="Rotterdam")
    wrong = tmp_path / "fout.csv"
    wrong.write_text(
        "CBS-code;Gemeente;Aantal plekken\n"
        "GM0363;Amsterdam;twaalf\n"
        "GM0363;Amsterdam;12\n"
        "GM1234;Onbekend;3\n"
        "GM0599;Rotterdam;-4\n",
        encoding="utf-8",
    )
    right = tmp_path / "goed.csv"
    right.write_text(
        "CBS-code;Gemeente;Aantal plekken\nGM0363;Amsterdam;750\nGM0599;Rotterdam;640\n",
        encoding="utf-8",
    )

    sign_in(page, operator)
    page.get_by_role("link", name="Gemeentelijk beheer").click()
    page.get_by_role("link", name="Taakstelling importeren (CSV)").click()
    page.get_by_label("Jaar van de regeling").fill("2027")
    page.get_by_label("CSV-bestand").set_input_files(wrong)
    page.get_by_role("button", name="Bestand controleren").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Het bestand bevat fouten. Er is niets gewijzigd.")
    errors = page.get_by_role("region", name="Het bestand bevat fouten. Er is niets gewijzigd.")
    expect(errors.locator("tbody tr")).to_have_count(4)
    expect(errors).to_contain_text("“twaalf” is geen getal.")
    expect(errors).to_contain_text("Dubbele regel: GM0363 staat al op regel 2.")
    expect(errors).to_contain_text("Onbekende CBS-code “GM1234”.")
    expect(errors).to_contain_text("Het aantal plekken kan niet negatief zijn.")
    expect(page.get_by_role("button", name="Bevestigen en taakstelling opslaan")).to_have_count(0)
    assert not YearlyQuota.objects.exists()

    page.get_by_label("Jaar van de regeling").fill("2027")
    page.get_by_label("CSV-bestand").set_input_files(right)
    page.get_by_role("button", name="Bestand controleren").click()
    expect(page.get_by_role("region", name="Voorbeeld: taakstelling 2027")).to_contain_text("640")
    assert not YearlyQuota.objects.exists()
    page.get_by_role("button", name="Bevestigen en taakstelling opslaan").click()

    expect(page.get_by_role("status")).to_contain_text("2 van 2 regels gewijzigd")
    assert YearlyQuota.objects.get(municipality=amsterdam, year=2027).places == 750
    assert QuotaChange.objects.filter(year=2027).count() == 2


def test_administrator_manages_employers_staff_chain_and_letterhead(page, mailoutbox):
    admin = staff_user(municipal_admin=True)
    municipality = admin.municipality
    colleague = UserFactory(consultant=True, municipality=municipality, totp=False)

    sign_in(page, admin)
    page.get_by_role("link", name="Gemeentelijk beheer").click()
    nav = page.get_by_role("navigation", name="Gemeentelijk beheer")

    nav.get_by_role("link", name="Werkgevers").click()
    page.get_by_role("link", name="Werkgever toevoegen").click()
    page.get_by_label("Naam").fill("Werkbedrijf Oost")
    page.get_by_label("Sociaal ontwikkelbedrijf of SW-bedrijf").check()
    page.get_by_label("Contactpersoon").fill("J. Jansen")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("cell", name="Werkbedrijf Oost", exact=True)).to_be_visible()

    nav.get_by_role("link", name="Medewerkers").click()
    row = page.get_by_role("row").filter(has_text=colleague.email)
    expect(row).to_contain_text("Nog niet ingesteld")
    expect(page.get_by_role("row").filter(has_text=admin.email)).to_contain_text("Aan")
    page.get_by_role("link", name="Medewerker uitnodigen").click()
    page.get_by_label("E-mailadres").fill("nieuw.lid@example.nl")
    page.get_by_label("Voornaam").fill("Nieuw")
    page.get_by_label("Achternaam").fill("Lid")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_role("status")).to_contain_text("nieuw.lid@example.nl is uitgenodigd")
    assert any("nieuw.lid@example.nl" in m.to for m in mailoutbox)
    page.get_by_role("button", name=f"{colleague.email} uitzetten").click()
    expect(page.get_by_role("row").filter(has_text=colleague.email)).to_contain_text("Uitgezet")

    nav.get_by_role("link", name="Ketenafspraken").click()
    page.get_by_role("link", name="Ketenafspraak toevoegen").click()
    page.get_by_label("Titel").fill("Ketenafspraak beschut werk 2026")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_label("Naam").fill("VSO De Brug")
    page.get_by_label("Soort partner").select_option(label="Vso- of pro-school")
    page.get_by_label("Rol in de afspraak").fill("Meldt schoolverlaters aan.")
    page.get_by_role("button", name="Partner toevoegen").click()
    expect(page.get_by_role("cell", name="VSO De Brug", exact=True)).to_be_visible()
    page.get_by_label("Jaar").fill("2026")
    page.get_by_label("Doel: aantal plekken").fill("12")
    page.get_by_role("button", name="Doel opslaan").click()
    expect(page.get_by_role("region", name="Doel: plekken per jaar")).to_contain_text("12")

    nav.get_by_role("link", name="Briefhoofd en contact").click()
    page.get_by_label("Afzender").fill(f"Gemeente {municipality.name}")
    page.get_by_label("Postadres").fill("Postbus 1\n1000 AA Testdorp")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Het briefhoofd en de contactgegevens")

    nav.get_by_role("link", name="Taakstelling").click()
    page.get_by_label("Jaar").fill("2026")
    page.get_by_label("Aantal plekken").fill("25")
    page.get_by_role("button", name="Taakstelling opslaan").click()
    expect(page.get_by_role("region", name="Geschiedenis van wijzigingen")).to_contain_text(
        "Met de hand gewijzigd"
    )
