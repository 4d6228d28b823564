"""The API's OpenAPI 3 schema and its documentation page (issue #24)."""

from __future__ import annotations

import json

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    # --fail-on-warn: an endpoint whose schema drf-spectacular must guess fails the test.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    schema = yaml.safe_load((tmp_path / "s.yaml").read_text())
    assert schema["openapi"].startswith("3.")


def test_the_schema_is_served_at_a_stable_address_without_a_token(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    paths = set(schema["paths"])
    assert {
        "/api/v1/uwv/queue/",
        "/api/v1/uwv/cases/{id}/",
        "/api/v1/uwv/cases/{id}/advice/",
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/decision/",
        "/api/v1/cases/{id}/placement/",
        "/api/v1/decisions/",
        "/api/v1/placements/",
        "/api/v1/waiting-list/",
    } <= paths
    flow = schema["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/api/v1/token/"
    assert set(flow["scopes"]) == {"uwv.read", "uwv.advice", "cases.read", "cases.write"}
    advice = schema["paths"]["/api/v1/uwv/cases/{id}/advice/"]["post"]
    assert advice["security"] == [{"oauth2": ["uwv.advice"]}]
    assert {"201", "400", "401", "403", "404", "429"} <= set(advice["responses"])


def test_the_schema_speaks_the_asked_language(client):
    english = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    # Dutch last: the language of the last request stays active in this thread.
    dutch = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="nl").json()
    path = "/api/v1/cases/{id}/decision/"
    assert english["paths"][path]["post"]["summary"] == "Record the decision"
    assert dutch["paths"][path]["post"]["summary"] == "Besluit vastleggen"


def test_the_docs_page_needs_no_cdn_and_no_inline_script(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html and "<style" not in html
    assert "https://" not in html and "http://cdn" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert f"drf_spectacular_sidecar/swagger-ui-dist/{asset}" in html
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}")
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()
