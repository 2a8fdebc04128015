"""The shared per-account rate budget, on a real Redis.

Nothing here asserts how long something took: waits are asked of an injected `sleep`, lease ends
read a `clock` that moves only when a test says so, and Redis' window is read from Redis itself.
"""

import logging
import threading
import time
import uuid
from types import SimpleNamespace

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from exoadmin.exotel import ratelimit
from exoadmin.exotel.errors import RateLimited
from exoadmin.exotel.ratelimit import RateBudget
from tests.support.processes import free_port


@pytest.fixture
def redis_client(redis_server):
    return redis.Redis.from_url(redis_server.url)


@pytest.fixture
def account():
    return f"acct-{uuid.uuid4().hex[:8]}"


# Redis' clock against this process' clock: milliseconds, rounded.
CLOCKS = 0.002


@pytest.fixture
def clock(monkeypatch):
    """The budget's idea of now (lease ends), frozen until `clock.now` is moved; Redis keeps real time."""
    clock = SimpleNamespace(now=1000.0)
    clock.monotonic = lambda: clock.now
    monkeypatch.setattr(ratelimit, "time", clock)
    return clock


def _take(budget, account, priority, n):
    """n slots at once; raises RateLimited when one is not free right now."""
    for _ in range(n):
        budget.acquire(account, priority, max_wait=0)


def _redis_ms(redis_client) -> float:
    seconds, microseconds = redis_client.time()
    return seconds * 1000 + microseconds / 1000


def _scores(redis_client, account) -> list[float]:
    """When each slot in the account's window is counted from (Redis milliseconds), oldest first."""
    return [score for _, score in redis_client.zrange(ratelimit._key(account), 0, -1, withscores=True)]


def test_interactive_may_use_the_whole_limit(redis_client, account):
    budget = RateBudget(redis_client, limit=5, window_seconds=30, interactive_reserve=2)
    started = time.monotonic()
    _take(budget, account, "interactive", 5)
    with pytest.raises(RateLimited) as caught:
        budget.acquire(account, "interactive", max_wait=0)
    # Told to come back when the first slot leaves the window: 30 s after it was taken.
    assert 30 - (time.monotonic() - started) - CLOCKS <= caught.value.retry_after <= 30


def test_bulk_stops_short_of_the_interactive_reserve(redis_client, account):
    budget = RateBudget(redis_client, limit=5, window_seconds=30, interactive_reserve=2)
    _take(budget, account, "bulk", 3)
    with pytest.raises(RateLimited):
        budget.acquire(account, "bulk", max_wait=0)
    _take(budget, account, "interactive", 2)  # the reserve is still there for clicks
    assert budget.usage(account).used == 5


def test_acquire_waits_until_the_oldest_slot_leaves_the_window_then_takes_one(redis_client, account):
    waits = []

    def window_passes(seconds):  # instead of sleeping: the account's window empties, as it would have
        waits.append(seconds)
        redis_client.delete(ratelimit._key(account))

    budget = RateBudget(redis_client, limit=2, window_seconds=30, interactive_reserve=0, sleep=window_passes)
    started = time.monotonic()
    _take(budget, account, "interactive", 2)
    budget.acquire(account, "interactive", max_wait=60)
    assert len(waits) == 1 and 30 - (time.monotonic() - started) - CLOCKS <= waits[0] <= 30
    assert budget.usage(account).used == 1


def test_a_wait_longer_than_the_caller_allows_is_refused_at_once(redis_client, account):
    waits = []
    budget = RateBudget(redis_client, limit=1, window_seconds=30, interactive_reserve=0, sleep=waits.append)
    _take(budget, account, "interactive", 1)
    with pytest.raises(RateLimited):
        budget.acquire(account, "interactive", max_wait=5)
    assert waits == []


def test_usage_counts_the_requests_in_the_window_and_forgets_older_ones(redis_client, account):
    budget = RateBudget(redis_client, limit=10, window_seconds=30, interactive_reserve=1)
    _take(budget, account, "bulk", 3)
    assert budget.usage(account).used == 3

    brief = RateBudget(redis_client, limit=10, window_seconds=0.2, interactive_reserve=1)
    _take(brief, account + "-brief", "bulk", 3)
    time.sleep(0.3)  # at least a window: however busy the machine, every slot has left it
    assert brief.usage(account + "-brief").used == 0


def test_accounts_have_separate_budgets(redis_client, account):
    budget = RateBudget(redis_client, limit=1, window_seconds=30, interactive_reserve=0)
    _take(budget, account, "interactive", 1)
    _take(budget, account + "-other", "interactive", 1)  # not refused: the first account's use is its own
    assert (budget.usage(account).used, budget.usage(account + "-other").used) == (1, 1)
    with pytest.raises(RateLimited):
        budget.acquire(account, "interactive", max_wait=0)


def test_reserve_must_leave_room_for_bulk(redis_client):
    with pytest.raises(ValueError):
        RateBudget(redis_client, limit=5, interactive_reserve=5)


def test_redis_down_lets_requests_through_with_a_warning(caplog, account):
    unreachable = redis.Redis(port=free_port(), socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    budget = RateBudget(unreachable, limit=1, window_seconds=30, interactive_reserve=0)
    with caplog.at_level(logging.WARNING, logger="exoadmin.exotel"):
        _take(budget, account, "interactive", 2)
    assert "rate budget unavailable" in caplog.text


class RoundTrips:
    """Counts the budget's trips to Redis, passing each one through to the real server."""

    def __init__(self, budget):
        self.count, self._script = 0, budget._acquire
        budget._acquire = self

    def __call__(self, **kwargs):
        self.count += 1
        return self._script(**kwargs)


def test_at_exotels_limit_every_request_is_its_own_round_trip(redis_client, account):
    budget = RateBudget(redis_client)  # 200 a minute: nothing leased, nothing wasted
    trips = RoundTrips(budget)
    _take(budget, account, "interactive", 30)
    assert trips.count == 30 and budget.usage(account).used == 30


def test_a_fast_process_leases_slots_and_skips_most_round_trips(redis_client, account, clock):
    budget = RateBudget(redis_client, limit=100_000, window_seconds=60, interactive_reserve=10)
    trips = RoundTrips(budget)
    _take(budget, account, "interactive", 500)
    # Each lease used up before it ends asks for twice as many: 1 + 2 + ... + 64 = 127 slots in 7 trips,
    # then 64 (the most a lease takes here) a trip: 6 more trips for the other 373.
    assert (budget.max_lease, trips.count) == (64, 13)
    assert 500 <= budget.usage(account).used < 500 + budget.max_lease


def test_leased_slots_are_not_used_after_the_lease_ends(redis_client, account, clock):
    budget = RateBudget(redis_client, limit=10_000, window_seconds=60, interactive_reserve=0)
    trips = RoundTrips(budget)
    _take(budget, account, "bulk", 8)  # leases grow: 1, 2, 4, then 8 slots with 7 left over
    held = trips.count
    clock.now += budget.lease_seconds
    _take(budget, account, "bulk", 1)
    assert trips.count == held + 1  # the 7 left over were dropped, not sent late...
    assert budget.usage(account).used == 8 + 4  # ...and handed back: 8 sent, a new lease of 4


def test_leases_never_take_the_interactive_reserve(redis_client, account):
    budget = RateBudget(redis_client, limit=400, window_seconds=30, interactive_reserve=40, max_lease=16)
    with pytest.raises(RateLimited):
        _take(budget, account, "bulk", 400)
    assert budget.usage(account).used == 360
    _take(budget, account, "interactive", 40)
    with pytest.raises(RateLimited):
        budget.acquire(account, "interactive", max_wait=0)


def test_leased_slots_are_counted_from_the_end_of_their_lease(redis_client, account, clock):
    # A leased slot may be sent just before its lease ends, so it must count until a window after that;
    # slots leave the window a window after they are counted from (the usage test above).
    budget = RateBudget(redis_client, limit=10_000, window_seconds=30, interactive_reserve=0)
    before = _redis_ms(redis_client)
    _take(budget, account, "bulk", 3)  # a lone slot, then a lease of two
    after = _redis_ms(redis_client)
    lone, *leased = _scores(redis_client, account)
    lease_ms = budget.lease_seconds * 1000
    assert before <= lone <= after
    assert len(leased) == 2 and all(before + lease_ms <= score <= after + lease_ms for score in leased)


def test_a_click_after_a_lease_does_not_let_the_leased_slots_expire_early(redis_client, account, clock):
    budget = RateBudget(redis_client, limit=10_000, window_seconds=30, interactive_reserve=0)
    _take(budget, account, "bulk", 3)  # a lone slot, then a lease of two counted from its end
    _take(budget, account, "interactive", 1)  # a lone slot, counted from now: before the leased ones
    kept_ms = redis_client.pttl(ratelimit._key(account))
    now = _redis_ms(redis_client)
    # Redis keeps the account's slots at least until the last counted one leaves the window.
    assert kept_ms >= max(_scores(redis_client, account)) + 30_000 - now - 1
    assert budget.usage(account).used == 4


def test_threads_sharing_a_budget_waste_at_most_one_lease(redis_client, account):
    budget = RateBudget(redis_client, limit=100_000, window_seconds=60, interactive_reserve=0)
    threads = [threading.Thread(target=_take, args=(budget, account, "bulk", 300)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(budget.lease_seconds + 0.05)
    _take(budget, account, "bulk", 1)  # this trip hands back every slot left unused
    assert 8 * 300 + 1 <= budget.usage(account).used <= 8 * 300 + budget.max_lease


def test_a_huge_max_lease_is_capped_and_the_budget_keeps_working(redis_client, account, caplog):
    budget = RateBudget(redis_client, limit=10**7, window_seconds=60, interactive_reserve=0, max_lease=10**6)
    with caplog.at_level(logging.WARNING, logger="exoadmin.exotel"):
        _take(budget, account, "bulk", 20_000)
    assert "rate budget unavailable" not in caplog.text
    assert 20_000 <= budget.usage(account).used < 20_000 + 64
