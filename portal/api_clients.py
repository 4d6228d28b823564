"""Machine clients of the case exchange API (issue #24, ``docs/api.md``): how one is made,
which scopes it may ask for, and who it acts as once it shows its token.

A client asks django-oauth-toolkit's token endpoint for a token with OAuth2 client credentials
(grant ``client_credentials``). ``ClientValidator`` refuses an inactive client there;
``ClientScopes`` limits its token to the scopes it was given; ``ClientAuthentication`` turns
its token into its account (``ApiClient.account``) for Django REST framework.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from rest_framework.exceptions import AuthenticationFailed

from .models import API_SCOPES, API_SCOPES_BY_ROLE, ApiClient, Role, User

#: The accounts of API clients have an address in this domain, which never receives mail
#: (RFC 2606): nobody can reset their password or read their notifications.
ACCOUNT_DOMAIN = "api-client.invalid"


def client_of(application) -> ApiClient | None:
    """The API client of an OAuth2 application, with its account (None: not an API client)."""
    if application is None:
        return None
    return ApiClient.objects.select_related("account").filter(application=application).first()


def is_usable(client: ApiClient | None) -> bool:
    return client is not None and client.is_active and client.account.is_active


@transaction.atomic
def create_api_client(
    *, name: str, role: Role, municipality=None, scopes: list[str] | None = None
) -> tuple[ApiClient, str]:
    """A new client, its account and its OAuth2 application; returns the client and its
    secret, which is stored hashed and cannot be read again.

    ``role``: ``Role.UWV_ASSESSOR`` for a UWV system (no municipality), ``Role.CONSULTANT`` for
    a municipality's back office (its ``municipality``). ``scopes``: by default all its role
    allows."""
    allowed = API_SCOPES_BY_ROLE.get(Role(role))
    if allowed is None:
        raise ValueError(f"an API client acts as UWV or as a consultant, not as {role}")
    if (municipality is None) != (role == Role.UWV_ASSESSOR):
        raise ValueError("a back office has a municipality; a UWV system has none")
    scopes = list(allowed if scopes is None else scopes)
    if not scopes or not set(scopes) <= set(allowed):
        raise ValueError(f"scopes for this role: {' '.join(allowed)}")
    account = User.objects.create_user(
        email=f"api-{uuid.uuid4().hex}@{ACCOUNT_DOMAIN}",
        password=None,  # unusable: the account never signs in on the website
        role=role,
        municipality=municipality,
        first_name=name,
        last_name="(API)",
    )
    application_model = get_application_model()
    secret = generate_client_secret()
    application = application_model.objects.create(
        name=name,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
    )
    client = ApiClient.objects.create(
        name=name, account=account, application=application, scopes=" ".join(scopes)
    )
    return client, secret


@transaction.atomic
def new_client_secret(client: ApiClient) -> str:
    """Give the client a new secret (the old one stops working; its tokens too)."""
    application = client.application
    secret = generate_client_secret()
    application.client_secret = secret
    application.save(update_fields=["client_secret"])
    get_access_token_model().objects.filter(application=application).delete()
    return secret


class ClientScopes(BaseScopes):
    """A token carries only scopes the client was given (``ApiClient.scopes``), and all of them
    when the client asks for none."""

    def get_all_scopes(self):
        return dict(API_SCOPES)

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        client = client_of(application)
        return client.scope_list if is_usable(client) else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request, *args, **kwargs)


class ClientValidator(OAuth2Validator):
    """django-oauth-toolkit's validator, which also refuses a client that is not active (or an
    application that is no API client) at the token endpoint."""

    def authenticate_client(self, request, *args, **kwargs):
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        return is_usable(client_of(request.client))


class ClientAuthentication(OAuth2Authentication):
    """A valid bearer token of an active client: the request is made by the client's account
    (``request.user``; the client is ``request.user.api_client``)."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None:
            return None
        _user, token = found
        client = client_of(token.application)
        if not is_usable(client):
            raise AuthenticationFailed(_("This API client is not active."))
        return client.account, token
