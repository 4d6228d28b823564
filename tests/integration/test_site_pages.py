"""What every visitor sees of the site itself (issue #21): the favicon, the footer's contact,
privacy and accessibility pages, Dutch account pages, the layout per role, and forms that
say what they require."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cases.choices import CaseState
from tests.factories import CaseFactory, MunicipalityFactory, PersonFactory, UserFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

FOOTER_PAGES = [
    ("contact", "Contact"),
    ("privacy", "Privacyverklaring"),
    ("accessibility", "Toegankelijkheidsverklaring"),
]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".ico")
    page = client.get("/").content.decode()
    assert f'<link rel="icon" href="{response["Location"]}"' in page


@pytest.mark.parametrize(("name", "heading"), FOOTER_PAGES)
def test_the_footer_links_to_contact_privacy_and_accessibility(client, name, heading):
    footer = client.get("/").content.decode().split('<footer class="page-footer">')[1]
    assert f'href="{reverse(name)}"' in footer and heading in footer
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_the_accessibility_statement_follows_the_dutch_model(client):
    page = text(client.get(reverse("accessibility")).content.decode())
    for part in [
        "Nalevingsstatus",
        "Voldoet gedeeltelijk",
        "WCAG 2.1 niveau A en AA",
        "Verklaring opgesteld op",
        "Onderzoek",
        "Bekende problemen en maatregelen",
        "Feedback en contact",
        "Handhavingsprocedure",
        "Nationale ombudsman",
        settings.PORTAL_CONTACT_EMAIL,
    ]:
        assert part in page, part


def test_the_contact_page_lists_municipalities_that_published_how_to_reach_them(client):
    MunicipalityFactory(name="Amsterdam", contact_email="beschutwerk@amsterdam.example")
    MunicipalityFactory(name="Zwijgdorp", contact_email="", contact_phone="")
    page = client.get(reverse("contact")).content.decode()
    assert "beschutwerk@amsterdam.example" in page
    assert "Zwijgdorp" not in page
    assert settings.PORTAL_CONTACT_EMAIL in page
    assert "UWV" in page


def test_the_privacy_statement_says_who_sees_what_and_the_rights(client):
    page = text(client.get(reverse("privacy")).content.decode())
    for part in [
        "Wie is verantwoordelijk",
        "burgerservicenummer",
        "Wie uw gegevens kan zien",
        "Uw rechten",
        "Autoriteit Persoonsgegevens",
        "Cookies",
    ]:
        assert part in page, part


# -- accounts in Dutch -----------------------------------------------------------------------


def test_password_errors_on_sign_up_are_dutch(client):
    response = client.post(
        "/account/signup/",
        {"email": "kort@example.nl", "password1": "kort12", "password2": "kort12"},
    )
    page = text(response.content.decode())
    assert response.status_code == 200
    assert "Dit wachtwoord is te kort. Het moet minstens 10 tekens lang zijn." in page
    assert "too short" not in page and "This password" not in page


def test_a_password_like_the_email_address_is_refused_in_plain_dutch(client):
    response = client.post(
        "/account/signup/",
        {
            "email": "jannekedevries@example.nl",
            "password1": "jannekedevries",
            "password2": "jannekedevries",
        },
    )
    page = text(response.content.decode())
    assert "Het wachtwoord lijkt te veel op uw e-mailadres." in page


def test_the_email_confirmation_page_names_the_address_once_in_dutch(client):
    user = UserFactory(email="nieuw@example.nl", verified_email=False)
    address = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": False}
    )[0]
    key = EmailConfirmationHMAC(address).key
    page = text(client.get(reverse("account_confirm_email", args=[key])).content.decode())
    assert "Is nieuw@example.nl uw e-mailadres?" in page
    assert page.count("nieuw@example.nl") == 1
    assert "Bevestig dat" not in page and "Confirm" not in page


# -- the layout per role ---------------------------------------------------------------------


def body_class(client, path) -> str:
    return re.search(r'<body class="([^"]*)"', client.get(path).content.decode())[1]


@pytest.mark.parametrize("trait", ["consultant", "municipal_admin", "uwv_assessor"])
def test_professional_pages_use_the_width_of_the_screen(client, trait):
    sign_in(client, UserFactory(**{trait: True}))
    assert "page--wide" in body_class(client, "/")


def test_citizen_and_public_pages_stay_narrow(client):
    assert "page--wide" not in body_class(client, "/")
    client.force_login(UserFactory())
    assert "page--wide" not in body_class(client, reverse("citizen:case_list"))


def test_references_in_the_staff_tables_do_not_wrap():
    consultant = UserFactory(consultant=True)
    case = CaseFactory(
        person=PersonFactory(municipality=consultant.municipality), state=CaseState.WITH_UWV
    )
    staff = sign_in(Client(), consultant)
    page = staff.get(reverse("work:case_list")).content.decode()
    assert re.search(rf'<td class="nowrap"><a [^>]*>{case.reference}</a>', page)
    queue = sign_in(Client(), UserFactory(uwv_assessor=True)).get(reverse("uwv:queue"))
    assert re.search(rf'<td class="nowrap"><a [^>]*>{case.reference}</a>', queue.content.decode())


# -- forms say what they require -------------------------------------------------------------


def label_of(page: str, name: str) -> str:
    field_id = re.search(rf'name="{name}"[^>]*id="([^"]+)"|id="([^"]+)"[^>]*name="{name}"', page)
    field_id = field_id[1] or field_id[2]
    return text(re.search(rf'<label[^>]*for="{field_id}"[^>]*>(.*?)</label>', page, re.S)[1])


def test_the_uwv_advice_form_marks_the_required_hours_as_required():
    case = CaseFactory(state=CaseState.WITH_UWV)
    client = sign_in(Client(), UserFactory(uwv_assessor=True))
    page = client.get(reverse("uwv:case_detail", args=[case.pk])).content.decode()
    for name in ("advice-hours_at_a_stretch", "advice-hours_per_day"):
        label = label_of(page, name)
        assert "niet verplicht" not in label, label
        assert re.search(rf'name="{name}"[^>]* required', page)
    response = client.post(
        reverse("uwv:case_advice", args=[case.pk]),
        {"advice-outcome": "negative", "advice-reasons": "Onderzocht."},
    )
    assert response.status_code == 400
    assert "Leg de bevindingen over het arbeidsvermogen vast." in response.content.decode()


def test_the_employer_form_offers_no_empty_radio_option():
    admin = UserFactory(municipal_admin=True)
    client = sign_in(Client(), admin)
    page = client.get(
        reverse("manage:employer_create", args=[admin.municipality_id])
    ).content.decode()
    assert 'type="radio"' in page
    assert "---------" not in page
    assert not re.search(r'type="radio"[^>]*value=""', page)
    assert not re.search(r'type="radio"[^>]*checked', page)
