"""Open screens say which agents they show; the sweep reads back exactly those, until they stop."""

import pytest

from exoadmin.live.watching import KEY, watch, watched_agents
from exoadmin.redis import get_redis


@pytest.fixture(autouse=True)
def nothing_watched(redis_server):
    get_redis().delete(KEY)


def test_agents_shown_on_open_screens_are_watched():
    watch([1, 2])
    watch([2, 3])
    assert watched_agents() == {1, 2, 3}


def test_a_screen_that_stops_saying_it_is_open_is_forgotten():
    watch([1], seconds=-1)  # as if its last word was long ago
    watch([2], seconds=30)
    assert watched_agents() == {2}


def test_a_short_watch_never_cuts_a_longer_one_short():
    watch([1], seconds=30)
    watch([1], seconds=-1)
    assert watched_agents() == {1}


def test_without_redis_nothing_is_watched_and_nothing_fails(settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    watch([1])
    assert watched_agents() == set()
