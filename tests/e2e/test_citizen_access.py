"""The application works at 320 px wide, with the keyboard only, and with JavaScript off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.choices import CaseState
from cases.models import Case
from tests.e2e.accounts import sign_in
from tests.e2e.test_citizen_journey import fill_application, heading
from tests.factories import MunicipalityFactory, UserFactory, valid_bsn

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def citizen():
    MunicipalityFactory(name="Utrecht", cbs_code="GM0344")
    return UserFactory(first_name="Sam", last_name="de Vries")


class TestAt320Pixels:
    @pytest.fixture
    def browser_context_options(self):
        return {"locale": "nl-NL", "viewport": {"width": 320, "height": 640}}

    def test_every_step_fits_without_horizontal_scrolling(self, page, citizen):
        widths: dict[str, int] = {}

        def check():
            widths[page.url] = page.evaluate("document.documentElement.scrollWidth")
            if widths[page.url] > 320:
                wide = page.evaluate(
                    "[...document.querySelectorAll('main *')].filter(e => "
                    "e.getBoundingClientRect().right > 320).map(e => e.tagName + '.' + "
                    "e.className + ':' + (e.textContent || '').slice(0, 40))"
                )
                widths[page.url + " wide"] = wide

        sign_in(page, citizen)
        fill_application(page, bsn=valid_bsn(320), municipality="Utrecht", after_each=check)
        page.get_by_role("link", name="Uw aanvraag bekijken").click()
        check()

        assert len(widths) >= 10, widths
        too_wide = {
            url: w[:4] if isinstance(w, list) else w
            for url, w in widths.items()
            if isinstance(w, list) or w > 320
        }
        assert not too_wide, too_wide


class TestWithoutJavaScript:
    @pytest.fixture
    def browser_context_options(self):
        return {"locale": "nl-NL", "java_script_enabled": False}

    def test_the_whole_application_works_without_javascript(self, page, citizen):
        sign_in(page, citizen)
        fill_application(page, bsn=valid_bsn(321), municipality="Utrecht")

        assert Case.objects.get().state == CaseState.SUBMITTED

    def test_an_error_is_shown_next_to_the_field_and_in_the_summary(self, page, citizen):
        sign_in(page, citizen)
        page.goto("/mijn/aanvraag/")
        page.get_by_role("button", name="Aanvraag starten").click()
        page.get_by_role("button", name="Opslaan en verder").click()

        summary = page.get_by_role("alert")
        expect(summary).to_contain_text("Voor wie is deze aanvraag?: Vul dit veld in.")
        expect(page.locator("#div_id_applicant_kind")).to_contain_text("Vul dit veld in.")


def tab_to(page, locator, limit: int = 80) -> None:
    """Press Tab until ``locator`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {locator} with the Tab key")


def press_button(page, name: str) -> None:
    tab_to(page, page.get_by_role("button", name=name))
    page.keyboard.press("Enter")


def type_into(page, label: str, text: str) -> None:
    tab_to(page, page.get_by_label(label, exact=True))
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_the_application_can_be_done_with_the_keyboard_only(page, citizen):
    sign_in(page, citizen)
    page.goto("/mijn/aanvraag/")
    press_button(page, "Aanvraag starten")

    heading(page, "Wie vraagt aan")
    tab_to(page, page.get_by_label("Voor mijzelf"))
    page.keyboard.press("Space")
    press_button(page, "Opslaan en verder")

    heading(page, "Persoonsgegevens")
    type_into(page, "Burgerservicenummer (BSN)", valid_bsn(322))
    type_into(page, "Geboortedatum", "15-03-2000")
    tab_to(page, page.get_by_label("Gemeente waar de persoon woont"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Gemeente waar de persoon woont")).not_to_have_value("")
    press_button(page, "Opslaan en verder")

    heading(page, "Uw situatie nu")
    tab_to(page, page.get_by_label("Ik ga naar school"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Bijstand (Participatiewet)"))
    page.keyboard.press("Space")
    press_button(page, "Opslaan en verder")

    heading(page, "Wsw-indicatie")
    group = page.locator("#div_id_has_wsw")
    tab_to(page, group.get_by_label("Ja"))
    page.keyboard.press("ArrowDown")  # moves to and selects "Nee"
    expect(group.get_by_label("Nee")).to_be_checked()
    press_button(page, "Opslaan en verder")

    heading(page, "Hulp die u nodig hebt")
    type_into(page, "Welke hulp hebt u nodig om te kunnen werken?", "Een rustige werkplek.")
    tab_to(page, page.get_by_label("Mijn werkplek of mijn werk moet worden aangepast"))
    page.keyboard.press("Space")
    press_button(page, "Opslaan en verder")

    heading(page, "Documenten")
    press_button(page, "Verder")
    heading(page, "Controleren en versturen")
    press_button(page, "Aanvraag versturen")

    heading(page, "Aanvraag ontvangen")
    case = Case.objects.get()
    assert case.application.needs_adaptations
    assert case.person.benefit_kind == "participatiewet"
