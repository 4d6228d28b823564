"""Everything works without JavaScript: sign-in included."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_context_options():
    return {"locale": "nl-NL", "java_script_enabled": False}


def test_a_citizen_signs_in_and_out_with_javascript_off(page):
    user = UserFactory()

    page.goto("/account/login/")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht")

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()
