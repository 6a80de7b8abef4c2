"""Small, strict readers for settings that come from the environment."""

import os
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, *, default: str) -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    # A typo such as DEBUG=ture must not silently pick a side.
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def strong_secret_key(key: str) -> bool:
    """Django's own test for a production key (check security.W009)."""
    return len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure-")


# Django's own backends, and ours for Redis: a cache server that goes down
# must cost cache misses, not error pages (core/cache_backends.py).
_REDIS_BACKEND = "core.cache_backends.ResilientRedisCache"
_SIMPLE_BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
}
# A down or unreachable server answers within these seconds (redis-py waits
# forever by default), and the page goes on without the cache.
_REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def cache_from_url(name: str, raw: str) -> dict:
    """One CACHES entry from a URL: `redis://[:password@]host[:port][/db]`
    (`rediss://` with TLS), `unix:///path/redis.sock[?db=N]` (also spelled
    `redis+socket://`), `locmem://[name]`, `dummy://`."""
    url = raw.strip()
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme in _SIMPLE_BACKENDS and sep:
        return {"BACKEND": _SIMPLE_BACKENDS[scheme], "LOCATION": rest.strip("/")}
    if scheme == "redis+socket":
        scheme, url = "unix", "unix://" + rest
    if scheme not in ("redis", "rediss", "unix") or not sep:
        raise ImproperlyConfigured(
            f"{name} must be a redis://, rediss://, unix://, locmem:// or dummy:// URL "
            f"(e.g. redis://127.0.0.1:6379/0), not {raw!r}."
        )
    _check_redis_url(name, raw, urlsplit(url))
    return {"BACKEND": _REDIS_BACKEND, "LOCATION": url, "OPTIONS": dict(_REDIS_OPTIONS)}


def _check_redis_url(name: str, raw: str, parts) -> None:
    """What redis-py would only find out at the first request, said at startup."""
    problem = ""
    try:
        parts.port  # noqa: B018 (the property validates the port)
    except ValueError:
        problem = "the port must be a number from 0 to 65535"
    db = parse_qs(parts.query).get("db", [""])[0]
    if parts.scheme == "unix":
        if not parts.path or parts.netloc:
            problem = "a socket URL is unix:///absolute/path/redis.sock"
    else:
        if not parts.hostname:
            problem = "the host is missing"
        db = parts.path.strip("/") or db
    if db and not db.isdigit():
        problem = f"the database number must be a whole number, not {db!r}"
    if problem:
        raise ImproperlyConfigured(f"{name} is not a usable Redis URL ({problem}): {raw!r}.")
