"""Connections to PostgreSQL run without JIT (config/settings.py): page queries
are short, and compiling one costs more than it saves."""

import ast

import pytest
from django.db import connection

from tests.security.test_deploy_settings import PRODUCTION, setting_values


def _default_database(url: str, **env) -> dict:
    values = setting_values(["DATABASES"], DATABASE_URL=url, **PRODUCTION, **env)
    return ast.literal_eval(values["DATABASES"])["default"]


def _default_options(url: str) -> dict:
    return _default_database(url).get("OPTIONS", {})


def test_postgresql_connections_turn_jit_off():
    assert _default_options("postgres://u:p@db.internal/papershelf") == {"options": "-c jit=off"}


def test_options_given_in_the_url_are_kept():
    url = "postgres://u:p@db.internal/papershelf?options=-c%20statement_timeout%3D5000"
    options = _default_options(url)
    assert options == {"options": "-c statement_timeout=5000 -c jit=off"}


def test_sqlite_gets_no_postgresql_options():
    assert _default_options("sqlite:////tmp/papershelf-settings.sqlite3") == {}


def test_transaction_pooling_turns_server_side_cursors_off():
    url = "postgres://u:p@pooler.internal:6432/papershelf"
    assert _default_database(url)["DISABLE_SERVER_SIDE_CURSORS"] is False
    pooled = _default_database(url, DB_TRANSACTION_POOLING="true")
    assert pooled["DISABLE_SERVER_SIDE_CURSORS"] is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
@pytest.mark.django_db
def test_the_database_session_has_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
