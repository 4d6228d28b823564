"""The settings work in every mode, and production mode passes Django's deployment check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "beschutwerk.example.nl",
}


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "REDIS_URL",
            "EMAIL_HOST",
            "OIDC_DIGID_SERVER_URL",
            "OIDC_STAFF_SERVER_URL",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    clean.update({"VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def show_setting(name: str, env: dict[str, str], tmp_path: Path) -> str:
    result = run_manage(
        "shell",
        "-c",
        f"from django.conf import settings; print(repr(settings.{name}))",
        env=env,
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_mode_passes_check_deploy_with_zero_warnings(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_mode_refuses_to_start_without_secrets(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = run_manage("check", env=env, tmp_path=tmp_path)

    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_embedded_defaults_use_sqlite_filesystem_broker_file_cache_and_mail_folder(tmp_path):
    assert "sqlite3" in show_setting("DATABASES['default']['ENGINE']", {}, tmp_path)
    assert show_setting("CELERY_BROKER_URL", {}, tmp_path) == "'filesystem://'"
    assert "FileBasedCache" in show_setting("CACHES['default']['BACKEND']", {}, tmp_path)
    assert "filebased" in show_setting("EMAIL_BACKEND", {}, tmp_path)


def test_service_urls_switch_to_postgresql_redis_and_smtp(tmp_path):
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_HOST": "smtp.example.nl",
    }
    assert "postgresql" in show_setting("DATABASES['default']['ENGINE']", env, tmp_path)
    assert show_setting("DATABASES['default']['CONN_MAX_AGE']", env, tmp_path) == "60"
    assert show_setting("CELERY_BROKER_URL", env, tmp_path) == "'redis://127.0.0.1:6379/0'"
    assert "RedisCache" in show_setting("CACHES['default']['BACKEND']", env, tmp_path)
    assert "smtp" in show_setting("EMAIL_BACKEND", env, tmp_path)
    assert show_setting("CACHES['default']['OPTIONS']['IGNORE_EXCEPTIONS']", env, tmp_path) == (
        "True"
    )
    assert show_setting("SESSION_ENGINE", env, tmp_path) == "'django.contrib.sessions.backends.db'"


def test_server_side_cursors_can_be_switched_off_for_pgbouncer(tmp_path):
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal"}
    key = "DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']"
    assert show_setting(key, env, tmp_path) == "False"
    assert show_setting(key, {**env, "DISABLE_SERVER_SIDE_CURSORS": "1"}, tmp_path) == "True"


def test_openid_connect_providers_come_from_the_environment(tmp_path):
    apps = "SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS']"
    assert show_setting(apps, {}, tmp_path) == "[]"
    env = {
        "OIDC_DIGID_SERVER_URL": "https://broker.example/oidc",
        "OIDC_DIGID_CLIENT_ID": "portal",
        "OIDC_DIGID_CLIENT_SECRET": "geheim",
        "OIDC_DIGID_BSN_CLAIM": "urn:nl:bsn",
        "OIDC_STAFF_SERVER_URL": "https://login.gemeente.example",
        "OIDC_STAFF_ROLE_SOURCE": "claims",
        "OIDC_STAFF_MUNICIPALITIES": "gm0363",
        "OIDC_STAFF_MFA_AMR": "mfa,otp",
    }
    shown = show_setting(apps, env, tmp_path)
    assert "'provider_id': 'digid'" in shown and "'provider_id': 'gemeente'" in shown
    assert "'server_url': 'https://broker.example/oidc'" in shown
    assert "'bsn_claim': 'urn:nl:bsn'" in shown
    assert "'server_url': 'https://login.gemeente.example'" in shown
    assert "'role_source': 'claims'" in shown and "'municipalities': ['GM0363']" in shown
    assert "'mfa_amr': ['mfa', 'otp']" in shown
    # The sign-in buttons post to the portal, which redirects to the providers.
    form_action = show_setting(
        "CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']", env, tmp_path
    )
    assert form_action == "[\"'self'\", 'https://broker.example', 'https://login.gemeente.example']"


def test_an_unknown_staff_role_source_refuses_to_start(tmp_path):
    env = {"OIDC_STAFF_SERVER_URL": "https://idp.example", "OIDC_STAFF_ROLE_SOURCE": "both"}

    result = run_manage("check", env=env, tmp_path=tmp_path)

    assert result.returncode != 0
    assert "OIDC_STAFF_ROLE_SOURCE must be one of record, claims" in result.stderr


def test_the_embedded_broker_keeps_its_control_folder_under_var_dir(tmp_path):
    options = show_setting("CELERY_BROKER_TRANSPORT_OPTIONS", {}, tmp_path)
    assert f"'control_folder': '{tmp_path}" in options


def test_pages_carry_security_headers_and_a_csp_without_unsafe_inline(client):
    response = client.get("/")

    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_cache_is_real_in_every_mode(settings):
    from django.core.cache import cache

    assert "DummyCache" not in settings.CACHES["default"]["BACKEND"]
    cache.set("probe", "value", 30)
    assert cache.get("probe") == "value"
