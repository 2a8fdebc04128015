"""One request budget per Exotel account, shared by every web and worker process through Redis.

Exotel allows 200 requests a minute per account (exotel-contract.md "Rate limits"). A sliding
window in one sorted set per account, checked and updated by one atomic Lua script. Interactive
requests (a supervisor's click) may use the whole limit; bulk work stops `interactive_reserve`
short of it, so a bulk job never makes a click wait.

A process sending fast may lease several slots in one round trip (`max_lease`). Leased slots are
counted from the moment the lease ends, not from when it was granted, and are never used after
it ends: every request is sent while its slot is still in the window, so no window ever holds
more than `limit` requests however slots are leased. Slots a lease leaves unused are handed back
on the process' next round trip (removing a slot nobody sent cannot undercount); only a process
that goes quiet holding a lease wastes them, for one window. The default `max_lease` is 0.5% of
the limit: 1 at Exotel's 200 a minute, where every request is one round trip.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import redis

from .errors import RateLimited

Priority = Literal["interactive", "bulk"]
log = logging.getLogger("exoadmin.exotel")

# Redis' own clock, so that every process agrees on the window whatever its host's clock says.
# Hands back the slots in ARGV[6..], then takes up to ARGV[3], each counted from now + ARGV[4] ms
# (when a lease ends). Returns {slots taken, 0}, or {0, milliseconds until a slot frees}.
_ACQUIRE = """
local now_t = redis.call('TIME')
local now = now_t[1] * 1000 + now_t[2] / 1000
local window = tonumber(ARGV[1])
local allowed = tonumber(ARGV[2])
if #ARGV > 5 then
  redis.call('ZREM', KEYS[1], unpack(ARGV, 6))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used < allowed then
  local taken = math.min(tonumber(ARGV[3]), allowed - used)
  local counted_from = now + tonumber(ARGV[4])
  local entries = {}
  for i = 1, taken do
    entries[2 * i - 1] = counted_from
    entries[2 * i] = ARGV[5] .. ':' .. i
  end
  redis.call('ZADD', KEYS[1], unpack(entries))
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(last[2]) + window - now))
  return {taken, 0}
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
LEASE_CAP = 64  # also keeps the script's argument lists far below Lua's unpack limit


@dataclass(frozen=True)
class BudgetUsage:
    used: int
    limit: int
    window_seconds: float
    interactive_reserve: int


@dataclass
class _Lease:
    """Slots this process holds for one account and priority, and how many to ask for next."""

    unused: list[str] = field(default_factory=list)  # slot names, next one last
    ends: float = 0.0  # time.monotonic()
    size: int = 1
    hand_back: list[str] = field(default_factory=list)  # unused slots of ended leases

    def keep(self, slots: list[str], ends: float) -> None:
        if self.unused and time.monotonic() < self.ends:  # another thread's lease is still good
            self.hand_back += slots
            return
        self.hand_back += self.unused
        self.unused, self.ends = slots[::-1], ends


class RateBudget:
    def __init__(
        self,
        redis_client: redis.Redis,
        limit: int = 200,
        window_seconds: float = 60,
        interactive_reserve: int = 10,
        *,
        max_lease: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 0 <= interactive_reserve < limit:
            raise ValueError("interactive_reserve must be at least 0 and below limit")
        self.limit = limit
        self.window_seconds = window_seconds
        self.interactive_reserve = interactive_reserve
        self.max_lease = max(1, min(LEASE_CAP, max_lease or limit // 200))
        self.lease_seconds = min(1.0, window_seconds / 10)
        self._window_ms = window_seconds * 1000
        self._acquire = redis_client.register_script(_ACQUIRE)
        self._usage = redis_client.register_script(_USAGE)
        self._sleep = sleep
        self._leases: dict[tuple[str, Priority], _Lease] = {}
        self._lock = threading.Lock()

    def acquire(self, account_sid: str, priority: Priority = "interactive", max_wait: float = 5.0) -> None:
        """Take one request slot, waiting up to `max_wait` seconds; else raise RateLimited."""
        allowed = self.limit if priority == "interactive" else self.limit - self.interactive_reserve
        deadline = time.monotonic() + max_wait
        while not self._take_leased(account_sid, priority):
            wait = self._try(account_sid, priority, allowed)
            if wait is None:
                return
            if time.monotonic() + wait > deadline:
                raise RateLimited(
                    f"Too many requests to Exotel for this account right now: try again in {wait:.0f} s",
                    retry_after=wait,
                )
            self._sleep(wait)

    def usage(self, account_sid: str) -> BudgetUsage:
        """Slots counted in the current window (leased ones included), for the health page."""
        used = int(self._usage(keys=[_key(account_sid)], args=[self._window_ms]))
        return BudgetUsage(used, self.limit, self.window_seconds, self.interactive_reserve)

    def _take_leased(self, account_sid: str, priority: Priority) -> bool:
        """Use a slot of this process' lease if one is left; resize the next lease by demand."""
        with self._lock:
            lease = self._leases.setdefault((account_sid, priority), _Lease())
            in_time = time.monotonic() < lease.ends
            if lease.unused and in_time:
                lease.unused.pop()
                return True
            if lease.unused:  # the lease ended with slots unused: ask for fewer
                lease.size = max(1, lease.size // 2)
            elif in_time:  # used up before it ended: ask for more
                lease.size = min(self.max_lease, lease.size * 2)
            lease.hand_back += lease.unused
            lease.unused = []
            return False

    def _try(self, account_sid: str, priority: Priority, allowed: int) -> float | None:
        """None when a slot was taken (the rest of a lease kept), else seconds until one frees."""
        with self._lock:
            lease = self._leases[(account_sid, priority)]
            want, hand_back, lease.hand_back = lease.size, lease.hand_back, []
        hold_ms = self.lease_seconds * 1000 if want > 1 else 0
        name = os.urandom(8).hex()
        asked = time.monotonic()  # before Redis' clock reads: this process' lease ends no later
        try:
            taken, wait_ms = self._acquire(
                keys=[_key(account_sid)], args=[self._window_ms, allowed, want, hold_ms, name, *hand_back]
            )
        except redis.RedisError as exc:
            # Redis down must not stop every click: Exotel's own 429 still protects the account.
            log.warning("rate budget unavailable, sending without it: %s", exc)
            return None
        if not taken:
            return float(wait_ms) / 1000
        with self._lock:  # a lone slot leaves none to keep, but its end still measures demand
            lease.keep([f"{name}:{i}" for i in range(2, taken + 1)], asked + self.lease_seconds)
        return None


def _key(account_sid: str) -> str:
    return f"exoadmin:exotel:budget:{account_sid}"
