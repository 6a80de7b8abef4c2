"""Serving for the benchmark's throughput runs: gunicorn on loopback and wrk
against it (bench/run.py and bench/longtail.py both use them)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WORKERS = os.cpu_count() or 2


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk_stats(url: str, seconds: int, *, script: Path | None = None, timeout: int = 2) -> dict:
    """One wrk run: requests/s, requests made, error responses and timeouts.
    `script`: a Lua script choosing each request's path (bench/longtail.py)."""
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", f"--timeout={timeout}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


@contextlib.contextmanager
def gunicorn(*, cached: bool):
    """gunicorn (one sync worker per core) on a free loopback port, bench
    settings; yields its base URL and always stops it."""
    port = free_port()
    pidfile = ROOT / "bench" / f".gunicorn-{port}.pid"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    if not cached:
        env["BENCH_NO_CACHE"] = "1"
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--pid",
            str(pidfile),
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        pidfile.unlink(missing_ok=True)
