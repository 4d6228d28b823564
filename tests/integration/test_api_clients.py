"""Making and managing clients of the case exchange API (issue #24): the command that shows
the secret once, and the Django admin."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from oauth2_provider.models import Application

from cases.audit.models import AuditEntry
from portal.models import ApiClient, Role
from tests.factories import UserFactory
from tests.integration.conftest import get_token, sign_in

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = io.StringIO()
    call_command("create_api_client", *args, stdout=out)
    return dict(
        line.split(":", 1) for line in out.getvalue().splitlines() if line.startswith("Client")
    ) | {"output": out.getvalue()}


def test_the_command_creates_a_back_office_client_and_shows_its_secret_once(client, amsterdam):
    printed = run("Zaaksysteem", "--municipality", "gm0363")
    client_id, secret = printed["Client ID"].strip(), printed["Client secret"].strip()
    api_client = ApiClient.objects.get(application__client_id=client_id)
    assert api_client.account.role == Role.CONSULTANT
    assert api_client.account.municipality == amsterdam
    assert api_client.scope_list == ["cases.read", "cases.write"]
    assert secret not in Application.objects.get(client_id=client_id).client_secret
    assert get_token(client, api_client, secret).status_code == 200
    assert AuditEntry.objects.filter(action="api_client_created", object_id=str(api_client.pk))


def test_the_command_creates_a_uwv_client_with_the_scopes_asked(client):
    printed = run("UWV rapportage", "--uwv", "--scopes", "uwv.read")
    api_client = ApiClient.objects.get(application__client_id=printed["Client ID"].strip())
    assert api_client.account.role == Role.UWV_ASSESSOR
    assert api_client.account.municipality is None
    assert api_client.scope_list == ["uwv.read"]


@pytest.mark.parametrize(
    "args",
    [
        ("Zaaksysteem", "--municipality", "GM9999"),
        ("Zaaksysteem",),
        ("", "--uwv"),
        ("Zaaksysteem", "--uwv", "--scopes", "cases.write"),
        ("--new-secret", "no-such-client"),
    ],
)
def test_the_command_refuses_what_it_cannot_make(amsterdam, args):
    with pytest.raises(CommandError):
        run(*args)
    assert not ApiClient.objects.exists()


def test_a_new_secret_replaces_the_old_one_and_its_tokens(client, api_clients):
    api_client, old = api_clients["uwv"]
    token = get_token(client, api_client, old).json()["access_token"]
    printed = run("--new-secret", api_client.application.client_id)
    new = printed["Client secret"].strip()
    assert new != old
    assert get_token(client, api_client, old).status_code == 401
    assert get_token(client, api_client, new).status_code == 200
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/uwv/queue/", **headers).status_code == 401


def test_operators_see_rename_rescope_and_switch_off_clients_in_the_admin(client, api_clients):
    operator = UserFactory(operator=True)
    sign_in(client, operator)
    api_client, secret = api_clients["amsterdam"]
    listing = client.get(reverse("admin:portal_apiclient_changelist"))
    assert listing.status_code == 200
    assert "Zaaksysteem Amsterdam" in listing.content.decode()
    url = reverse("admin:portal_apiclient_change", args=[api_client.pk])
    page = client.get(url)
    assert api_client.application.client_id in page.content.decode()
    assert secret not in page.content.decode()

    refused = client.post(url, {"name": "Zaaksysteem", "scopes": "uwv.advice", "is_active": "on"})
    assert refused.status_code == 200  # the form again, with the error
    api_client.refresh_from_db()
    assert api_client.scopes == "cases.read cases.write"

    saved = client.post(url, {"name": "Zaak-API", "scopes": "cases.read"})
    assert saved.status_code == 302
    api_client.refresh_from_db()
    assert (api_client.name, api_client.scopes, api_client.is_active) == (
        "Zaak-API",
        "cases.read",
        False,
    )
    assert str(api_client.account).startswith("Zaak-API")
    assert get_token(client, api_client, secret).status_code == 401
    assert client.get(reverse("admin:portal_apiclient_add")).status_code == 403
