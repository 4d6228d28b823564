"""The in-app inbox in a real browser: the unread count in the header, the list, and marking
messages as read, for a citizen and for a consultant (who also sets e-mail per kind)."""

import re

import pytest
from playwright.sync_api import expect

from cases import services
from cases.choices import CaseState
from tests.e2e.accounts import sign_in
from tests.factories import (
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def submit_for(citizen, municipality, count=2):
    for _ in range(count):
        person = PersonFactory(municipality=municipality, account=citizen)
        case = CaseFactory(person=person, state=CaseState.DRAFT)
        services.submit_application(case_id=case.pk, actor=citizen)


def test_a_citizen_reads_messages_and_the_header_count_goes_down(page):
    municipality = MunicipalityFactory()
    citizen = UserFactory()
    submit_for(citizen, municipality)

    sign_in(page, citizen)
    header_link = page.get_by_role("link", name=re.compile("^Berichten"))
    expect(header_link).to_contain_text("2 ongelezen")
    header_link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Berichten")
    expect(
        page.get_by_role("heading", name=re.compile("We hebben uw aanvraag ontvangen"))
    ).to_have_count(2)
    page.get_by_role("button", name=re.compile("^Markeren als gelezen")).first.click()
    expect(page.get_by_role("link", name=re.compile("^Berichten"))).to_contain_text("1 ongelezen")
    page.get_by_role("button", name="Alles als gelezen markeren").click()
    expect(page.get_by_text("U hebt 0 ongelezen berichten.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Berichten"))).not_to_contain_text("ongelezen")


def test_a_consultant_switches_off_email_for_one_kind(page):
    municipality = MunicipalityFactory()
    consultant = UserFactory(consultant=True, municipality=municipality)
    submit_for(UserFactory(), municipality, count=1)

    sign_in(page, consultant)
    page.get_by_role("link", name=re.compile("^Berichten")).click()
    expect(page.get_by_role("heading", name=re.compile("Nieuwe aanvraag"))).to_be_visible()
    page.get_by_label("Nieuwe aanvraag").uncheck()
    page.get_by_role("button", name="E-mailinstellingen opslaan").click()

    expect(page.get_by_text("Uw e-mailinstellingen zijn opgeslagen.")).to_be_visible()
    expect(page.get_by_label("Nieuwe aanvraag")).not_to_be_checked()
    assert consultant.notification_preferences.get(kind="new_application").email is False
