"""The allauth apps of the two OpenID Connect providers, built from plain values.

``portal.settings`` calls these with the environment; the tests call them with the address of
the provider process they start. No Django import here: settings import this module.
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: ``provider_id`` of each app: part of the URLs (``/account/oidc/<id>/login/``) and of
#: ``SocialAccount.provider``.
CITIZEN_PROVIDER_ID = "digid"
STAFF_PROVIDER_ID = "gemeente"

#: Where role and municipality of staff come from (``OIDC_STAFF_ROLE_SOURCE``).
ROLE_SOURCE_RECORD = "record"
ROLE_SOURCE_CLAIMS = "claims"
ROLE_SOURCES = (ROLE_SOURCE_RECORD, ROLE_SOURCE_CLAIMS)


def origin(url: str) -> str:
    """``https://host:port`` of a URL (for the Content Security Policy)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def citizen_app(
    *,
    server_url: str,
    client_id: str,
    secret: str,
    bsn_claim: str = "bsn",
    scope: list[str] | None = None,
) -> dict:
    """The DigiD broker: it authenticates the citizen and supplies the BSN as a claim."""
    return {
        "provider_id": CITIZEN_PROVIDER_ID,
        "name": "DigiD",
        "client_id": client_id,
        "secret": secret,
        "settings": {
            "server_url": server_url,
            "portal_kind": "citizen",
            "bsn_claim": bsn_claim,
            "scope": scope or ["openid", "bsn"],
            "oauth_pkce_enabled": True,
        },
    }


def staff_app(
    *,
    server_url: str,
    client_id: str,
    secret: str,
    role_source: str = ROLE_SOURCE_RECORD,
    role_claim: str = "beschutwerk_role",
    municipality_claim: str = "beschutwerk_municipality",
    roles: list[str] | None = None,
    municipalities: list[str] | None = None,
    mfa_amr: list[str] | None = None,
    mfa_acr: list[str] | None = None,
    scope: list[str] | None = None,
) -> dict:
    """The municipality's identity provider for consultants and administrators."""
    if role_source not in ROLE_SOURCES:
        raise ValueError(f"OIDC_STAFF_ROLE_SOURCE must be one of {', '.join(ROLE_SOURCES)}")
    return {
        "provider_id": STAFF_PROVIDER_ID,
        "name": "Gemeente",
        "client_id": client_id,
        "secret": secret,
        "settings": {
            "server_url": server_url,
            "portal_kind": "staff",
            "role_source": role_source,
            "role_claim": role_claim,
            "municipality_claim": municipality_claim,
            "roles": roles or ["consultant", "municipal_admin"],
            "municipalities": [code.upper() for code in municipalities or []],
            "mfa_amr": mfa_amr or [],
            "mfa_acr": mfa_acr or [],
            "scope": scope or ["openid", "email", "profile"],
            "oauth_pkce_enabled": True,
            # The municipality's IdP vouches for the addresses it issues.
            "verified_email": True,
        },
    }
