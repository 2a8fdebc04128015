"""The Redis locks that web and worker processes share, and what each does when Redis is down.

Each lock lapses after its timeout, so a process that dies holding one blocks nobody for long.
Whether a lock fails open (goes ahead without it) or closed (stops) when Redis cannot be asked
depends on what running twice at once would break:

- `agent_change_lock`: one change to an agent at a time, so two clicks cannot interleave the two
  steps of a switch. Fails OPEN: a Redis outage must not stop every click, and Exotel's own
  single-ON rule still refuses a second ON device. Held elsewhere for AGENT_CHANGE_WAIT seconds:
  Refused (a click is answered within 2 s; a change normally takes well under a second). A lock
  asked of a Redis that hung may be taken when Redis wakes, by a change that already went ahead:
  that agent's clicks are refused until it lapses (AGENT_CHANGE_SECONDS), never applied twice.
- `agents_locked_if_free`: a sync writing a page of agents takes the free ones and skips those a
  change holds (the next sync reads what that change leaves in Exotel). Fails OPEN: every agent
  counts as free, as `agent_change_lock` lets their changes through.
- `account_sync_lock`: one sync of an account at a time (the board, beat and starting workers can
  all ask at once). Fails OPEN: syncing twice costs Exotel requests, nothing more, because creating
  agents ignores conflicts.
- `freshness_sweep_lock`: one re-read of the agents open boards show at a time, across every
  worker (beat asks every few seconds; a slow sweep must not be joined by the next). Fails CLOSED:
  the sweep does not run, which costs nothing, since which agents are watched lives in Redis too.
- `integrations_token_lock`: one renewal of an account's integrations app token at a time (beat
  and an admin's "renew now" may ask together). Fails CLOSED: no renewal runs; the token has weeks
  left when renewal starts, and the next hourly try carries on.
- `bulk_edit_check_lock`: one check of a bulk edit at a time; two would interleave its rows.
  Fails CLOSED: the error propagates and the check does not run; the stalled-job resume queues it
  again once Redis is back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from redis.exceptions import LockError, RedisError
from redis.lock import Lock

from exoadmin.redis import get_redis
from exoadmin.refusals import Refused

AGENT_CHANGE_SECONDS = 60  # longer than any change: two PUTs and a read-back, each with retries
AGENT_CHANGE_WAIT = 1  # a click waits this long for the change before it, then is refused
ACCOUNT_SYNC_SECONDS = 900  # a sync of thousands of agents, paced by Exotel's rate limit
FRESHNESS_SWEEP_SECONDS = 60  # far longer than a sweep, which stops starting requests well before
BULK_EDIT_CHECK_SECONDS = 60  # renewed every batch; lapses this long after a check's worker dies
INTEGRATIONS_TOKEN_SECONDS = 120  # one token request, with its retries


def _agent_key(agent_id: int) -> str:
    return f"exoadmin:agents:change:{agent_id}"


def _acquire_or_go_ahead(lock: Lock, *, blocking: bool = True) -> tuple[bool, Lock | None]:
    """Acquired, and the lock to give back; with Redis down "acquired" with nothing to give back."""
    try:
        return lock.acquire(blocking=blocking), lock
    except RedisError:
        return True, None


def _release(lock: Lock | None) -> None:
    """Lapsed (LockError) or Redis gone: either way the lock is no longer ours to give back."""
    if lock is None:
        return
    try:
        lock.release()
    except (LockError, RedisError):
        pass


@contextmanager
def agent_change_lock(agent_id: int) -> Iterator[None]:
    lock = get_redis().lock(_agent_key(agent_id), timeout=AGENT_CHANGE_SECONDS, blocking_timeout=AGENT_CHANGE_WAIT)
    acquired, held = _acquire_or_go_ahead(lock)
    if not acquired:
        raise Refused("Another change to this agent is still going on: try again in a few seconds")
    try:
        yield
    finally:
        _release(held)


@contextmanager
def agents_locked_if_free(agent_ids: Iterable[int]) -> Iterator[set[int]]:
    """Locks, without waiting, every agent no change holds now; answers their ids."""
    redis = get_redis()
    held: dict[int, Lock | None] = {}
    try:
        for agent_id in agent_ids:
            acquired, taken = _acquire_or_go_ahead(
                redis.lock(_agent_key(agent_id), timeout=AGENT_CHANGE_SECONDS), blocking=False
            )
            if acquired:
                held[agent_id] = taken
        yield set(held)
    finally:
        for taken in held.values():
            _release(taken)


@contextmanager
def account_sync_lock(account_id: int) -> Iterator[bool]:
    """Answers False when another process is syncing this account already."""
    lock = get_redis().lock(f"exoadmin:agents:sync:{account_id}", timeout=ACCOUNT_SYNC_SECONDS)
    acquired, held = _acquire_or_go_ahead(lock, blocking=False)
    try:
        yield acquired
    finally:
        if acquired:
            _release(held)


def freshness_sweep_lock():
    """Answers False when another process is sweeping now, or when Redis cannot say."""
    return _lock_or_skip("exoadmin:agents:freshness-sweep", FRESHNESS_SWEEP_SECONDS)


def integrations_token_lock(account_id: int):
    """Answers False when another process is renewing this account's app token, or Redis cannot say."""
    return _lock_or_skip(f"exoadmin:accounts:integrations-token:{account_id}", INTEGRATIONS_TOKEN_SECONDS)


@contextmanager
def _lock_or_skip(key: str, timeout: int) -> Iterator[bool]:
    """A lock taken without waiting that fails CLOSED: False when held elsewhere or Redis cannot say."""
    lock = get_redis().lock(key, timeout=timeout)
    try:
        acquired = lock.acquire(blocking=False)
    except RedisError:
        acquired = False
    try:
        yield acquired
    finally:
        if acquired:
            _release(lock)


@contextmanager
def bulk_edit_check_lock(bulk_edit_id) -> Iterator[Lock | None]:
    """The lock, to renew with `reacquire()` as the check goes on; None when another check holds it."""
    lock = get_redis().lock(f"contacts:check:{bulk_edit_id}", timeout=BULK_EDIT_CHECK_SECONDS)
    if not lock.acquire(blocking=False):
        yield None
        return
    try:
        yield lock
    finally:
        try:
            lock.release()
        except LockError:
            pass  # it lapsed; another copy may already have started over
