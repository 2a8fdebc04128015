"""gunicorn for exoadmin: `gunicorn -c deploy/gunicorn.conf.py exoadmin.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("EXOADMIN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", 4))  # htmx polling is many short requests
timeout = 30  # every Exotel request has its own shorter timeouts
graceful_timeout = 20
keepalive = 5
max_requests = 2000  # recycle workers to bound memory growth
max_requests_jitter = 200
accesslog = "-"
# The webhook token is in the path; the access log shows the route, never the token.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
