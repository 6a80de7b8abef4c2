"""Settings for the benchmark: the real settings with DEBUG off, plus /bench/ping/.

Production-like on purpose (DEBUG off, no query logging); the only changes are
those a benchmark on loopback needs: a throwaway key, the test client's host,
plain static storage (no collectstatic manifest), no HTTPS redirect, and a URL
configuration that adds the trivial view wrk compares the list page with.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("HTTPS", "false")  # plain HTTP on loopback

from config.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SECURE_SSL_REDIRECT = False
BENCH = True

# BENCH_NO_CACHE=1: nothing is cached, every request does all of its work
# (the "cold" measurements: the first request after a write to the catalog).
if os.environ.get("BENCH_NO_CACHE"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
