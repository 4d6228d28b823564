"""allauth's OpenID Connect login and callback, and the page that says why a sign-in did not
go through.

The views are allauth's (``OAuth2LoginView``, ``OAuth2CallbackView``) on an adapter that also
keeps the raw ID token (the hint for the logout at the provider). A provider that cannot be
reached when the sign-in starts gets the same Dutch page as one that fails halfway: 503, and
nothing stored.
"""

from __future__ import annotations

import logging

import requests
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

#: Why a sign-in did not go through: what the person reads, and the HTTP status.
REASONS = {
    "unavailable": (
        _(
            "The sign-in service cannot be reached at the moment. Nothing has been saved. "
            "Please try again in a few minutes."
        ),
        503,
    ),
    "failed": (
        _("Signing in did not work. Nothing has been saved. Please try again."),
        400,
    ),
    "bsn_missing": (
        _(
            "DigiD did not give us your citizen service number (BSN), so we cannot find your "
            "file. Nothing has been saved. Please try again later or contact your municipality."
        ),
        403,
    ),
    "bsn_invalid": (
        _(
            "DigiD gave us a citizen service number (BSN) that is not valid. Nothing has been "
            "saved. Please contact your municipality."
        ),
        403,
    ),
    "not_a_citizen_account": (
        _(
            "This DigiD belongs to an account of a staff member. Staff sign in with the "
            "button for staff."
        ),
        403,
    ),
    "connect_not_supported": (
        _("A DigiD or municipal account cannot be added to an account that already exists."),
        403,
    ),
    "no_account": (
        _(
            "There is no account in the portal for you yet. Ask the administrator of your "
            "municipality to create one with your work e-mail address."
        ),
        403,
    ),
    "no_email": (
        _(
            "Your municipality's sign-in service did not give us your e-mail address. Ask "
            "your IT department to release it to the portal."
        ),
        403,
    ),
    "inactive": (
        _("Your account has been switched off. Ask the administrator of your municipality."),
        403,
    ),
    "role_not_allowed": (
        _(
            "Your account cannot sign in with your municipality's account. Sign in with your "
            "e-mail address and password."
        ),
        403,
    ),
    "unknown_role": (
        _(
            "Your municipality's sign-in service gave you a role that the portal does not "
            "know. Ask your IT department to check your role."
        ),
        403,
    ),
    "unknown_municipality": (
        _(
            "Your municipality's sign-in service gave no municipality, or one that the portal "
            "does not know or does not accept from it. Ask your IT department to check it."
        ),
        403,
    ),
    "conflict": (
        _(
            "Your role or municipality in the portal differs from what your municipality's "
            "sign-in service says. Nothing has been changed. Ask the administrator of your "
            "municipality to make them the same."
        ),
        403,
    ),
}


def refusal(request: HttpRequest, code: str) -> HttpResponse:
    """The Dutch page for a sign-in that did not go through, with its status."""
    message, status = REASONS.get(code, REASONS["failed"])
    return render(request, "account/oidc_refused.html", {"message": message}, status=status)


class PortalOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """Keeps the raw ID token of the sign-in on the social login (in memory)."""

    def complete_login(self, request, app, token, **kwargs):
        sociallogin = super().complete_login(request, app, token, **kwargs)
        sociallogin.portal_id_token = kwargs["response"].get("id_token") or ""
        return sociallogin


def _unavailable(request: HttpRequest, provider_id: str, error: Exception) -> HttpResponse:
    logger.warning("OpenID Connect provider %s unreachable: %s", provider_id, type(error).__name__)
    return refusal(request, "unavailable")


@login_not_required
def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        view = OAuth2LoginView.adapter_view(PortalOIDCAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    except requests.RequestException as error:
        return _unavailable(request, provider_id, error)


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        view = OAuth2CallbackView.adapter_view(PortalOIDCAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    except requests.RequestException as error:  # the discovery document, before the callback
        return _unavailable(request, provider_id, error)
