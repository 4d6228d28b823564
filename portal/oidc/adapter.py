"""Who may sign in as whom through OpenID Connect (``SOCIALACCOUNT_ADAPTER``).

**Citizens (DigiD broker).** The account is found by the BSN the broker vouched for (see
``portal.oidc.provider``); a first sign-in creates a citizen account without an e-mail address.
At every sign-in the account is linked to the person on file under that BSN
(``cases.services.link_account_by_bsn``).

**Staff (the municipality's IdP).** ``OIDC_STAFF_ROLE_SOURCE`` chooses where role and
municipality come from, never both:

- ``record``: from the portal's own account, found by the IdP's e-mail address at the first
  sign-in and by the IdP's ``sub`` after that. No account, no sign-in. If the IdP also sends
  role or municipality claims and they differ from the account, the sign-in is refused.
- ``claims``: from the IdP's claims at every sign-in. A first sign-in creates the account; an
  account made in the portal by hand is linked only if it agrees with the claims; an account
  linked before follows the claims (audited, ``municipalities.services.update_staff_from_idp``).

Only the roles in ``OIDC_STAFF_ROLES`` (consultants and administrators by default) and, if set,
the municipalities in ``OIDC_STAFF_MUNICIPALITIES`` sign in this way: operators and UWV
assessors keep their password and TOTP. Every refusal is a Dutch page, decided before anything
is stored; what is stored is stored in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthError, AuthProcess
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction

from cases import services as case_services
from cases.audit.trail import audited, origin_of
from municipalities import selectors as municipality_selectors
from municipalities import services as municipality_services
from municipalities.models import Municipality

from ..models import MUNICIPAL_ROLES, Role, User
from .config import ROLE_SOURCE_CLAIMS
from .provider import CITIZEN, STAFF, SignInRefused, claims_of, kind_of
from .session import ID_TOKEN_STATE_KEY
from .views import REASONS, refusal

logger = logging.getLogger(__name__)


def _refuse(request, code: str):
    logger.info("OpenID Connect sign-in refused: %s", code)
    return ImmediateHttpResponse(refusal(request, code))


@dataclass(frozen=True)
class StaffClaims:
    """Role and municipality as the IdP's claims give them (None: not given)."""

    role: str | None
    municipality_code: str | None

    @property
    def given(self) -> bool:
        return self.role is not None or self.municipality_code is not None


def _single(value) -> str | None:
    """A claim's one value: a string, or a list holding one distinct string."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list | tuple):
        values = {str(item).strip() for item in value if str(item).strip()}
        if len(values) != 1:
            raise SignInRefused("unknown_role" if values else "failed")
        return values.pop()
    return str(value).strip() or None


def staff_claims(app, claims: dict, request) -> StaffClaims:
    try:
        return StaffClaims(
            role=_single(claims.get(app.settings["role_claim"])),
            municipality_code=_single(claims.get(app.settings["municipality_claim"])),
        )
    except SignInRefused as refused:
        raise _refuse(request, refused.code) from None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin) -> None:
        app = sociallogin.provider.app
        kind = kind_of(app)
        if kind not in (CITIZEN, STAFF):
            raise _refuse(request, "failed")
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            raise _refuse(request, "connect_not_supported")
        # The raw ID token travels with the login past a TOTP step (``portal.oidc.session``).
        sociallogin.state[ID_TOKEN_STATE_KEY] = getattr(sociallogin, "portal_id_token", "")
        if kind == CITIZEN:
            self._citizen(request, sociallogin)
        else:
            self._staff(request, sociallogin)

    # -- citizens ------------------------------------------------------------------------------

    def _citizen(self, request, sociallogin) -> None:
        if not sociallogin.is_existing:
            return  # a new citizen account: ``save_user``
        user = sociallogin.user
        if user.role != Role.CITIZEN:
            raise _refuse(request, "not_a_citizen_account")
        self._link_person(request, user, sociallogin)

    def _link_person(self, request, user, sociallogin) -> None:
        bsn = getattr(sociallogin, "portal_bsn", None)
        if not bsn:
            return
        try:
            case_services.link_account_by_bsn(bsn=bsn, actor=user, origin=origin_of(request))
        except ValidationError as refused:
            messages.warning(request, refused.messages[0])

    # -- staff ---------------------------------------------------------------------------------

    def _staff(self, request, sociallogin) -> None:
        app = sociallogin.provider.app
        claimed = staff_claims(app, claims_of(sociallogin.account.extra_data), request)
        user = sociallogin.user if sociallogin.is_existing else self._staff_by_email(sociallogin)
        if user is not None and not user.is_active:
            raise _refuse(request, "inactive")
        if app.settings["role_source"] == ROLE_SOURCE_CLAIMS:
            role, municipality = self._role_from_claims(request, app, claimed)
            if user is None:
                self._new_staff(request, sociallogin, role, municipality)
                return
            if user.role not in app.settings["roles"]:
                raise _refuse(request, "conflict")
            differs = (user.role, user.municipality_id) != (role, municipality.pk)
            if differs and not sociallogin.is_existing:
                raise _refuse(request, "conflict")  # an account made by hand: never overwritten
            if differs:
                municipality_services.update_staff_from_idp(
                    user_id=user.pk,
                    role=Role(role),
                    municipality=municipality,
                    actor=user,
                    origin=origin_of(request),
                )
                user.refresh_from_db()
        else:
            if user is None:
                raise _refuse(request, "no_account")
            self._check_record(request, app, user, claimed)
        if not sociallogin.is_existing:
            self._connect(request, sociallogin, user)

    def _staff_by_email(self, sociallogin) -> User | None:
        email = (sociallogin.user.email or "").strip().lower()
        if not email:
            return None
        return User.objects.filter(email__iexact=email).select_related("municipality").first()

    def _role_from_claims(self, request, app, claimed: StaffClaims) -> tuple[str, Municipality]:
        if claimed.role not in Role.values or claimed.role not in app.settings["roles"]:
            raise _refuse(request, "unknown_role")
        if Role(claimed.role) not in MUNICIPAL_ROLES:
            raise _refuse(request, "role_not_allowed")
        municipality = municipality_selectors.municipality_by_code(claimed.municipality_code or "")
        if municipality is None or not self._municipality_accepted(app, municipality):
            raise _refuse(request, "unknown_municipality")
        return claimed.role, municipality

    def _check_record(self, request, app, user: User, claimed: StaffClaims) -> None:
        if user.role not in app.settings["roles"] or user.role not in MUNICIPAL_ROLES:
            raise _refuse(request, "role_not_allowed")
        if not self._municipality_accepted(app, user.municipality):
            raise _refuse(request, "unknown_municipality")
        if claimed.role is not None and claimed.role != user.role:
            raise _refuse(request, "conflict")
        if (
            claimed.municipality_code is not None
            and claimed.municipality_code.upper() != user.municipality.cbs_code
        ):
            raise _refuse(request, "conflict")

    @staticmethod
    def _municipality_accepted(app, municipality: Municipality | None) -> bool:
        accepted = app.settings.get("municipalities") or []
        return municipality is not None and (not accepted or municipality.cbs_code in accepted)

    def _new_staff(self, request, sociallogin, role: str, municipality: Municipality) -> None:
        user = sociallogin.user
        if not user.email:
            raise _refuse(request, "no_email")
        user.role, user.municipality = role, municipality
        user.is_staff = user.is_superuser = False

    def _connect(self, request, sociallogin, user: User) -> None:
        """First sign-in at the IdP of an account that exists in the portal: link them."""
        with (
            audited(
                "link_idp_account",
                actor=user,
                object_type="user",
                object_id=user.pk,
                origin=origin_of(request),
            ),
            transaction.atomic(),
        ):
            sociallogin.connect(request, user)

    # -- allauth's hooks -----------------------------------------------------------------------

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.role = Role.CITIZEN
        user.municipality = None
        user.is_staff = user.is_superuser = False
        if kind_of(sociallogin.provider.app) == CITIZEN:
            user.email = None  # a DigiD account has no e-mail address until the citizen adds one
        else:
            user.email = (user.email or "").strip().lower() or None
        return user

    def save_user(self, request, sociallogin, form=None):
        """A new account, created with its social account in one transaction."""
        kind = kind_of(sociallogin.provider.app)
        with (
            audited(
                "create_account_by_oidc",
                actor=None,
                object_type="user",
                origin=origin_of(request),
            ) as record,
            transaction.atomic(),
        ):
            user = super().save_user(request, sociallogin, form)
            record.object_id = str(user.pk)
        if kind == CITIZEN:
            self._link_person(request, user, sociallogin)
        return user

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True  # the provider vouched for the person; ``pre_social_login`` decided

    def validate_disconnect(self, account, accounts) -> None:
        raise ValidationError(refusal_message("connect_not_supported"))

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        if error == AuthError.CANCELLED:
            return  # allauth's page: "you cancelled"
        if isinstance(exception, SignInRefused):
            raise ImmediateHttpResponse(refusal(request, exception.code))
        logger.warning(
            "OpenID Connect sign-in failed: %s %s",
            error,
            type(exception).__name__ if exception else "",
        )
        unavailable = exception is not None and _is_network_error(exception)
        raise ImmediateHttpResponse(refusal(request, "unavailable" if unavailable else "failed"))


def refusal_message(code: str) -> str:
    return str(REASONS[code][0])


def _is_network_error(exception: Exception) -> bool:
    return isinstance(exception, requests.ConnectionError | requests.Timeout) or (
        isinstance(exception, requests.HTTPError)
        and exception.response is not None
        and exception.response.status_code >= 500
    )
