"""A municipality's theme in a real browser: its administrator sets it (a colour pair with too
little contrast refused first), and its citizens' case pages wear it, while another
municipality's citizen sees the neutral theme. axe-core checks every page (colour contrast
included) and the Nu Html Checker their HTML."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from cases.choices import CaseState
from tests.e2e.accounts import sign_in, staff_user
from tests.factories import CaseFactory, MunicipalityFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

GREEN = "rgb(0, 129, 31)"  # #00811f
NEUTRAL_HEADER = "rgb(21, 66, 115)"  # #154273


def header_background(page) -> str:
    """The header's colour once the page has loaded: its stylesheets, the theme's among them,
    may still be on their way when its text is already there."""
    page.wait_for_load_state("load")
    return page.locator(".page-header").evaluate("e => getComputedStyle(e).backgroundColor")


def test_an_administrator_sets_the_theme_and_the_citizens_pages_wear_it(page, tmp_path):
    rotterdam = MunicipalityFactory(name="Rotterdam", cbs_code="GM0599")
    delft = MunicipalityFactory(name="Delft", cbs_code="GM0503")
    admin = staff_user(municipal_admin=True, municipality=rotterdam)
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), "#ffffff").save(logo, "PNG")

    sign_in(page, admin)
    page.get_by_role("link", name="Gemeentelijk beheer").first.click()
    page.get_by_role("link", name="Kleuren, lettertypes en logo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Huisstijl")
    page.get_by_label("Hoofdkleur", exact=True).fill("#00811f")
    page.get_by_label("Tekstkleur op de hoofdkleur").fill("#33cc33")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("te moeilijk te lezen")
    assert header_background(page) == NEUTRAL_HEADER  # nothing saved

    page.get_by_label("Tekstkleur op de hoofdkleur").fill("#ffffff")
    page.get_by_label("Kleur van de bovenbalk", exact=True).fill("#00811f")
    page.get_by_label("Kleur van links", exact=True).fill("#004699")
    page.get_by_label("Lettertype", exact=True).select_option("verdana")
    page.get_by_label("Logo", exact=False).first.set_input_files(logo)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("De huisstijl is opgeslagen.")
    assert header_background(page) == GREEN  # the page shows the saved theme
    expect(page.get_by_role("img", name="Logo van de gemeente Rotterdam").first).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()

    citizen = UserFactory(first_name="Sam", last_name="de Vries")
    case = CaseFactory(
        person=PersonFactory(municipality=rotterdam, account=citizen), state=CaseState.REJECTED
    )
    sign_in(page, citizen)
    assert header_background(page) == NEUTRAL_HEADER  # the overview: no municipality yet
    page.goto(f"/mijn/dossier/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    assert header_background(page) == GREEN
    expect(page.get_by_role("img", name="Logo van de gemeente Rotterdam")).to_be_visible()
    button = page.get_by_role("button", name="Bericht versturen")
    assert button.evaluate("e => getComputedStyle(e).backgroundColor") == GREEN
    assert "Verdana" in page.locator("body").evaluate("e => getComputedStyle(e).fontFamily")
    page.goto(f"/mijn/dossier/{case.pk}/ontvangen/")
    assert header_background(page) == GREEN
    page.get_by_role("button", name="Uitloggen").click()

    other = UserFactory(first_name="Kim", last_name="Jansen")
    other_case = CaseFactory(person=PersonFactory(municipality=delft, account=other))
    sign_in(page, other)
    page.goto(f"/mijn/dossier/{other_case.pk}/")
    assert header_background(page) == NEUTRAL_HEADER
    expect(page.get_by_role("img", name="Logo van de gemeente Rotterdam")).to_have_count(0)
