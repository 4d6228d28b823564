"""Factories for tests: one per model, with traits for roles (and, later, lifecycle states)."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP

from municipalities.models import Municipality, Verordening, YearlyQuota
from portal.models import Role, User

PASSWORD = "Test-wachtwoord-123"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("cbs_code",)

    cbs_code = factory.Sequence(lambda n: f"GM{9000 + n:04d}")
    name = factory.Sequence(lambda n: f"Testgemeente {n}")
    labour_market_region = "Testregio"


class YearlyQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YearlyQuota

    municipality = factory.SubFactory(MunicipalityFactory)
    year = 2026
    places = 10


class VerordeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verordening

    municipality = factory.SubFactory(MunicipalityFactory)
    in_force_from = factory.Faker("date_between", start_date="-2y", end_date="-1y")
    discussed_with_target_group_on = factory.LazyAttribute(lambda o: o.in_force_from)
    provisions = "Begeleiding en aanpassing van de werkplek."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.nl")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Gebruiker {n}")
    role = Role.CITIZEN
    municipality = None

    class Params:
        consultant = factory.Trait(
            role=Role.CONSULTANT, municipality=factory.SubFactory(MunicipalityFactory)
        )
        municipal_admin = factory.Trait(
            role=Role.MUNICIPAL_ADMIN, municipality=factory.SubFactory(MunicipalityFactory)
        )
        uwv_assessor = factory.Trait(role=Role.UWV_ASSESSOR)
        operator = factory.Trait(role=Role.OPERATOR, is_staff=True, is_superuser=True)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):  # noqa: N805
        """Staff get a TOTP authenticator unless ``totp=False``."""
        if create and obj.is_staff_role and extracted is not False:
            TOTP.activate(obj, TOTP_SECRET)
