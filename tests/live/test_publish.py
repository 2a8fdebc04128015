"""Changes are published on Redis once they commit, never before, and never fail the change."""

import json

import pytest
from django.db import transaction

from exoadmin.live.publish import CHANNEL, Topic, changed, changed_many, nobody_watching
from exoadmin.redis import get_redis


@pytest.fixture
def listener(redis_server):
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(CHANNEL)
    yield pubsub
    pubsub.close()


def _next_message(pubsub, timeout=2.0):
    message = pubsub.get_message(timeout=timeout)
    return json.loads(message["data"]) if message else None


@pytest.mark.django_db(transaction=True)
def test_a_change_is_published_only_after_its_transaction_commits(listener):
    with transaction.atomic():
        changed(Topic.AGENT, 42, account_id=7, agent_id=42)
        assert _next_message(listener, timeout=0.3) is None  # an open screen would read the old row
    message = _next_message(listener)
    assert {k: message[k] for k in ("topic", "id", "account", "agent")} == {
        "topic": "agent",
        "id": 42,
        "account": 7,
        "agent": 42,
    }
    assert message["at"] > 0


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_never_published(listener):
    with pytest.raises(RuntimeError), transaction.atomic():
        changed(Topic.CALL, 9, account_id=7)
        raise RuntimeError("the change failed")
    assert _next_message(listener, timeout=0.5) is None


@pytest.mark.django_db(transaction=True)
def test_redis_down_loses_the_news_but_not_the_change(settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    changed(Topic.BULK_EDIT, 3, account_id=7)  # must not raise: the change itself is already stored
    assert "live update not published" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_many_changes_are_published_together_only_after_their_transaction_commits(listener):
    with transaction.atomic():
        changed_many(Topic.AGENT, [(1, 1), (2, 2), (3, 3)], account_id=7)
        assert _next_message(listener, timeout=0.3) is None
    messages = [_next_message(listener) for _ in range(3)]
    assert [(m["topic"], m["id"], m["account"], m["agent"]) for m in messages] == [
        ("agent", 1, 7, 1),
        ("agent", 2, 7, 2),
        ("agent", 3, 7, 3),
    ]
    assert len({m["at"] for m in messages}) == 1, "sent in one go"


@pytest.mark.django_db(transaction=True)
def test_many_rolled_back_changes_are_never_published(listener):
    with pytest.raises(RuntimeError), transaction.atomic():
        changed_many(Topic.AGENT, [(1, 1), (2, 2)], account_id=7)
        raise RuntimeError("the sync page failed")
    assert _next_message(listener, timeout=0.5) is None


@pytest.mark.django_db(transaction=True)
def test_redis_down_loses_the_news_of_many_changes_but_not_the_changes(settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    changed_many(Topic.AGENT, [(1, 1), (2, 2)], account_id=7)  # must not raise
    assert "live update not published" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_work_done_before_any_screen_is_open_publishes_nothing_and_warns_nothing(listener, caplog):
    with nobody_watching():
        changed(Topic.AGENT, 42, account_id=7, agent_id=42)
    assert _next_message(listener, timeout=0.3) is None and "not published" not in caplog.text

    changed(Topic.AGENT, 43, account_id=7, agent_id=43)  # afterwards, news flows again
    assert _next_message(listener)["id"] == 43
