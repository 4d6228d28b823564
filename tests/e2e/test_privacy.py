"""The AVG rights in a real browser, each page checked by axe and the Nu Html Checker: a
citizen opens My data and asks for a correction, the consultant answers it from the list,
the citizen reads the answer."""

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


def test_a_correction_is_asked_answered_and_read(page):
    municipality = MunicipalityFactory(name="Testdorp")
    citizen = UserFactory()
    person = PersonFactory(municipality=municipality, account=citizen, last_name="Jansen")
    case = CaseFactory(person=person, state=CaseState.DRAFT)
    services.submit_application(case_id=case.pk, actor=citizen)
    consultant = UserFactory(consultant=True, municipality=municipality)

    sign_in(page, citizen)
    page.get_by_role("link", name="Mijn gegevens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gegevens")
    expect(page.get_by_role("link", name="Download als pdf (om te lezen)")).to_be_visible()
    page.get_by_role(
        "link", name=f"Vraag om gegevens van aanvraag {case.reference} te verbeteren"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vraag om uw gegevens te verbeteren")
    page.get_by_role("button", name="Verstuur het verzoek").click()
    expect(page.get_by_text("Schrijf op wat er niet klopt.", exact=True)).to_be_visible()
    page.get_by_label("Wat klopt er niet?").fill("Mijn achternaam is fout.")
    page.get_by_label("Wat moet het zijn?").fill("Janssen")
    page.get_by_role("button", name="Verstuur het verzoek").click()
    expect(page.get_by_text("We hebben uw verzoek ontvangen.")).to_be_visible()
    expect(page.get_by_text("Nog niet beantwoord.")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()

    sign_in(page, consultant)
    page.get_by_role("link", name="Verzoeken om verbetering").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verzoeken om gegevens te verbeteren")
    page.get_by_role("link", name=f"Beantwoord het verzoek over {case.reference}").click()
    expect(page.get_by_text("Mijn achternaam is fout.")).to_be_visible()
    page.get_by_label("Toegekend: de gegevens zijn verbeterd").check()
    page.get_by_label("Antwoord aan de aanvrager").fill("We hebben uw achternaam verbeterd.")
    page.get_by_label("Achternaam").fill("Janssen")
    page.get_by_role("button", name="Antwoord opslaan").click()
    expect(page.get_by_text("Uw antwoord is opgeslagen.")).to_be_visible()
    expect(page.get_by_text("Er wachten geen verzoeken op een antwoord.")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()

    sign_in(page, citizen)
    page.get_by_role("link", name="Mijn gegevens").click()
    expect(page.get_by_text("We hebben uw achternaam verbeterd.")).to_be_visible()
    person.refresh_from_db()
    assert person.last_name == "Janssen"
