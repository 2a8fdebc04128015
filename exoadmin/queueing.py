"""Sending Celery tasks without ever holding a request on a sick broker.

The broker is Redis. While this process's `redis` breaker is open (exoadmin/redis.py) nothing is
sent; a send that fails opens it. Either way the caller goes on and the work is not lost: every
task sent through here is also found again by a beat sweep (stalled bulk edits and contact syncs
resumed, callback inbox drained, quiet calls polled, legs fetched, end-of-shift jobs resumed).
"""

from __future__ import annotations

import logging
from typing import Any

import kombu.exceptions
import redis
from celery import Task
from django.conf import settings
from django.http import HttpRequest

from exoadmin.breakers import Breaker, breaker
from exoadmin.redis import OPEN_SECONDS, RedisSkipped, redis_breaker

log = logging.getLogger("exoadmin.queueing")

BROKER_ACTION = "Check that the Celery broker (CELERY_BROKER_URL) is running and answering; jobs wait meanwhile"


def broker_is_redis() -> bool:
    """The broker is the product's own Redis (the usual set-up): one server, one breaker."""
    return settings.CELERY_BROKER_URL == settings.REDIS_URL


def _broker_breaker() -> Breaker:
    if broker_is_redis():
        return redis_breaker()
    return breaker("broker", open_seconds=OPEN_SECONDS, action=BROKER_ACTION)


def jobs_paused(request: HttpRequest) -> dict[str, bool]:
    """Context processor: pages say so while this process cannot send tasks (base.html)."""
    return {"jobs_paused": _broker_breaker().status().state == "open"}


def enqueue(task: Task, *args: Any, countdown: float = 0) -> bool:
    """Send `task(*args)`; False (logged) when the broker is sick and a sweep will pick it up instead."""
    guard = _broker_breaker()
    try:
        if not guard.allow():
            raise RedisSkipped(f"broker skipped for {guard.retry_in():.0f} s more: it failed moments ago")
        task.apply_async(args=args, countdown=countdown)
    except (kombu.exceptions.OperationalError, redis.RedisError, OSError) as exc:
        if not isinstance(exc, RedisSkipped):
            guard.failed(exc)
        log.warning("task %s not sent, the broker is unavailable (a sweep will pick it up): %s", task.name, exc)
        return False
    guard.succeeded()
    return True
