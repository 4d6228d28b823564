"""allauth's OpenID Connect provider, with what the portal needs of it.

``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]`` puts this class in the place of
allauth's own. For the DigiD broker it

- reads the BSN from its claim (``bsn_claim``) and checks it (nine digits, the 11-proef);
  a missing or invalid BSN ends the sign-in with a Dutch page, before anything is stored;
- identifies the account by a keyed hash of the BSN, not by the broker's ``sub`` (brokers may
  give a new ``sub`` per session, or the BSN itself), so ``SocialAccount.uid`` never holds a
  BSN;
- leaves the BSN out of ``SocialAccount.extra_data``: it is kept in memory for this request
  only (``sociallogin.portal_bsn``), to link the account to the person's file.

For both providers it keeps the raw ID token of the sign-in in memory
(``sociallogin.portal_id_token``), as the hint for the logout at the provider.
"""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.conf import settings
from django.utils.crypto import salted_hmac
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.nl import bsn as stdnum_bsn

CITIZEN = "citizen"
STAFF = "staff"


class SignInRefused(ProviderException):
    """The provider answered, but the portal does not let this sign-in through. ``code`` says
    why (see ``portal.oidc.views.REASONS``); the message never holds personal data."""

    def __init__(self, code: str, status: int = 403) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


def kind_of(app) -> str | None:
    """``citizen`` (the DigiD broker), ``staff`` (the municipality's IdP) or None."""
    return (getattr(app, "settings", None) or {}).get("portal_kind")


def claims_of(response: dict) -> dict:
    """The claims of a sign-in: the ID token's, overlaid with the userinfo answer's."""
    claims: dict[str, Any] = {}
    for part in ("id_token", "userinfo"):
        if isinstance(response.get(part), dict):
            claims.update(response[part])
    return claims


def id_token_claims(extra_data: dict) -> dict:
    """The ID token's claims as allauth keeps them in ``SocialAccount.extra_data``."""
    claims = extra_data.get("id_token")
    return claims if isinstance(claims, dict) else {}


def checked_bsn(value: Any) -> str:
    """The BSN of a claim, as nine digits; ``SignInRefused`` if absent or not valid."""
    if value is None or value == "":
        raise SignInRefused("bsn_missing")
    try:
        return stdnum_bsn.validate(str(value))
    except StdnumValidationError:
        raise SignInRefused("bsn_invalid") from None


def citizen_uid(bsn: str) -> str:
    """How a DigiD account is found again: a keyed hash of the BSN (``BSN_HASH_KEY``)."""
    return salted_hmac(
        "portal.oidc.citizen_uid", bsn, secret=settings.BSN_HASH_KEY, algorithm="sha256"
    ).hexdigest()


def _without_claim(response: dict, claim: str) -> dict:
    return {
        part: ({k: v for k, v in value.items() if k != claim} if isinstance(value, dict) else value)
        for part, value in response.items()
    }


class PortalOpenIDConnectProvider(OpenIDConnectProvider):
    # The login and callback views are the portal's (``portal.oidc.urls``), under the same
    # URL names as allauth's.
    package = "portal.oidc"

    def sociallogin_from_response(self, request, response):
        bsn = None
        if kind_of(self.app) == CITIZEN:
            claim = self.app.settings.get("bsn_claim", "bsn")
            bsn = checked_bsn(claims_of(response).get(claim))
            response = _without_claim(response, claim)
        sociallogin = super().sociallogin_from_response(request, response)
        if bsn is not None:
            sociallogin.account.uid = citizen_uid(bsn)
        sociallogin.portal_bsn = bsn
        return sociallogin
