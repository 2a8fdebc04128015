"""The ASGI application: every page, and the live streams that hold a connection open for long."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exoadmin.settings")
# No persistent database connections in web processes (Django's advice under ASGI): each request's
# synchronous code runs in a thread of its own, so a kept connection is never reused and lingers
# until its thread is garbage-collected. Slow requests (a hung Redis) then pile them up past
# PostgreSQL's max_connections, and every request, the webhook's too, fails with "too many clients".
os.environ.setdefault("CONN_MAX_AGE", "0")
# A person waits on a web request: no SQL statement may hold one longer than this (seconds).
os.environ.setdefault("DB_STATEMENT_TIMEOUT", "30")
application = get_asgi_application()
