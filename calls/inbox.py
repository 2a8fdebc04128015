"""The status-callback inbox: the webhook's only work is one Redis push; Celery stores and applies.

A reliable queue in two Redis lists. The webhook LPUSHes; a drain task LMOVEs each item to a
`processing` list, applies it, then removes it. An item whose worker died stays in `processing`
and is put back after STALE_AFTER. Only the push that finds the inbox empty sends a drain task,
so a burst of callbacks costs one Celery message, not one each.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import OperationalError

from exoadmin.redis import get_redis

log = logging.getLogger("exoadmin.calls")

PENDING = "calls:callback-inbox"
PROCESSING = "calls:callback-inbox:processing"
FAILED = "calls:callback-inbox:failed"  # kept for a person to look at; never retried by itself
STALE_AFTER = 300  # seconds an item may sit in `processing` before it is tried again


def inbox_push(payload: Any, ref: str | None) -> bool:
    """Queue one callback; True when the inbox was empty, so a drain task must be sent."""
    item = json.dumps({"payload": payload, "ref": ref, "at": time.time()}, separators=(",", ":"))
    return get_redis().lpush(PENDING, item) == 1


def inbox_drain(handle: Callable[[Any, str | None], Any], limit: int = 5000) -> int:
    """Apply queued callbacks oldest first; answers how many.

    The database being unavailable puts the item back first in line and raises (the task retries);
    any other failure is a bug to look at: the item goes to FAILED and draining goes on.
    """
    redis = get_redis()
    done = 0
    while done < limit:
        item = redis.lmove(PENDING, PROCESSING, "RIGHT", "LEFT")
        if item is None:
            break
        data = json.loads(item)
        try:
            handle(data["payload"], data["ref"])
        except OperationalError:
            redis.rpush(PENDING, item)
            redis.lrem(PROCESSING, 1, item)
            raise
        except Exception:
            log.exception("status callback could not be applied; kept in %s", FAILED)
            redis.lpush(FAILED, item)
        redis.lrem(PROCESSING, 1, item)
        done += 1
    return done


def inbox_requeue_stale(now: float | None = None) -> int:
    """Items whose worker died mid-way: back to the inbox."""
    redis = get_redis()
    cutoff = (now or time.time()) - STALE_AFTER
    moved = 0
    for item in redis.lrange(PROCESSING, 0, -1):
        if json.loads(item)["at"] < cutoff and redis.lrem(PROCESSING, 1, item):
            redis.rpush(PENDING, item)
            moved += 1
    return moved


def inbox_size() -> int:
    return get_redis().llen(PENDING)
