"""The status-callback inbox: the webhook's only work is one Redis push; Celery stores and applies.

A reliable queue in two Redis lists. The webhook LPUSHes; a drain task LMOVEs each item to a
`processing` list, applies it, then removes it. An item whose worker died stays in `processing`
and is put back after STALE_AFTER. A push asks for a drain task only when none is already queued
(the DRAIN_QUEUED flag, cleared when a drain starts), so a steady stream of callbacks costs one
Celery message per drain, not one each: the load test saw hundreds of no-op drains otherwise.
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
DRAIN_QUEUED = "calls:callback-inbox:drain-queued"
# If a queued drain is lost (or never sent: the broker was sick) the next push after this asks again;
# beat sweeps every 30 s too. Short, as a steady stream of pushes asks at most once per this.
DRAIN_QUEUED_TTL = 10
# Seconds after its push an item found in `processing` is tried again. Handling one takes
# milliseconds, but a drain's LMOVE that a hung Redis carried out after the worker gave up on it
# strands the item there; storing is idempotent, so a second try costs nothing.
STALE_AFTER = 60
# The webhook answers Exotel within 1 s: a push Redis has not answered by then is stored inline instead.
PUSH_TIMEOUT = 0.4


def inbox_push(payload: Any, ref: str | None) -> bool:
    """Queue one callback; True when no drain task is queued yet, so one must be sent."""
    item = json.dumps({"payload": payload, "ref": ref, "at": time.time()}, separators=(",", ":"))
    redis = get_redis(timeout=PUSH_TIMEOUT)
    redis.lpush(PENDING, item)
    return bool(redis.set(DRAIN_QUEUED, 1, nx=True, ex=DRAIN_QUEUED_TTL))


def inbox_drain(handle: Callable[[Any, str | None], Any], limit: int = 5000) -> int:
    """Apply queued callbacks oldest first; answers how many.

    The database being unavailable puts the item back first in line and raises (the task retries);
    any other failure is a bug to look at: the item goes to FAILED and draining goes on.
    """
    redis = get_redis()
    redis.delete(DRAIN_QUEUED)  # from here on, a new push asks for a new drain
    done = 0
    while done < limit:
        raw = redis.lmove(PENDING, PROCESSING, "RIGHT", "LEFT")
        if raw is None:
            break
        item = _text(raw)
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
    for item in map(_text, redis.lrange(PROCESSING, 0, -1)):
        if json.loads(item)["at"] < cutoff and redis.lrem(PROCESSING, 1, item):
            redis.rpush(PENDING, item)
            moved += 1
    return moved


def _text(item: bytes | str) -> str:
    """An item as pushed (ASCII JSON): Redis answers bytes unless told to decode."""
    return item.decode() if isinstance(item, bytes) else item


def inbox_size() -> int:
    return get_redis().llen(PENDING)
