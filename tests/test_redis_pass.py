"""The redis pass of `make test` (scripts/with-redis, PAPERSHELF_TEST_CACHE=redis)
really runs the cache tests against the Redis server it started: the
`cache`-marked tests then go through ResilientRedisCache to that server."""

import os

import pytest
import redis
from django.core.cache import cache, caches

from core.cache_backends import ResilientRedisCache
from tests.factories import make_paper

pytestmark = [
    pytest.mark.cache,
    pytest.mark.skipif(
        os.environ.get("PAPERSHELF_TEST_CACHE") != "redis",
        reason="only in make test's redis pass (PAPERSHELF_TEST_CACHE=redis)",
    ),
]


@pytest.fixture
def server():
    """A client of its own to the server CACHE_URL names, beside Django's."""
    client = redis.Redis.from_url(os.environ["CACHE_URL"])
    yield client
    client.close()


def test_the_cache_is_the_redis_server_of_this_pass(server):
    assert isinstance(caches["default"], ResilientRedisCache)
    cache.set("probe", "through Django")
    assert server.exists(cache.make_and_validate_key("probe")) == 1
    cache.delete("probe")
    assert server.exists(cache.make_and_validate_key("probe")) == 0


@pytest.mark.django_db
def test_cached_pages_are_stored_in_the_redis_server(client, server):
    cache.clear()
    make_paper("Pythia", year=2023)
    assert client.get("/papers/pythia/").status_code == 200
    assert client.get("/api/v1/papers/pythia").status_code == 200
    kinds = {key.decode().split(":")[3] for key in server.scan_iter("*papershelf:*")}
    assert {"page", "api"} <= kinds
