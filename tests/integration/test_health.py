import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_cache_and_broker(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["checks"] == {"database": True, "cache": True, "broker": True}
    # No worker has run the heartbeat in this test: degraded, not unavailable.
    assert body["status"] == "degraded"


def test_readyz_is_degraded_not_unavailable_when_the_broker_is_unreachable(client, settings):
    from portal.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"] is False


def test_readyz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    client.get("/healthz")  # the test client's request machinery set up first
    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] is False


def test_readyz_is_ok_when_everything_answers_and_a_worker_beats(client):
    from portal.tasks import heartbeat

    heartbeat.apply()
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_reports_the_worker_heartbeat_after_the_task_ran(client):
    from portal.tasks import heartbeat

    assert client.get("/readyz").json()["worker"]["ok"] is False

    heartbeat.apply()

    worker = client.get("/readyz").json()["worker"]
    assert worker["ok"] is True
    assert worker["last_heartbeat_seconds_ago"] <= 1
