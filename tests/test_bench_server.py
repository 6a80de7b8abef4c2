"""The benchmark's own PostgreSQL server: buffers sized as a database
server's, pg_prewarm created for it, and a user's options kept last (the
server takes the last value a setting is given)."""

import os

from bench.run import SHARED_BUFFERS_SHARE, server_environment


def test_shared_buffers_are_a_share_of_memory_and_pg_prewarm_is_created(monkeypatch):
    monkeypatch.delenv("PG_SERVER_OPTIONS", raising=False)
    monkeypatch.delenv("PG_EXTENSIONS", raising=False)
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    env = server_environment()
    buffers_mb = int(env["PG_SERVER_OPTIONS"].removeprefix("-c shared_buffers=").removesuffix("MB"))
    assert abs(buffers_mb - memory_mb * SHARED_BUFFERS_SHARE) <= 1
    assert env["PG_EXTENSIONS"] == "pg_prewarm"


def test_the_users_own_server_options_and_extensions_come_after(monkeypatch):
    monkeypatch.setenv("PG_SERVER_OPTIONS", "-c shared_buffers=64MB -c autovacuum=off")
    monkeypatch.setenv("PG_EXTENSIONS", "pg_trgm")
    env = server_environment()
    options = env["PG_SERVER_OPTIONS"].split(" -c ")
    assert options[-2:] == ["shared_buffers=64MB", "autovacuum=off"]
    assert options[0].startswith("-c shared_buffers=") and options[0] != "-c shared_buffers=64MB"
    assert env["PG_EXTENSIONS"] == "pg_prewarm pg_trgm"
