"""gunicorn settings for production (`make serve-prod`) and the load test.

    gunicorn --config config/gunicorn.conf.py [--bind HOST:PORT] [--pid FILE]

Every value can be overridden on the command line or through the environment
variables named below.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# The usual 2 * cores + 1 worker processes: a page spends part of its time
# waiting for PostgreSQL, so a core can keep two workers busy.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
# Threads per worker; above 1 gunicorn uses its threaded worker, which also
# keeps client connections alive between requests.
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is killed (its worker restarted); the
# slowest page takes well under a second on the seed catalog.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200

# Access log in the common format plus the time taken (µs), to stdout by default.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn 27 otherwise opens a control socket under $HOME (--no-control-socket).
control_socket_disable = True

# X-Forwarded-Proto is trusted only from these addresses (the TLS proxy);
# Django trusts it only with SECURE_PROXY_SSL_HEADER=true as well.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
