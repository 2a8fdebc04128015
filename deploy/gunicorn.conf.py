"""gunicorn for exoadmin: `gunicorn -c deploy/gunicorn.conf.py exoadmin.asgi:application`.

Uvicorn workers serve the ASGI application: an open live stream (server-sent events) costs a
coroutine, not a worker, so hundreds of open boards never exhaust the web processes. Ordinary
(synchronous) views run in each worker's thread pool."""

import multiprocessing
import os

bind = os.environ.get("EXOADMIN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "uvicorn_worker.UvicornWorker"
timeout = 30  # every Exotel request has its own shorter timeouts
graceful_timeout = 20
keepalive = 5
max_requests = 10000  # recycle workers to bound memory growth; rarely: a recycle resets kept-alive connections
max_requests_jitter = 1000
accesslog = "-"
# The webhook token is in the path; the access log shows the route, never the token.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """A recycled worker's open live streams stop counting in /metrics (its counters stay counted)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
