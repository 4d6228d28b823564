"""The citizen's whole journey in Chromium, with axe-core on every page: from the start page to
a submitted application, then the advice, the decision letter and an online objection."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases import rules, services
from cases.choices import AdviceOutcome
from cases.models import Case, Objection
from tests.documents import pdf_bytes
from tests.e2e.accounts import sign_in
from tests.factories import (
    MunicipalityFactory,
    UserFactory,
    VerordeningFactory,
    valid_bsn,
)

pytestmark = pytest.mark.django_db(transaction=True)


PDF = pdf_bytes()


def heading(page, text) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def fill_application(page, *, bsn: str, municipality: str, after_each=None, document=None) -> None:
    """From "Mijn aanvragen" to the receipt, with mouse and typing (Playwright's fill/click)."""
    check = after_each or (lambda: None)
    page.get_by_role("link", name="Mijn aanvragen").first.click()
    heading(page, "Mijn aanvragen")
    check()
    page.get_by_role("link", name="Advies beschut werk aanvragen").click()
    heading(page, "Advies beschut werk aanvragen")
    check()
    page.get_by_role("button", name="Aanvraag starten").click()

    heading(page, "Wie vraagt aan")
    expect(page.get_by_text("Stap 1 van 7")).to_be_visible()
    check()
    page.get_by_label("Voor mijzelf").check()
    page.get_by_role("button", name="Opslaan en verder").click()

    heading(page, "Persoonsgegevens")
    check()
    expect(page.get_by_label("Voornaam")).to_have_value("Sam")  # prefilled from the account
    page.get_by_label("Burgerservicenummer (BSN)").fill(bsn)
    page.get_by_label("Geboortedatum").fill("15-03-2000")
    page.get_by_label("Gemeente waar de persoon woont").select_option(label=municipality)
    page.get_by_role("button", name="Opslaan en verder").click()

    heading(page, "Uw situatie nu")
    check()
    page.get_by_label("Ik ga naar school").check()
    page.get_by_label("Geen uitkering").check()
    page.get_by_role("button", name="Opslaan en verder").click()

    heading(page, "Wsw-indicatie")
    check()
    page.get_by_role("group", name=re.compile("^Hebt u een Wsw-indicatie")).get_by_label(
        "Nee"
    ).check()
    page.get_by_role("button", name="Opslaan en verder").click()

    heading(page, "Hulp die u nodig hebt")
    check()
    page.get_by_label("Welke hulp hebt u nodig om te kunnen werken?").fill(
        "Iemand die altijd in de buurt is en mij helpt."
    )
    page.get_by_label("Ik heb altijd iemand in de buurt nodig, of heel vaak hulp").check()
    page.get_by_role("button", name="Opslaan en verder").click()

    heading(page, "Documenten")
    check()
    if document is not None:
        page.get_by_label("Kies een bestand").set_input_files(document)
        page.get_by_role("button", name="Dit document toevoegen").click()
        expect(page.get_by_text("Het document is toegevoegd.")).to_be_visible()
    page.get_by_role("button", name="Verder").click()

    heading(page, "Controleren en versturen")
    check()
    expect(page.get_by_text("UWV mag gegevens over wat u kunt")).to_be_visible()
    page.get_by_role("button", name="Aanvraag versturen").click()

    heading(page, "Aanvraag ontvangen")
    check()


def test_start_page_to_submitted_application_then_advice_decision_and_objection(page, tmp_path):
    municipality = MunicipalityFactory(
        name="Amsterdam", cbs_code="GM0363", letterhead="Gemeente Amsterdam"
    )
    VerordeningFactory(municipality=municipality)
    citizen = UserFactory(first_name="Sam", last_name="de Vries")
    document = tmp_path / "brief-huisarts.pdf"
    document.write_bytes(PDF)

    page.goto("/")
    expect(page.get_by_text("Aanvragen is gratis.")).to_be_visible()
    sign_in(page, citizen)
    fill_application(page, bsn=valid_bsn(77), municipality="Amsterdam", document=document)

    case = Case.objects.get()
    expect(page.get_by_text(case.reference)).to_be_visible()
    term_end = case.terms.get().end_on
    expect(page.locator("main")).to_contain_text(str(term_end.year))
    page.get_by_role("link", name="Uw aanvraag bekijken").click()
    expect(page.get_by_role("heading", name="Hoe staat het met uw aanvraag?")).to_be_visible()
    expect(page.get_by_role("link", name="brief-huisarts.pdf")).to_be_visible()

    # UWV advises and the college decides (other people's work, through the services).
    assessor = UserFactory(uwv_assessor=True)
    consultant = UserFactory(consultant=True, municipality=municipality)
    services.record_advice(
        case_id=case.pk,
        outcome=AdviceOutcome.NEGATIVE,
        reasons="Geen begeleiding nodig.",
        actor=assessor,
        work_capacity=rules.WorkCapacity(True, True, Decimal(2), Decimal(6)),
    )
    services.record_decision(case_id=case.pk, positive=False, actor=consultant)

    page.reload()
    expect(page.get_by_text("Geen begeleiding nodig.")).to_be_visible()
    expect(page.get_by_text("U komt niet in aanmerking voor beschut werk.").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download de besluitbrief (pdf)").click()
    assert download.value.suggested_filename == f"besluit-{case.reference}.pdf"

    page.get_by_role("link", name="Bezwaar maken tegen het besluit").click()
    heading(page, "Bezwaar maken tegen het besluit")
    page.get_by_role("button", name="Bezwaar versturen").click()
    expect(page.get_by_role("alert")).to_contain_text("Schrijf op waarom")
    page.get_by_label("Waarom bent u het niet eens met het besluit?").fill(
        "Ik heb wel begeleiding nodig."
    )
    page.get_by_role("button", name="Bezwaar versturen").click()

    expect(page.get_by_text("Wij hebben uw bezwaar ontvangen.")).to_be_visible()
    assert Objection.objects.get(case=case).in_time
    # Filed: no second form to fill in for nothing, not even at its address.
    expect(page.get_by_role("link", name="Bezwaar maken tegen het besluit")).to_have_count(0)
    page.goto(reverse("citizen:objection_create", args=[case.pk]))
    expect(page.get_by_text("U hebt al bezwaar gemaakt tegen dit besluit")).to_be_visible()
    expect(page.get_by_role("button", name="Bezwaar versturen")).to_have_count(0)
    assert len(page.axe.pages_checked) >= 12


def test_a_parent_applies_for_a_16_year_old_and_every_page_speaks_about_the_child(page):
    """A representative's application (issue #21): every step and the review name the child,
    the review's values stand in one line, and each page is valid HTML (the page fixture)."""
    municipality = MunicipalityFactory(name="Utrecht", cbs_code="GM0344")
    VerordeningFactory(municipality=municipality)
    parent = UserFactory(first_name="Sam", last_name="de Vries")
    today = timezone.localdate()
    born = today.replace(year=today.year - 16) - dt.timedelta(days=30)

    sign_in(page, parent)
    page.get_by_role("link", name="Mijn aanvragen").first.click()
    page.get_by_role("link", name="Advies beschut werk aanvragen").click()
    page.get_by_role("button", name="Aanvraag starten").click()

    heading(page, "Wie vraagt aan")
    page.get_by_label("Voor iemand anders").check()
    page.get_by_label("Uw eigen naam").fill("Sam de Vries")
    page.get_by_label("Ouder", exact=True).check()
    page.get_by_role("button", name="Opslaan en verder").click()

    heading(page, "Persoonsgegevens")
    page.get_by_label("Burgerservicenummer (BSN) van de persoon").fill(valid_bsn(78))
    page.get_by_label("Voornaam van de persoon").fill("Noor")
    page.get_by_label("Achternaam van de persoon").fill("de Vries")
    page.get_by_label("Geboortedatum van de persoon").fill(born.strftime("%d-%m-%Y"))
    page.get_by_label("Gemeente waar de persoon woont").select_option(label="Utrecht")
    page.get_by_role("button", name="Opslaan en verder").click()

    heading(page, "De situatie van Noor nu")
    expect(page.get_by_text("De persoon is 16 of 17 jaar.")).to_be_visible()
    page.get_by_role("group", name="Wat doet Noor nu?").get_by_label(
        "Noor gaat naar school"
    ).check()
    page.get_by_role("group", name="Welke uitkering krijgt Noor?").get_by_label(
        "Geen uitkering"
    ).check()
    page.get_by_role("button", name="Opslaan en verder").click()

    heading(page, "Wsw-indicatie")
    page.get_by_role("group", name=re.compile("^Heeft Noor een Wsw-indicatie")).get_by_label(
        "Nee"
    ).check()
    page.get_by_role("button", name="Opslaan en verder").click()

    heading(page, "Hulp die Noor nodig heeft")
    page.get_by_label("Welke hulp heeft Noor nodig om te kunnen werken?").fill(
        "Iemand die altijd in de buurt is."
    )
    page.get_by_label("Noor heeft altijd iemand in de buurt nodig, of heel vaak hulp").check()
    page.get_by_role("button", name="Opslaan en verder").click()

    heading(page, "Documenten")
    expect(page.locator("main")).to_contain_text("welke hulp Noor nodig heeft")
    page.get_by_role("button", name="Verder").click()

    heading(page, "Controleren en versturen")
    main = page.locator("main")
    expect(main).to_contain_text("Wat Noor nu doet")
    expect(main).not_to_contain_text("Wat u nu doet")
    # Each value starts where the others start, whether its row has a "Wijzigen" link or not.
    lefts = page.locator(".answer-list__row > dd:not(.answer-list__action)").evaluate_all(
        "cells => cells.map(cell => Math.round(cell.getBoundingClientRect().left))"
    )
    assert len(lefts) > 10 and len(set(lefts)) == 1, lefts
    page.get_by_role("button", name="Aanvraag versturen").click()

    heading(page, "Aanvraag ontvangen")
    case = Case.objects.get()
    assert case.application.applicant_kind == "representative"
    assert case.person.first_name == "Noor"
