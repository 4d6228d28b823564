"""Every role signs in through the real login page in Chromium; staff pass the TOTP step."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import Role
from tests.conftest import current_totp_code
from tests.e2e.accounts import SIGN_IN, sign_in
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROLE_TRAITS = {
    Role.CITIZEN: {},
    Role.CONSULTANT: {"consultant": True},
    Role.MUNICIPAL_ADMIN: {"municipal_admin": True},
    Role.UWV_ASSESSOR: {"uwv_assessor": True},
    Role.OPERATOR: {"operator": True},
}


@pytest.mark.parametrize("role", list(ROLE_TRAITS), ids=lambda r: r.value)
def test_every_role_signs_in_in_a_real_browser(page, role):
    user = UserFactory(**ROLE_TRAITS[role])

    sign_in(page, user)

    expect(page.get_by_text(f"({role.label})")).to_be_visible()
    assert page.axe.pages_checked, "axe must have checked the pages visited"


def test_operator_reaches_the_django_admin_after_mfa(page):
    user = UserFactory(operator=True)

    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=(/|%2F)admin(/|%2F)"))
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name=SIGN_IN).click()
    page.get_by_label("Code").fill(current_totp_code(TOTP_SECRET))
    page.get_by_role("button", name=re.compile("Inloggen|Bevestig")).click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("link", name=re.compile("Gebruikers"))).to_be_visible()
