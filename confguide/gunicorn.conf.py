"""gunicorn settings for confguide, sized for a small (2-core) machine.

    gunicorn -c confguide/gunicorn.conf.py confguide.wsgi

docker/entrypoint.sh and `make bench` start it this way. Workers, threads and
the port come from the environment (documented in the README and .env.example);
the rest is fixed here, each value with its reason. Command-line flags and
GUNICORN_CMD_ARGS override anything in this file.
"""

import os
from pathlib import Path

import environ

env = environ.Env()
# The same .env the settings read (the real environment wins), read here too
# because gunicorn evaluates this file before Django loads.
_DOTENV = Path(__file__).resolve().parent.parent / ".env"
if _DOTENV.is_file():
    environ.Env.read_env(_DOTENV, overwrite=False)

# The app module, so `gunicorn -c confguide/gunicorn.conf.py` alone serves the site.
wsgi_app = "confguide.wsgi:application"

# All interfaces inside a container; the port is the one docker-compose publishes.
_PORT = env.int("PORT", default=8000)
bind = f"0.0.0.0:{_PORT}"

# One process per core: Python threads share one core through the GIL, so more
# processes than cores add memory and context switches, not throughput.
workers = env.int("WEB_CONCURRENCY", default=2)

# Threaded workers: while one thread waits on PostgreSQL the others run, and a
# cheap request such as /health/ is served by a free thread instead of waiting
# behind a slow page, which a sync worker (one request at a time) cannot do.
worker_class = "gthread"
threads = env.int("GUNICORN_THREADS", default=4)

# Connections one worker holds at once (in flight, waiting for a thread, or idle
# keep-alive). Enough for a crowd of readers behind a proxy; past it the worker
# stops accepting, so queued work stays bounded instead of growing in memory.
worker_connections = 100

# Connections the kernel queues before a worker accepts them (gunicorn's default
# is 2048). A short queue fails fast under overload: new connections are turned
# away, and a load balancer retries elsewhere or answers 503, rather than every
# client waiting behind thousands of others until it times out anyway.
backlog = 64

# With gthread this is the worker's heartbeat, not a per-request limit: a worker
# whose main loop is stuck for 30 s is killed and replaced. Per-request time
# limits belong to the proxy in front and to the database (statement_timeout).
timeout = 30

# On SIGTERM (a deploy, `docker compose stop`), in-flight requests get 20 s to
# finish: within Kubernetes' default 30 s grace and compose's stop_grace_period.
graceful_timeout = 20

# Replace a worker after about 200,000 requests, so slow memory growth
# (fragmentation) cannot build up for days. Not much sooner: a cached page
# costs about a millisecond, so in a crowd a worker serves ~1,000 requests a
# second, and every restart boots Django again and, without REDIS_URL, starts
# with an empty page cache. The jitter keeps workers from restarting together.
max_requests = 200_000
max_requests_jitter = 20_000

# Seconds an idle keep-alive connection stays open: a proxy or browser making
# several requests saves a handshake each, while idle clients give their
# worker_connections slot back quickly (gunicorn's default is 2).
keepalive = 5

# The heartbeat file is touched every second; on a container's overlay
# filesystem that write can stall long enough to get a healthy worker killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs go to stdout/stderr for docker and journald to collect. The access log
# adds each request's duration in milliseconds (%(M)s) for spotting slow pages.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# gunicorn 25+ opens a control socket at one fixed path per user; two servers
# on one machine (the site and `make bench`'s static server) would fight over
# it, and nothing here uses gunicornc.
control_socket_disable = True
