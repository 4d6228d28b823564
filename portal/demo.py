"""Demo data: real municipalities, one account per role, known passwords and TOTP secrets.

Idempotent: running it again changes nothing and duplicates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from municipalities.models import Municipality, Verordening, YearlyQuota

from .models import Role, User

DEMO_PASSWORD = "Demo-wachtwoord-2026"  # noqa: S105 - published in the README on purpose
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # base32, published in the README on purpose
DEMO_DOMAIN = "demo.beschutwerk.nl"


@dataclass(frozen=True)
class DemoMunicipality:
    cbs_code: str
    name: str
    region: str
    slug: str
    quota_2026: Decimal


MUNICIPALITIES = (
    DemoMunicipality("GM0363", "Amsterdam", "Groot Amsterdam", "amsterdam", Decimal("712")),
    DemoMunicipality("GM0599", "Rotterdam", "Rijnmond", "rotterdam", Decimal("618")),
    DemoMunicipality("GM0344", "Utrecht", "Midden-Utrecht", "utrecht", Decimal("297")),
    DemoMunicipality("GM0014", "Groningen", "Groningen", "groningen", Decimal("264")),
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: Role
    first_name: str
    last_name: str
    municipality_code: str | None = None


def demo_accounts() -> list[DemoAccount]:
    accounts = [
        DemoAccount(f"operator@{DEMO_DOMAIN}", Role.OPERATOR, "Olga", "Operator"),
        DemoAccount(f"uwv@{DEMO_DOMAIN}", Role.UWV_ASSESSOR, "Umar", "de Beoordelaar"),
        DemoAccount(f"inwoner@{DEMO_DOMAIN}", Role.CITIZEN, "Iris", "Inwoner"),
    ]
    for m in MUNICIPALITIES:
        accounts.append(
            DemoAccount(
                f"consulent.{m.slug}@{DEMO_DOMAIN}",
                Role.CONSULTANT,
                "Consulent",
                m.name,
                m.cbs_code,
            )
        )
        accounts.append(
            DemoAccount(
                f"beheer.{m.slug}@{DEMO_DOMAIN}",
                Role.MUNICIPAL_ADMIN,
                "Beheerder",
                m.name,
                m.cbs_code,
            )
        )
    return accounts


@transaction.atomic
def seed_demo() -> dict[str, int]:
    created = {"municipalities": 0, "users": 0}
    by_code: dict[str, Municipality] = {}
    for m in MUNICIPALITIES:
        municipality, new = Municipality.objects.get_or_create(
            cbs_code=m.cbs_code, defaults={"name": m.name, "labour_market_region": m.region}
        )
        created["municipalities"] += new
        by_code[m.cbs_code] = municipality
        YearlyQuota.objects.get_or_create(
            municipality=municipality, year=2026, defaults={"places": m.quota_2026}
        )
        Verordening.objects.get_or_create(
            municipality=municipality,
            in_force_from=date(2026, 1, 1),
            defaults={
                "discussed_with_target_group_on": date(2025, 10, 14),
                "provisions": "Begeleiding op de werkplek, aanpassing van de werkplek, vervoer.",
                "provisions_until_employment": "Een vaste contactpersoon en hulp bij het zoeken.",
                "provisions_while_waiting": "Dagbesteding of vrijwilligerswerk met begeleiding.",
                "offers_additional_places": m.slug == "utrecht",
                "additional_places_per_year": 10 if m.slug == "utrecht" else 0,
            },
        )

    for account in demo_accounts():
        municipality = by_code.get(account.municipality_code) if account.municipality_code else None
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User(
                email=account.email,
                role=account.role,
                first_name=account.first_name,
                last_name=account.last_name,
                municipality=municipality,
                is_staff=account.role is Role.OPERATOR,
                is_superuser=account.role is Role.OPERATOR,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            created["users"] += 1
        EmailAddress.objects.get_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if (
            user.is_staff_role
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)
    return created
