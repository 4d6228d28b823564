"""What a sign-in through OpenID Connect leaves in the session, and the logout at the provider.

**The second factor of staff.** Staff must use a second factor (``portal.mfa``). A sign-in at
the municipality's IdP counts as one only when its ID token says so: an ``amr`` value listed in
``OIDC_STAFF_MFA_AMR`` or an ``acr`` listed in ``OIDC_STAFF_MFA_ACR``. Then the portal asks no
TOTP code of its own for that session. Otherwise (the default: both lists empty) the portal asks
its own TOTP code after the IdP, as after a password.

**Logout.** The portal ends its own session; if the sign-in came from a provider that offers an
``end_session_endpoint`` (OpenID Connect RP-Initiated Logout), the browser is then sent there
with the ID token as hint, and the provider sends it back to the portal's start page.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from allauth.account.signals import user_logged_in
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver

from ..middleware import SESSION_KEY as STAFF_MFA_SESSION_KEY
from .provider import STAFF, id_token_claims, kind_of

logger = logging.getLogger(__name__)

#: Session key: the provider the user signed in with, and the ID token as logout hint.
LOGOUT_SESSION_KEY = "portal_oidc_logout"
#: Key in ``SocialLogin.state`` that carries the raw ID token past a TOTP step.
ID_TOKEN_STATE_KEY = "portal_id_token"


def idp_second_factor(app, claims: dict) -> bool:
    """Whether the municipality's IdP says the person used a second factor."""
    if kind_of(app) != STAFF:
        return False
    trusted_amr = set(app.settings.get("mfa_amr") or [])
    trusted_acr = set(app.settings.get("mfa_acr") or [])
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return bool(trusted_amr.intersection(amr)) or claims.get("acr") in trusted_acr


def _sociallogin_of(login):
    return (getattr(login, "signal_kwargs", None) or {}).get("sociallogin")


class IdPAwareAuthenticateStage(AuthenticateStage):
    """allauth's TOTP step, skipped when the staff IdP vouched for a second factor."""

    def _should_handle(self, request) -> bool:
        sociallogin = _sociallogin_of(self.login)
        if sociallogin is not None and idp_second_factor(
            sociallogin.provider.app, id_token_claims(sociallogin.account.extra_data)
        ):
            return False
        return super()._should_handle(request)


@receiver(user_logged_in)
def _remember_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    """After every sign-in: which provider (for the logout) and whether the IdP's second
    factor counts for this session."""
    if request is None or not hasattr(request, "session"):
        return
    if sociallogin is None:
        request.session.pop(LOGOUT_SESSION_KEY, None)
        return
    app = sociallogin.provider.app
    request.session[LOGOUT_SESSION_KEY] = {
        "provider_id": app.provider_id,
        "id_token": sociallogin.state.get(ID_TOKEN_STATE_KEY, ""),
    }
    if idp_second_factor(app, id_token_claims(sociallogin.account.extra_data)):
        request.session[STAFF_MFA_SESSION_KEY] = True


def end_session_url(request, return_to: str) -> str | None:
    """Where the browser goes to sign out at the provider too, or None (signed in otherwise,
    or the provider has no logout endpoint or cannot be reached: the portal's own session
    ends all the same)."""
    if not request.user.is_authenticated:
        return None
    signed_in = request.session.get(LOGOUT_SESSION_KEY)
    if not signed_in:
        return None
    try:
        provider = get_adapter(request).get_provider(request, signed_in["provider_id"])
        endpoint = provider.get_oauth2_adapter(request).openid_config.get("end_session_endpoint")
    except requests.RequestException as error:
        logger.warning("OpenID Connect provider unreachable at logout: %s", type(error).__name__)
        return None
    except (SocialApp.DoesNotExist, ImproperlyConfigured):  # no longer configured
        logger.warning("OpenID Connect provider of this session is no longer configured")
        return None
    if not endpoint:
        return None
    params = {"client_id": provider.app.client_id, "post_logout_redirect_uri": return_to}
    if signed_in.get("id_token"):
        params["id_token_hint"] = signed_in["id_token"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
