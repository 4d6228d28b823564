"""Signing in through the pages, as a person does, for the browser tests."""

import re

from playwright.sync_api import expect

from tests.conftest import current_totp_code
from tests.factories import PASSWORD, TOTP_SECRET

SIGN_IN = re.compile("^(Inloggen|Aanmelden)$")


def sign_in(page, user) -> None:
    page.goto("/")
    page.get_by_role("link", name="Inloggen").first.click()
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name=SIGN_IN).click()
    if user.is_staff_role:
        page.get_by_label("Code").fill(current_totp_code(TOTP_SECRET))
        page.get_by_role("button", name=re.compile("Inloggen|Bevestig")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht")
