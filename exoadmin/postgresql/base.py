"""Django's PostgreSQL backend, plus this process's `database` breaker (exoadmin.breakers).

A PostgreSQL that is restarting or unreachable refuses connections: the first failure opens the
breaker, and for OPEN_SECONDS every request that needs a connection fails at once (503, see
exoadmin/unavailable.py) instead of each waiting on connect_timeout; then one request tries again.
Queries on a connection already open are bounded by statement_timeout (settings.DATABASES).
"""

from django.db import OperationalError
from django.db.backends.postgresql import base

from exoadmin.breakers import breaker

OPEN_SECONDS = 2.0  # short: a restarted PostgreSQL is back in seconds, and pages come back with it
ACTION = "Check that PostgreSQL is running and accepting connections (pg_isready); pages answer 503 meanwhile"


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        guard = breaker("database", open_seconds=OPEN_SECONDS, action=ACTION)
        if not guard.allow():
            raise OperationalError(f"database skipped for {guard.retry_in():.0f} s more: it failed moments ago")
        try:
            connection = super().get_new_connection(conn_params)
        except Exception as exc:
            guard.failed(exc)
            raise
        guard.succeeded()
        return connection
