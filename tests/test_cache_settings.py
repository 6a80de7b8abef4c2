"""CACHE_URL picks the cache (config/env.py), and a cache server that is down
or unreachable costs cache misses, never an error page
(core/cache_backends.py)."""

import logging
import socket

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from config.env import cache_from_url
from core import cache_backends
from tests.factories import make_paper
from tests.security.test_deploy_settings import PRODUCTION, manage

REDIS = "core.cache_backends.ResilientRedisCache"


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("redis://127.0.0.1:6379/0", REDIS, "redis://127.0.0.1:6379/0"),
        ("redis://:secret@cache.internal", REDIS, "redis://:secret@cache.internal"),
        ("rediss://cache.internal:6380/2", REDIS, "rediss://cache.internal:6380/2"),
        ("unix:///run/redis/redis.sock?db=1", REDIS, "unix:///run/redis/redis.sock?db=1"),
        ("redis+socket:///run/redis/redis.sock", REDIS, "unix:///run/redis/redis.sock"),
        (" locmem:// ", "django.core.cache.backends.locmem.LocMemCache", ""),
        ("dummy://", "django.core.cache.backends.dummy.DummyCache", ""),
    ],
)
def test_cache_urls_name_a_backend_and_its_server(url, backend, location):
    entry = cache_from_url("CACHE_URL", url)
    assert (entry["BACKEND"], entry["LOCATION"]) == (backend, location)
    if backend == REDIS:
        # A down or unreachable server must answer within a bounded time.
        assert entry["OPTIONS"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("memcached://127.0.0.1:11211", "must be a redis://"),
        ("127.0.0.1:6379", "must be a redis://"),
        ("redis://127.0.0.1:port/0", "the port must be a number"),
        ("redis://127.0.0.1:6379/zero", "the database number must be a whole number"),
        ("redis:///0", "the host is missing"),
        ("unix://redis.sock", "unix:///absolute/path/redis.sock"),
        ("unix:///run/redis.sock?db=x", "the database number must be a whole number"),
    ],
)
def test_a_bad_cache_url_says_what_is_wrong(url, says):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL") as error:
        cache_from_url("CACHE_URL", url)
    assert says in str(error.value) and repr(url) in str(error.value)


def test_a_bad_cache_url_stops_the_start_with_that_message():
    result = manage("check", **PRODUCTION, CACHE_URL="redis://cache.internal:63790000")
    assert result.returncode != 0
    assert "CACHE_URL is not a usable Redis URL (the port must be a number" in result.stderr


def test_without_cache_url_each_process_keeps_its_own_memory_cache():
    code = "from django.core.cache import caches; print(type(caches['default']))"
    result = manage("shell", "-c", code, **PRODUCTION, CACHE_URL="")
    assert result.returncode == 0, result.stderr
    assert "LocMemCache" in result.stdout


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dead_redis(tmp_path):
    """The Redis cache pointed at a server that is not there (as after a
    crash): a socket path nothing listens on, or a closed loopback port."""
    entry = cache_from_url("CACHE_URL", f"unix://{tmp_path}/gone.sock")
    with override_settings(CACHES={"default": entry}):
        yield
    cache_backends._skip_until.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/papers/", "/papers/pythia/", "/api/v1/papers/pythia"])
def test_pages_are_served_while_the_cache_server_is_down(client, dead_redis, caplog, url):
    make_paper("Pythia", year=2023)
    with caplog.at_level(logging.WARNING, logger="core.cache_backends"):
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200
            assert b"Pythia" in response.content
    # Said once, then the server is left alone for a while.
    warnings = [r for r in caplog.records if r.name == "core.cache_backends"]
    assert len(warnings) == 1
    assert "Cache server unavailable" in warnings[0].getMessage()


def test_a_down_server_is_a_miss_and_is_tried_again_later(monkeypatch, caplog):
    entry = cache_from_url("CACHE_URL", f"redis://127.0.0.1:{unused_port()}/0")
    now = [1000.0]
    monkeypatch.setattr(cache_backends.time, "monotonic", lambda: now[0])
    with override_settings(CACHES={"default": entry}), caplog.at_level(logging.WARNING):
        assert cache.get("key", "default") == "default"
        assert cache.set("key", "value") is None
        assert cache.add("key", "value") is False
        assert cache.get_many(["key"]) == {}
        assert len(caplog.records) == 1  # the first failure; then skipped
        now[0] += cache_backends.RETRY_AFTER + 1
        assert cache.get("key") is None
        assert len(caplog.records) == 2  # tried again, and still down
    cache_backends._skip_until.clear()
