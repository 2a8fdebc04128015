"""The shared per-account rate budget, on a real Redis."""

import logging
import threading
import time
import uuid

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from exoadmin.exotel.errors import RateLimited
from exoadmin.exotel.ratelimit import RateBudget
from tests.support.processes import free_port


@pytest.fixture
def redis_client(redis_server):
    return redis.Redis.from_url(redis_server.url)


@pytest.fixture
def account():
    return f"acct-{uuid.uuid4().hex[:8]}"


# Long enough that a lease lasts 0.6 s: the checks below land 0.3 s from either edge, even on a
# busy machine.
SLOW_WINDOW = 6.0


def _take(budget, account, priority, n):
    for _ in range(n):
        budget.acquire(account, priority, max_wait=0)


def test_interactive_may_use_the_whole_limit(redis_client, account):
    budget = RateBudget(redis_client, limit=5, window_seconds=30, interactive_reserve=2)
    _take(budget, account, "interactive", 5)
    with pytest.raises(RateLimited) as caught:
        budget.acquire(account, "interactive", max_wait=0)
    assert 29 < caught.value.retry_after <= 30


def test_bulk_stops_short_of_the_interactive_reserve(redis_client, account):
    budget = RateBudget(redis_client, limit=5, window_seconds=30, interactive_reserve=2)
    _take(budget, account, "bulk", 3)
    with pytest.raises(RateLimited):
        budget.acquire(account, "bulk", max_wait=0)
    _take(budget, account, "interactive", 2)  # the reserve is still there for clicks


def test_acquire_waits_for_the_oldest_slot_to_leave_the_window(redis_client, account):
    budget = RateBudget(redis_client, limit=2, window_seconds=0.5, interactive_reserve=0)
    _take(budget, account, "interactive", 2)
    started = time.monotonic()
    budget.acquire(account, "interactive", max_wait=2)
    assert 0.3 < time.monotonic() - started < 1.0


def test_usage_counts_requests_in_the_current_window(redis_client, account):
    budget = RateBudget(redis_client, limit=10, window_seconds=0.4, interactive_reserve=1)
    _take(budget, account, "bulk", 3)
    assert budget.usage(account).used == 3
    time.sleep(0.5)
    assert budget.usage(account).used == 0


def test_accounts_have_separate_budgets(redis_client, account):
    budget = RateBudget(redis_client, limit=1, window_seconds=30, interactive_reserve=0)
    _take(budget, account, "interactive", 1)
    _take(budget, account + "-other", "interactive", 1)


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


def test_a_fast_process_leases_slots_and_skips_most_round_trips(redis_client, account):
    budget = RateBudget(redis_client, limit=100_000, window_seconds=60, interactive_reserve=10)
    trips = RoundTrips(budget)
    _take(budget, account, "interactive", 500)
    assert trips.count < 20  # 1, 2, 4, ... 64 slots per trip
    assert 500 <= budget.usage(account).used < 500 + budget.max_lease


def test_leased_slots_are_not_used_after_the_lease_ends(redis_client, account):
    budget = RateBudget(redis_client, limit=10_000, window_seconds=1.0, interactive_reserve=0)
    trips = RoundTrips(budget)
    _take(budget, account, "bulk", 8)  # leases grow: 1, 2, 4, then 8 slots with 7 left over
    held = trips.count
    time.sleep(budget.lease_seconds + 0.05)
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


def test_leased_slots_stay_counted_for_a_window_after_the_lease_ends(redis_client, account):
    # A leased slot may be sent just before its lease ends, so it must count until a window after.
    budget = RateBudget(redis_client, limit=10_000, window_seconds=SLOW_WINDOW, interactive_reserve=0)
    _take(budget, account, "bulk", 3)  # the third slot comes from a lease of two
    granted = time.monotonic()
    time.sleep(SLOW_WINDOW + budget.lease_seconds / 2 - (time.monotonic() - granted))
    assert budget.usage(account).used == 2  # the lone first slot has left; the lease of two has not


def test_a_click_after_a_lease_does_not_let_the_leased_slots_expire_early(redis_client, account):
    budget = RateBudget(redis_client, limit=10_000, window_seconds=SLOW_WINDOW, interactive_reserve=0)
    _take(budget, account, "bulk", 3)  # a lone slot, then a lease of two counted from its end
    leased = time.monotonic()
    _take(budget, account, "interactive", 1)  # a lone slot, counted from now
    time.sleep(SLOW_WINDOW + budget.lease_seconds / 2 - (time.monotonic() - leased))
    assert budget.usage(account).used == 2


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
