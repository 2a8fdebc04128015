"""One request budget per Exotel account, shared by every web and worker process through Redis.

Exotel allows 200 requests a minute per account (exotel-contract.md "Rate limits"). A sliding
window in one sorted set per account, checked and updated by one atomic Lua script (one Redis
round trip per request). Interactive requests (a supervisor's click) may use the whole limit;
bulk work stops `interactive_reserve` short of it, so a bulk job never makes a click wait.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import redis

from .errors import RateLimited

Priority = Literal["interactive", "bulk"]
log = logging.getLogger("exoadmin.exotel")

# Redis' own clock, so that every process agrees on the window whatever its host's clock says.
# Returns {1, used} when a slot was taken, {0, milliseconds until one frees} otherwise.
_ACQUIRE = """
local now_t = redis.call('TIME')
local now = now_t[1] * 1000 + now_t[2] / 1000
local window = tonumber(ARGV[1])
local allowed = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used < allowed then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window))
  return {1, used + 1}
end
local frees = redis.call('ZRANGE', KEYS[1], used - allowed, used - allowed, 'WITHSCORES')
return {0, math.max(1, math.ceil(tonumber(frees[2]) + window - now))}
"""
_USAGE = """
local now_t = redis.call('TIME')
local now = now_t[1] * 1000 + now_t[2] / 1000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
return redis.call('ZCARD', KEYS[1])
"""


@dataclass(frozen=True)
class BudgetUsage:
    used: int
    limit: int
    window_seconds: float
    interactive_reserve: int


class RateBudget:
    def __init__(
        self,
        redis_client: redis.Redis,
        limit: int = 200,
        window_seconds: float = 60,
        interactive_reserve: int = 10,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 0 <= interactive_reserve < limit:
            raise ValueError("interactive_reserve must be at least 0 and below limit")
        self.limit = limit
        self.window_seconds = window_seconds
        self.interactive_reserve = interactive_reserve
        self._window_ms = window_seconds * 1000
        self._acquire = redis_client.register_script(_ACQUIRE)
        self._usage = redis_client.register_script(_USAGE)
        self._sleep = sleep

    def acquire(self, account_sid: str, priority: Priority = "interactive", max_wait: float = 5.0) -> None:
        """Take one request slot, waiting up to `max_wait` seconds; else raise RateLimited."""
        allowed = self.limit if priority == "interactive" else self.limit - self.interactive_reserve
        deadline = time.monotonic() + max_wait
        while True:
            wait = self._try(account_sid, allowed)
            if wait is None:
                return
            if time.monotonic() + wait > deadline:
                raise RateLimited(
                    "Too many requests to Exotel for this account right now: try again in "
                    f"{wait:.0f} s", retry_after=wait,
                )
            self._sleep(wait)

    def usage(self, account_sid: str) -> BudgetUsage:
        """Requests made in the current window, for the health page."""
        used = int(self._usage(keys=[_key(account_sid)], args=[self._window_ms]))
        return BudgetUsage(used, self.limit, self.window_seconds, self.interactive_reserve)

    def _try(self, account_sid: str, allowed: int) -> float | None:
        """None when a slot was taken, else seconds until one frees."""
        try:
            granted, value = self._acquire(
                keys=[_key(account_sid)], args=[self._window_ms, allowed, os.urandom(8).hex()]
            )
        except redis.RedisError as exc:
            # Redis down must not stop every click: Exotel's own 429 still protects the account.
            log.warning("rate budget unavailable, sending without it: %s", exc)
            return None
        return None if granted else value / 1000


def _key(account_sid: str) -> str:
    return f"exoadmin:exotel:budget:{account_sid}"
