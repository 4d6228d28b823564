"""How the OpenAPI schema describes the API's sign-in: OAuth2 client credentials, with the
scope each operation needs (drf-spectacular extension; imported by ``cases.api.urls``)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from portal.models import API_SCOPES


class ClientCredentialsScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api_clients.ClientAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": reverse("api:token"),
                    "scopes": {scope: str(text) for scope, text in API_SCOPES.items()},
                }
            },
        }

    def get_security_requirement(self, auto_schema):
        view = auto_schema.view
        read = auto_schema.method in ("GET", "HEAD", "OPTIONS")
        scope = view.read_scope if read else view.write_scope
        return {self.name: [scope]}
