"""What every mail says: the portal and the municipality by name (never a host), a link to
the page it is about on ``PORTAL_BASE_URL``, dates as on the pages ("1 februari 2027"), the
municipality's team with its contact details, a plain-text and an HTML part, and nothing of
the person's health or case content."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from cases.choices import CaseState
from cases.notifications import dispatch
from cases.notifications.models import Notification, NotificationChannel, NotificationKind
from municipalities import services as manage
from portal.models import Role, User
from tests.factories import (
    PASSWORD,
    CaseFactory,
    MunicipalityFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE = "https://beschutwerk.testdorp.example"
#: A date in a mail as the pages write it, never as 01-02-2027.
NUMERIC_DATE = re.compile(r"\b\d{1,2}-\d{1,2}-\d{4}\b")
#: What would make a mail read like phishing: the host of the request, a bare address.
HOSTS = ("testserver", "127.0.0.1", "localhost", "bericht van")


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.PORTAL_BASE_URL = BASE


@pytest.fixture
def municipality():
    return MunicipalityFactory(
        name="Testdorp",
        letterhead="Gemeente Testdorp",
        team_name="Team Beschut Werk Testdorp",
        contact_phone="14 0999",
        contact_email="werk@testdorp.example",
        website="https://www.testdorp.example",
    )


def assert_no_host(text: str) -> None:
    for host in HOSTS:
        assert host not in text, host
    # The portal's address appears only as a link, never as the sender.
    assert "beschutwerk.testdorp.example" not in text.replace(BASE, "")


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_notification_mail_names_the_municipality_links_to_its_page_and_keeps_quiet(
    kind, municipality
):
    citizen = UserFactory(email="inwoner@example.nl")
    person = PersonFactory(
        municipality=municipality, account=citizen, first_name="Sam", last_name="Jansen"
    )
    case = CaseFactory(person=person, state=CaseState.REJECTED)
    case.application.support_needed = "Epilepsie, heeft rust nodig na een aanval."
    case.application.save()
    consultant = UserFactory(role=Role.CONSULTANT, municipality=municipality)
    for_citizen = kind in dispatch.CITIZEN_KINDS
    recipient = citizen if for_citizen else consultant
    notification = Notification.objects.create(
        case=case,
        kind=kind,
        channel=NotificationChannel.EMAIL,
        term_end=dt.date(2027, 2, 1),
        recipient=recipient,
        recipient_key=f"user:{recipient.pk}",
        email=recipient.email,
        created_at=timezone.now(),
    )

    mail = dispatch.build_email(notification)

    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html" and '<html lang="nl">' in html
    page = reverse("citizen:case_detail" if for_citizen else "work:case_detail", args=[case.pk])
    # A correction request links to the list of requests (AVG art. 16), not the case.
    if kind == NotificationKind.CORRECTION_REQUESTED:
        page = reverse("work:correction_list")
    elif kind == NotificationKind.CORRECTION_ANSWERED:
        page = reverse("citizen:my_data")
    for part in (mail.body, html):
        assert f"{BASE}{page}" in part
        assert "gemeente Testdorp" in part  # the municipality by name
        assert "portaal beschut werk" in part  # and the portal
        assert "Met vriendelijke groet" in part and "Team Beschut Werk Testdorp" in part
        assert "14 0999" in part and "werk@testdorp.example" in part
        assert "https://www.testdorp.example" in part
        assert_no_host(part)
        assert not NUMERIC_DATE.search(part), NUMERIC_DATE.search(part)
        for secret in ("Epilepsie", "Sam", "Jansen", person.bsn, "Onderzocht"):
            assert secret not in part, secret
    if "%(date)s" in str(dispatch.TEXTS[kind][1]):
        assert "1 februari 2027" in mail.body and "1 februari 2027" in html
    assert case.reference in mail.subject


def test_a_person_without_an_account_is_sent_to_the_portal_not_to_a_page_they_cannot_open(
    municipality,
):
    person = PersonFactory(municipality=municipality, account=None, email="sam@example.nl")
    case = CaseFactory(person=person, state=CaseState.REJECTED)
    notification = Notification.objects.create(
        case=case,
        kind=NotificationKind.DECISION_SENT,
        channel=NotificationChannel.EMAIL,
        term_end=dt.date(2027, 2, 1),
        recipient_key="sam@example.nl",
        email="sam@example.nl",
        created_at=timezone.now(),
    )

    mail = dispatch.build_email(notification)

    assert f"{BASE}/\n" in mail.body
    assert "/mijn/dossier/" not in mail.body


def test_the_sign_up_confirmation_names_the_portal_and_links_to_the_portal_address(mailoutbox):
    client = Client()  # the request's host is "testserver"
    client.post(
        "/account/signup/",
        {
            "email": "nieuw@example.nl",
            "password1": "Een-lang-wachtwoord-9",
            "password2": "Een-lang-wachtwoord-9",
        },
    )

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html"
    assert mail.subject == "[Beschut werk] Bevestig uw e-mailadres"
    for part in (mail.body, html):
        assert "portaal beschut werk" in part
        assert "Bevestig uw e-mailadres met deze link" in part
        assert "Beschut werk portaal" in part  # signed by the portal: no municipality yet
        assert_no_host(part)
    link = re.search(rf"{re.escape(BASE)}(/account/confirm-email/\S+/)", mail.body)
    assert link, mail.body
    assert f'href="{BASE}{link.group(1)}"' in html

    client.post(link.group(1))  # the link's page confirms the address
    assert User.objects.get(email="nieuw@example.nl").emailaddress_set.get().verified


def test_the_staff_invitation_is_signed_by_the_municipality_with_a_link_on_the_portal(
    municipality, mailoutbox, django_capture_on_commit_callbacks
):
    administrator = UserFactory(role=Role.MUNICIPAL_ADMIN, municipality=municipality)
    with django_capture_on_commit_callbacks(execute=True):
        manage.invite_staff(
            municipality=municipality,
            email="nieuw.lid@example.nl",
            first_name="Nieuw",
            last_name="Lid",
            role=Role.CONSULTANT,
            actor=administrator,
            request=RequestFactory().get("/"),  # its host is "testserver"
        )

    mail = mailoutbox[0]
    html, _mimetype = mail.alternatives[0]
    for part in (mail.body, html):
        assert "portaal beschut werk van de gemeente Testdorp" in part
        assert "Team Beschut Werk Testdorp" in part and "14 0999" in part
        assert f"{BASE}/account/password/reset/key/" in part
        assert_no_host(part)


def test_a_password_reset_for_staff_names_their_municipality(client, municipality, mailoutbox):
    consultant = UserFactory(role=Role.CONSULTANT, municipality=municipality)

    client.post("/account/password/reset/", {"email": consultant.email})

    mail = mailoutbox[0]
    assert "gemeente Testdorp" in mail.body and "Team Beschut Werk Testdorp" in mail.body
    assert f"{BASE}/account/password/reset/key/" in mail.body
    assert_no_host(mail.body)
    assert mail.alternatives[0][1] == "text/html"
    assert PASSWORD not in mail.body


def test_account_change_notices_write_the_date_as_the_pages_do(municipality):
    moment = dt.datetime(2027, 2, 1, 9, 30, tzinfo=dt.UTC)
    with translation.override("nl"):
        text = render_to_string(
            "account/email/password_changed_message.txt",
            {"timestamp": moment, "ip": "192.0.2.1", "municipality": municipality},
        )

    assert "1 februari 2027 om 10:30" in text  # Amsterdam time
    assert not NUMERIC_DATE.search(text)
    assert "Team Beschut Werk Testdorp" in text
