"""Signing in through the pages, as a person does, for the browser tests."""

import itertools
import re
import secrets
import time

from allauth.mfa import app_settings as mfa_settings
from playwright.sync_api import expect

from tests.conftest import current_totp_code
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory

SIGN_IN = re.compile("^(Inloggen|Aanmelden)$")

_high_ids = itertools.count(9_000_000 + secrets.randbelow(1_000_000) * 10)


def staff_user(**traits):
    """A staff user with an id no other test uses: allauth remembers a used TOTP code per
    user id for one period, in the live server's cache, which outlives a test; ids start
    again at 1 after each transactional test, so low ids would make the next test's sign-in
    with the same code fail."""
    return UserFactory(id=next(_high_ids), **traits)


def fresh_totp_code(*, next_period: bool = False) -> str:
    """A code that stays valid long enough to be submitted: near the end of a 30-second
    period (axe runs on every page load, so a step can take seconds), or when asked, wait
    for the next period (a clock boundary, not an event that could be awaited)."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if next_period or left < 8:
        time.sleep(left + 0.2)
    return current_totp_code(TOTP_SECRET)


def sign_in(page, user) -> None:
    """From the home page's sign-in link to the overview: e-mail address and password, and for
    staff the code of their authenticator app."""
    page.goto("/")
    page.get_by_role("link", name="Inloggen").first.click()
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name=SIGN_IN).click()
    heading = page.get_by_role("heading", level=1)
    if user.is_staff_role:
        expect(heading).to_contain_text("Tweestapsverificatie")
        for attempt in range(2):
            page.get_by_label("Code").fill(fresh_totp_code(next_period=attempt > 0))
            page.get_by_role("button", name=re.compile("Inloggen|Bevestig")).click()
            expect(heading).to_have_text(re.compile("Overzicht|Tweestapsverificatie"))
            if heading.inner_text().strip() == "Overzicht":
                return
            # A code is accepted once per user per period, and user ids repeat between
            # transactional tests while the live server's cache may outlive one test: retry
            # with the next period's code.
    expect(heading).to_have_text("Overzicht")
