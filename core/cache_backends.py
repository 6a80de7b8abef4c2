"""Django's Redis cache, for a catalog that keeps serving when Redis does not.

Django's RedisCache raises on every connection error, so a cache server that
goes down would turn every cached page into a 500. Here an error is logged
and counts as a miss (a read) or as not stored (a write): pages are then
built from the database, slower but right, since the cache only ever holds
what the database can rebuild. After an error the server is left alone for
RETRY_AFTER seconds, so a dead or unreachable server costs each process one
failed attempt (at most the connect timeout, config/env.py) per interval
rather than one or several per request.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0
# Per server URL, for every thread's instance of the backend alike: when the
# server was seen failing, and until when it is skipped.
_skip_until: dict[str, float] = {}


class ResilientRedisCache(RedisCache):
    def _attempt(self, operation, fallback, *args, **kwargs):
        location = self._servers[0]
        if _skip_until.get(location, 0.0) > time.monotonic():
            return fallback
        try:
            return operation(*args, **kwargs)
        except RedisError as error:
            _skip_until[location] = time.monotonic() + RETRY_AFTER
            logger.warning(
                "Cache server unavailable, serving without it for %.0f s: %s", RETRY_AFTER, error
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._attempt(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._attempt(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(super().has_key, False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().set, None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().add, False, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().set_many, list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._attempt(super().delete_many, None, keys, version)

    def clear(self):
        return self._attempt(super().clear, False)
