"""The callback inbox: nothing lost when a worker dies or the database is busy."""

import json

import pytest
from django.db import OperationalError

from calls import inbox
from exoadmin.redis import get_redis


@pytest.fixture(autouse=True)
def empty_inbox():
    keys = (inbox.PENDING, inbox.PROCESSING, inbox.FAILED, inbox.DRAIN_QUEUED)
    get_redis().delete(*keys)
    yield
    get_redis().delete(*keys)


def test_callbacks_are_applied_in_arrival_order_and_only_the_first_push_asks_for_a_drain():
    firsts = [inbox.inbox_push({"n": n}, f"ref-{n}") for n in range(3)]
    seen = []

    assert inbox.inbox_drain(lambda payload, ref: seen.append((payload["n"], ref))) == 3
    assert firsts == [True, False, False] and seen == [(0, "ref-0"), (1, "ref-1"), (2, "ref-2")]
    assert inbox.inbox_size() == 0


def test_a_push_while_the_inbox_is_being_drained_asks_for_one_more_drain():
    inbox.inbox_push({"n": 1}, None)
    asked = []

    inbox.inbox_drain(
        lambda payload, ref: asked.append(inbox.inbox_push({"n": 2}, None)) if payload["n"] == 1 else None
    )

    assert asked == [True]  # the running drain had cleared the flag: the late callback gets a drain
    assert inbox.inbox_push({"n": 3}, None) is False  # that drain is still queued


def test_a_busy_database_puts_the_callback_back_first_in_line():
    inbox.inbox_push({"n": 1}, None)
    inbox.inbox_push({"n": 2}, None)

    def busy(payload, ref):
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError):
        inbox.inbox_drain(busy)
    seen = []
    inbox.inbox_drain(lambda payload, ref: seen.append(payload["n"]))

    assert seen == [1, 2]


def test_a_broken_callback_is_set_aside_and_the_rest_go_on():
    inbox.inbox_push({"n": 1}, None)
    inbox.inbox_push({"n": 2}, None)
    seen = []

    def handle(payload, ref):
        if payload["n"] == 1:
            raise ValueError("bug")
        seen.append(payload["n"])

    assert inbox.inbox_drain(handle) == 2
    assert seen == [2] and json.loads(get_redis().lindex(inbox.FAILED, 0))["payload"] == {"n": 1}


def test_callbacks_of_a_worker_that_died_are_tried_again():
    inbox.inbox_push({"n": 1}, None)
    get_redis().lmove(inbox.PENDING, inbox.PROCESSING, "RIGHT", "LEFT")  # taken, never finished

    assert inbox.inbox_requeue_stale(now=get_redis().time()[0] + inbox.STALE_AFTER + 1) == 1
    assert inbox.inbox_size() == 1
