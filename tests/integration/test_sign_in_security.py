"""Sign-in under attack and at 9:00 (issue #18): a TOTP code works once, sessions end after 15
minutes idle (staff after 8 hours whatever they do) and the next page says why, sign-in limits
let an office behind one address in but lock an account after 5 wrong passwords, addresses
are compared without regard to case, and sign-up takes as long for an existing address as for
a new one."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import uuid

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.apps import apps
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

from portal.models import Role, User
from tests.factories import PASSWORD, TOTP_SECRET, MunicipalityFactory, UserFactory
from tests.integration.conftest import sign_in

pytestmark = pytest.mark.django_db

#: 10:00:01 in Amsterdam, one second into a TOTP time step.
T0 = dt.datetime(2026, 3, 2, 9, 0, 1, tzinfo=dt.UTC)


def code_at(moment: dt.datetime, secret: str = TOTP_SECRET) -> str:
    step = int(moment.timestamp()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, step))


def login(client, email, password=PASSWORD):
    return client.post("/account/login/", {"login": email, "password": password})


def signed_in_user_id(client):
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def sign_in_with_code(user, code) -> Client:
    client = Client()
    assert login(client, user.email)["Location"] == "/account/2fa/authenticate/"
    client.post("/account/2fa/authenticate/", {"code": code})
    return client


# -- a TOTP code works once -----------------------------------------------------------------


def test_a_totp_code_works_once_across_the_whole_tolerance_window(settings):
    # A cache whose entries expire on the travelled clock, as Redis's do on the real one.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"totp-window-{uuid.uuid4().hex}",
        },
    }
    staff = UserFactory(consultant=True)
    code = code_at(T0)

    with time_machine.travel(T0, tick=False):
        assert signed_in_user_id(sign_in_with_code(staff, code)) == staff.pk
    for later in (32, 63):
        with time_machine.travel(T0 + dt.timedelta(seconds=later), tick=False):
            client = sign_in_with_code(staff, code)
            assert signed_in_user_id(client) is None, f"the code worked again after {later} s"

    with time_machine.travel(T0 + dt.timedelta(seconds=63), tick=False):
        next_code = code_at(T0 + dt.timedelta(seconds=63))
        assert signed_in_user_id(sign_in_with_code(staff, next_code)) == staff.pk


def test_a_used_code_stays_used_when_the_cache_is_lost(settings):
    staff = UserFactory(uwv_assessor=True)
    code = code_at(T0)
    with time_machine.travel(T0, tick=False):
        assert signed_in_user_id(sign_in_with_code(staff, code)) == staff.pk

        # A cache restart: allauth's memory of used codes (and every other key) is gone.
        caches = {name: dict(config) for name, config in settings.CACHES.items()}
        caches["default"]["KEY_PREFIX"] += "-after-restart"
        settings.CACHES = caches

        assert signed_in_user_id(sign_in_with_code(staff, code)) is None


def test_the_code_that_sets_up_the_authenticator_does_not_sign_in_again(client):
    staff = UserFactory(consultant=True, totp=False)
    with time_machine.travel(T0, tick=False):
        login(client, staff.email)
        client.get("/account/2fa/totp/activate/")
        client.post("/account/reauthenticate/", {"password": PASSWORD})
        secret = client.get("/account/2fa/totp/activate/").context["form"].secret
        client.post("/account/2fa/totp/activate/", {"code": code_at(T0, secret)})
        assert client.get("/").status_code == 200  # the factor is set up

    staff.refresh_from_db()
    with time_machine.travel(T0 + dt.timedelta(seconds=20), tick=False):
        assert signed_in_user_id(sign_in_with_code(staff, code_at(T0, secret))) is None
    with time_machine.travel(T0 + dt.timedelta(seconds=31), tick=False):
        later = code_at(T0 + dt.timedelta(seconds=31), secret)
        assert signed_in_user_id(sign_in_with_code(staff, later)) == staff.pk


# -- idle and absolute timeout ----------------------------------------------------------------


def test_a_citizen_is_signed_out_after_15_minutes_idle_and_told_why(client):
    citizen = UserFactory()
    with time_machine.travel(T0, tick=False):
        client.force_login(citizen)
    with time_machine.travel(T0 + dt.timedelta(minutes=14), tick=False):
        assert client.get("/mijn/").status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=14 + 15), tick=False):
        response = client.get("/mijn/?pagina=2")

        assert response.status_code == 302
        assert response["Location"] == "/account/login/?next=/mijn/%3Fpagina%3D2"
        assert signed_in_user_id(client) is None
        page = client.get(response["Location"]).content.decode()
    assert "U bent uitgelogd omdat u 15 minuten niets heeft gedaan" in page


def test_activity_is_written_to_the_session_at_most_once_a_minute(client):
    citizen = UserFactory()
    with time_machine.travel(T0, tick=False):
        client.force_login(citizen)
        signed_in = client.session["portal_last_activity"]
    with time_machine.travel(T0 + dt.timedelta(seconds=50), tick=False):
        client.get("/mijn/")
        assert client.session["portal_last_activity"] == signed_in
    with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
        client.get("/mijn/")
        assert client.session["portal_last_activity"] == signed_in + 61


def test_staff_are_signed_out_8_hours_after_signing_in_however_active(settings, client):
    settings.SESSION_IDLE_TIMEOUT = 9 * 3600  # only the absolute limit is under test here
    municipality = MunicipalityFactory()
    consultant = UserFactory(consultant=True, municipality=municipality)
    citizen_client = Client()
    with time_machine.travel(T0, tick=False):
        sign_in(client, consultant)
        citizen_client.force_login(UserFactory())
    with time_machine.travel(T0 + dt.timedelta(hours=4), tick=False):
        assert client.get("/").status_code == 200
        assert citizen_client.get("/mijn/").status_code == 200
    with time_machine.travel(T0 + dt.timedelta(hours=8), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
        page = client.get(response["Location"]).content.decode()
        assert "U bent uitgelogd omdat u 8 uur ingelogd was" in page
        assert citizen_client.get("/mijn/").status_code == 200  # citizens: idle limit only


def test_every_page_says_when_the_session_ends_without_javascript(client):
    with time_machine.travel(T0, tick=False):
        client.force_login(UserFactory())
        page = client.get("/mijn/").content.decode()
    # 10:00 in Amsterdam + 15 minutes.
    assert "Als u tot 10:15 niets doet in het portaal, wordt u uitgelogd." in page
    assert 'data-session-seconds-left="900"' in page

    anonymous = Client().get("/").content.decode()
    assert "data-session-seconds-left" not in anonymous


def test_staff_see_the_absolute_end_when_it_comes_first(settings, client):
    settings.SESSION_IDLE_TIMEOUT = 9 * 3600
    with time_machine.travel(T0, tick=False):
        sign_in(client, UserFactory(uwv_assessor=True))
        page = client.get("/").content.decode()
    assert "U wordt om 18:00 uitgelogd" in page


# -- sign-in limits -----------------------------------------------------------------------------


def test_sixty_staff_behind_one_address_all_sign_in_within_a_minute():
    staff = UserFactory.create_batch(60, consultant=True, municipality=MunicipalityFactory())
    with time_machine.travel(T0, tick=False):
        for user in staff:
            client = Client(REMOTE_ADDR="203.0.113.9")
            response = login(client, user.email)
            assert response.status_code == 302, f"{user.email}: the sign-in was refused"
            client.post("/account/2fa/authenticate/", {"code": code_at(T0)})
            assert signed_in_user_id(client) == user.pk


def test_the_sixth_wrong_password_for_one_account_is_refused_from_any_address():
    victim, colleague = UserFactory(), UserFactory()
    with time_machine.travel(T0, tick=False):
        for n in range(5):
            login(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), victim.email, "fout-wachtwoord")

        client = Client(REMOTE_ADDR="198.51.100.99")
        response = login(client, victim.email)  # the right password, from a fresh address
        assert response.status_code == 200
        assert response.context["form"].errors
        assert signed_in_user_id(client) is None

        other = Client(REMOTE_ADDR="198.51.100.1")
        login(other, colleague.email)
        assert signed_in_user_id(other) == colleague.pk  # the address itself is not locked

    with time_machine.travel(T0 + dt.timedelta(minutes=6), tick=False):
        client = Client(REMOTE_ADDR="198.51.100.99")
        login(client, victim.email)
        assert signed_in_user_id(client) == victim.pk  # the lockout ends


# -- e-mail addresses without regard to case ------------------------------------------------------


def test_staff_invited_with_capitals_sign_in_with_lower_case(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    municipality = MunicipalityFactory()
    admin = UserFactory(municipal_admin=True, municipality=municipality)
    sign_in(client, admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("manage:staff_invite", args=[municipality.pk]),
            {
                "email": "Jan.De.Vries@Gemeente.NL",
                "first_name": "Jan",
                "last_name": "de Vries",
                "role": Role.CONSULTANT,
            },
        )
    assert response.status_code == 302
    jan = User.objects.get(first_name="Jan")
    assert jan.email == "jan.de.vries@gemeente.nl"
    path = re.search(r"http://testserver(/account/password/reset/key/\S+/)", mailoutbox[-1].body)
    client.logout()
    form_url = client.get(path.group(1), follow=True).redirect_chain[-1][0]
    client.post(form_url, {"password1": "Nieuw-wachtwoord-42", "password2": "Nieuw-wachtwoord-42"})
    client.logout()

    for typed in ("jan.de.vries@gemeente.nl", "JAN.DE.VRIES@GEMEENTE.NL"):
        other = Client()
        response = login(other, typed, "Nieuw-wachtwoord-42")
        assert signed_in_user_id(other) == jan.pk, typed
        assert response["Location"] == "/"  # then on to setting up the second factor

    assert list(EmailAddress.objects.filter(user=jan).values_list("email", "verified")) == [
        ("jan.de.vries@gemeente.nl", True)
    ]


def test_the_admin_stores_addresses_in_lower_case_and_refuses_a_case_variant(client):
    sign_in(client, UserFactory(operator=True))
    form = {
        "email": "Piet@Example.NL",
        "role": Role.UWV_ASSESSOR,
        "usable_password": "true",
        "password1": "Een-lang-wachtwoord-9",
        "password2": "Een-lang-wachtwoord-9",
    }
    response = client.post("/admin/portal/user/add/", form)
    assert response.status_code == 302
    assert User.objects.filter(email="piet@example.nl").exists()

    response = client.post("/admin/portal/user/add/", {**form, "email": "PIET@example.nl"})
    assert response.status_code == 200
    assert "Er is al een account met dit e-mailadres." in response.content.decode()
    assert User.objects.filter(email__iexact="piet@example.nl").count() == 1


def test_the_migration_lower_cases_addresses_and_merges_a_users_duplicates():
    piet = UserFactory(email="piet@example.nl", verified_email=False)
    # Rows as they were before: written round the lower-casing (update() sends no signal).
    User.objects.filter(pk=piet.pk).update(email="Piet@Example.NL")
    invited = EmailAddress.objects.create(
        user=piet, email="x@example.nl", verified=True, primary=True
    )
    EmailAddress.objects.filter(pk=invited.pk).update(email="Piet@Example.NL")
    EmailAddress.objects.create(user=piet, email="piet@example.nl", verified=False, primary=False)

    migration = importlib.import_module("portal.migrations.0002_email_lower_case")
    migration.lower_case_addresses(apps, None)

    piet.refresh_from_db()
    assert piet.email == "piet@example.nl"
    assert list(
        EmailAddress.objects.filter(user=piet).values_list("email", "verified", "primary")
    ) == [("piet@example.nl", True, True)]


# -- sign-up takes as long for an existing address as for a new one ------------------------------


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"
    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


def test_sign_up_hashes_a_password_for_an_existing_address_as_for_a_new_one(settings, mailoutbox):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    existing = UserFactory()

    def hashes_for(email):
        before = CountingHasher.hashed
        response = Client().post(
            "/account/signup/",
            {
                "email": email,
                "password1": "Een-lang-wachtwoord-9",
                "password2": "Een-lang-wachtwoord-9",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == "/account/confirm-email/"
        return CountingHasher.hashed - before

    assert hashes_for(existing.email) == hashes_for("nieuw@example.nl") == 1
    assert User.objects.filter(email=existing.email).count() == 1
