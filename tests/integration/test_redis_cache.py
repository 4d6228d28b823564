"""``portal.cache.ReusingRedisCache`` behaves as a cache and builds one client per
connection pool."""

from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.cache.backends.redis import RedisCache

from portal.cache import ReusingRedisCache

REDIS_URL = os.environ.get("REDIS_URL")
USES_REUSING_CACHE = (
    django_settings.CACHES["default"]["BACKEND"] == "portal.cache.ReusingRedisCache"
)

needs_reusing_cache = pytest.mark.skipif(
    not USES_REUSING_CACHE, reason="the default cache is not portal.cache.ReusingRedisCache"
)
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")


def assert_works_as_a_cache(cache) -> None:
    key = f"k-{uuid.uuid4().hex}"
    other = f"o-{uuid.uuid4().hex}"
    try:
        assert cache.get(key) is None
        assert cache.get(key, "default") == "default"
        cache.set(key, {"state": "draft", "n": [1, 2]}, timeout=60)
        assert cache.get(key) == {"state": "draft", "n": [1, 2]}
        cache.set(other, 10, timeout=60)
        assert cache.incr(other) == 11
        assert cache.incr(other, 5) == 16
        assert cache.get(other) == 16
        assert cache.get_many([key, other, "missing-" + key]) == {
            key: {"state": "draft", "n": [1, 2]},
            other: 16,
        }
        assert cache.delete(key) is True
        assert cache.delete(key) is False
        assert cache.get(key) is None
        with pytest.raises(ValueError):
            cache.incr(key)
    finally:
        cache.delete_many([key, other])


def record_clients(monkeypatch, client_cache) -> tuple[list, list]:
    """The clients ``get_client`` returns, and the ``redis.Redis`` objects it builds."""
    returned, built = [], []
    get_client, make_client = client_cache.get_client, client_cache._client

    def recording_get_client(*args, **kwargs):
        returned.append(get_client(*args, **kwargs))
        return returned[-1]

    def recording_make_client(*args, **kwargs):
        built.append(make_client(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(client_cache, "get_client", recording_get_client)
    monkeypatch.setattr(client_cache, "_client", recording_make_client)
    return returned, built


@needs_reusing_cache
def test_the_default_cache_reuses_one_client(monkeypatch):
    from django.core.cache import cache

    assert isinstance(cache._cache.get_client(), type(cache._cache.get_client()))
    assert cache._cache.get_client() is cache._cache.get_client()
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    returned, built = record_clients(monkeypatch, cache._cache)
    cache.get("a")
    cache.get("b")
    cache.set("c", 1, timeout=5)
    cache.delete("c")
    assert len(returned) == 4
    assert all(client is returned[0] for client in returned)
    assert built == []


@needs_reusing_cache
def test_the_default_cache_works():
    from django.core.cache import cache

    assert_works_as_a_cache(cache)


@needs_redis
def test_the_backend_reuses_one_client_per_connection_pool(monkeypatch):
    cache = ReusingRedisCache(REDIS_URL, {"KEY_PREFIX": "test-reuse"})
    returned, built = record_clients(monkeypatch, cache._cache)
    for n in range(5):
        cache.get(f"missing-{n}")
    assert len(returned) == 5
    assert len(built) == 1
    assert all(client is built[0] for client in returned)
    assert built[0].connection_pool is cache._cache._get_connection_pool(False)


@needs_redis
def test_the_backend_works():
    assert_works_as_a_cache(ReusingRedisCache(REDIS_URL, {"KEY_PREFIX": "test-reuse"}))


@needs_redis
def test_the_backend_keeps_a_client_for_each_pool():
    # Two servers: writes go to the first pool, reads to the second.
    cache = ReusingRedisCache(f"{REDIS_URL};{REDIS_URL}", {"KEY_PREFIX": "test-reuse"})
    reader, writer = cache._cache.get_client(), cache._cache.get_client(write=True)
    assert reader is not writer
    assert reader is cache._cache.get_client()
    assert writer is cache._cache.get_client(write=True)
    assert reader.connection_pool is cache._cache._get_connection_pool(False)
    assert writer.connection_pool is cache._cache._get_connection_pool(True)
    assert reader.connection_pool is not writer.connection_pool
    assert_works_as_a_cache(cache)


@needs_redis
def test_djangos_own_backend_would_fail_the_reuse_check():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "test-reuse"})
    assert cache._cache.get_client() is not cache._cache.get_client()
