"""The shared Redis locks: each keeps out a second holder, and fails open or closed without Redis
as exoadmin/locks.py says."""

import pytest
from django.test.utils import override_settings
from redis.exceptions import RedisError

from exoadmin import locks
from exoadmin.refusals import Refused
from tests.support.processes import free_port


@pytest.fixture
def redis_down():
    """Redis as the product sees it when it is down: nothing listens at REDIS_URL."""
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        yield


def test_a_change_to_an_agent_is_refused_while_another_holds_it(monkeypatch):
    monkeypatch.setattr(locks, "AGENT_CHANGE_WAIT", 0.1)
    with locks.agent_change_lock(1):
        with pytest.raises(Refused, match="Another change to this agent is still going on"), locks.agent_change_lock(1):
            pytest.fail("two changes to one agent at once")
        with locks.agent_change_lock(2):  # another agent is not held up
            pass
    with locks.agent_change_lock(1):  # given back
        pass


def test_a_change_given_back_after_a_failure_blocks_nobody(monkeypatch):
    monkeypatch.setattr(locks, "AGENT_CHANGE_WAIT", 0.1)
    with pytest.raises(ValueError), locks.agent_change_lock(1):
        raise ValueError("the change failed")

    with locks.agent_change_lock(1):
        pass


def test_a_sync_takes_only_the_agents_no_change_holds():
    with locks.agent_change_lock(1), locks.agents_locked_if_free([1, 2, 3]) as free:
        assert free == {2, 3}
        with locks.agents_locked_if_free([2, 4]) as free_again:
            assert free_again == {4}
    with locks.agents_locked_if_free([1, 2, 3]) as free:
        assert free == {1, 2, 3}


def test_one_sync_of_an_account_at_a_time():
    with locks.account_sync_lock(7) as first, locks.account_sync_lock(7) as second, locks.account_sync_lock(8) as other:
        assert (first, second, other) == (True, False, True)
    with locks.account_sync_lock(7) as again:
        assert again


def test_one_check_of_a_bulk_edit_at_a_time():
    with locks.bulk_edit_check_lock(5) as first:
        assert first is not None and first.reacquire()  # a long check renews it
        with locks.bulk_edit_check_lock(5) as second:
            assert second is None
    with locks.bulk_edit_check_lock(5) as again:
        assert again is not None


def test_without_redis_changes_and_syncs_go_ahead(redis_down):
    with locks.agent_change_lock(1), locks.agents_locked_if_free([1, 2]) as free:
        assert free == {1, 2}
    with locks.account_sync_lock(7) as acquired:
        assert acquired


def test_without_redis_no_bulk_edit_check_runs(redis_down):
    with pytest.raises(RedisError), locks.bulk_edit_check_lock(5):
        pytest.fail("a check ran without its lock")


def test_one_freshness_sweep_at_a_time():
    with locks.freshness_sweep_lock() as first, locks.freshness_sweep_lock() as second:
        assert (first, second) == (True, False)
    with locks.freshness_sweep_lock() as again:
        assert again


def test_without_redis_no_freshness_sweep_runs(redis_down):
    with locks.freshness_sweep_lock() as acquired:
        assert acquired is False
