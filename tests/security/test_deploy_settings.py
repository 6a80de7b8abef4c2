"""Production settings: `check --deploy` is clean, weak or missing
settings stop the start with a clear message, HTTPS is configurable by env.

Settings are read once per process, so each case runs manage.py in a subprocess
with a controlled environment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

STRONG_KEY = secrets.token_urlsafe(50)
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "example.org"}
# What a developer's shell or `make test` may have exported must not leak in.
_DROP = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "HTTPS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "DJANGO_SETTINGS_MODULE",
    # `make test` sets it for the browser tests; check --deploy rightly refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess:
    """A new Python process with `args`, in a controlled environment."""
    environment = {k: v for k, v in os.environ.items() if k not in _DROP}
    environment.update(env)
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python("manage.py", *args, **env)


def setting_values(names: list[str], **env: str) -> dict[str, str]:
    """The settings as a process started with `env` reads them. Only the settings
    module is imported (what `manage.py shell` adds, loading every app, changes
    no setting and cost most of each case's time)."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: repr(getattr(settings, n, None)) for n in {names!r}}}))"
    )
    result = run_python("-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_zero_warnings_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_production_defaults_are_https_everywhere():
    expected = {
        "SECURE_SSL_REDIRECT": "True",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
        "SECURE_HSTS_PRELOAD": "True",
        # Trusting X-Forwarded-Proto is opt-in.
        "SECURE_PROXY_SSL_HEADER": "None",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "['example.org']",
    }
    # The settings asked for are the ones expected: one list, not two to keep in step.
    assert setting_values(list(expected), **PRODUCTION) == expected


def test_production_serves_static_files_hashed_and_compressed_by_whitenoise():
    values = setting_values(["STORAGES", "WHITENOISE_USE_FINDERS", "MIDDLEWARE"], **PRODUCTION)
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in values["STORAGES"]
    assert values["WHITENOISE_USE_FINDERS"] == "False"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in values["MIDDLEWARE"]


def test_https_false_turns_the_https_settings_off_for_a_plain_http_loopback_run():
    values = setting_values(
        [
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_HSTS_SECONDS",
        ],
        **PRODUCTION,
        HTTPS="false",
    )
    assert set(values.values()) == {"False", "0"}


def test_each_https_setting_can_be_overridden_alone():
    values = setting_values(
        ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS"],
        **PRODUCTION,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="600",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "True",
        "SECURE_HSTS_SECONDS": "600",
    }


def test_secure_proxy_ssl_header_is_opt_in_by_env():
    values = setting_values(["SECURE_PROXY_SSL_HEADER"], **PRODUCTION, SECURE_PROXY_SSL_HEADER="1")
    assert values == {"SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')"}


def test_a_missing_secret_key_stops_production_with_a_clear_message():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_weak_secret_keys_are_rejected_in_production():
    for weak in ["short", "a" * 60, "django-insecure-" + secrets.token_urlsafe(50)]:
        result = manage("check", **{**PRODUCTION, "SECRET_KEY": weak})
        assert result.returncode != 0, weak
        assert "ImproperlyConfigured: SECRET_KEY is too weak for production" in result.stderr


def test_allowed_hosts_is_required_in_production():
    result = manage("check", **{**PRODUCTION, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS must be set in production" in result.stderr


def test_development_needs_neither_a_key_nor_hosts():
    result = manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_the_gunicorn_config_loads_the_app_with_production_settings():
    """config/gunicorn.conf.py: workers from the CPU count, timeouts, access log,
    no control socket; --print-config also imports the WSGI app."""
    environment = {k: v for k, v in os.environ.items() if k not in _DROP}
    environment.update(PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings")
    environment.pop("WEB_CONCURRENCY", None)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config",
            "config/gunicorn.conf.py",
            "--print-config",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    config = {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
    }
    assert config["workers"] == str(2 * os.cpu_count() + 1)
    assert config["control_socket_disable"] == "True"
    assert config["timeout"] == "30"
    assert config["accesslog"] == "-"
    assert config["wsgi_app"] == "config.wsgi:application"
