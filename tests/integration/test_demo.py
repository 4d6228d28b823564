import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from municipalities.models import Municipality, Verordening, YearlyQuota
from portal.demo import DEMO_PASSWORD, demo_accounts
from portal.models import STAFF_ROLES, User

pytestmark = pytest.mark.django_db


def counts():
    return (
        Municipality.objects.count(),
        YearlyQuota.objects.count(),
        Verordening.objects.count(),
        User.objects.count(),
        Authenticator.objects.count(),
    )


def test_seed_demo_twice_creates_everything_once():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first
    assert first[0] >= 3
    assert YearlyQuota.objects.filter(year=2026).count() == first[0]


def test_every_demo_account_signs_in_with_the_published_password_and_staff_have_totp():
    call_command("seed_demo")

    for account in demo_accounts():
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.role == account.role
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert has_totp == (account.role in STAFF_ROLES)
