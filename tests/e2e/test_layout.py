"""The base UI works at 320 px wide, with the keyboard only, and without JavaScript."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = [
    "/",
    "/account/login/",
    "/account/signup/",
    "/account/password/reset/",
    "/contact/",
    "/privacy/",
    "/toegankelijkheid/",
]


@pytest.fixture
def browser_context_options():
    return {"locale": "nl-NL", "viewport": {"width": 320, "height": 640}}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_pages_fit_320_px_without_horizontal_scrolling(page, path):
    page.goto(path)

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{path} is {scroll_width}px wide at a 320px viewport"


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page):
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()


def test_a_form_error_is_summarised_at_the_top_and_links_to_the_field(page):
    page.goto("/account/signup/")
    page.get_by_role("button", name="Account maken").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Er ging iets mis")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_email")).to_be_focused()
