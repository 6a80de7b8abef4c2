"""Settings for the test suite: the real settings plus a throwaway key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from config.settings import *  # noqa: F403

# Hashing passwords at full strength only slows the suite down.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Serve static files from the app folders, as in development: the suite
# does not run collectstatic first.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The test client (and the browser tests' live server) speak plain HTTP; the
# production HTTPS settings themselves are tested in a subprocess
# (tests/security/test_deploy_settings.py).
SECURE_SSL_REDIRECT = False
# Lists count their facets themselves whatever their size, as before the
# deferral (catalog.facets.list_counts()): suites of facet counts build
# catalogs of a few thousand papers and count each page's queries. The
# deferred facets are tested with their own limit
# (tests/browsing/test_deferred_facets.py).
PAPERSHELF_FACETS_INLINE_UP_TO = None
