"""Telling every open screen that something changed: one message on Redis once the change commits.

Services call `changed(...)` for each change a person could be looking at (an agent's devices or
state, a call, a job's progress). Each web process reads these messages and pushes the fragments
that changed to the open streams whose viewer may see them. Publishing is best effort: the change
is stored whether or not Redis takes the message, and a screen that misses one catches up when its
stream reconnects (it then fetches its fragments afresh).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum

from django.db import transaction
from redis.exceptions import RedisError

from exoadmin.redis import get_redis

log = logging.getLogger("exoadmin.live")

CHANNEL = "exoadmin:live"
SHOWS = "shows"  # a message saying which agents a person's board shows (see `shows`)
CONFIRMED = "confirmed"  # a message naming agents Exotel confirmed unchanged (see `confirmed`)


class Topic(StrEnum):
    AGENT = "agent"  # an agent's devices, availability, live call or freshness
    CALL = "call"  # a call's state, legs or recording
    BULK_EDIT = "bulk_edit"  # a bulk contact edit's progress
    SHIFT_JOB = "shift_job"  # an end-of-shift job's progress
    TEAM = "team"  # a team's agents or leads: who supervises whom in its account


def changed(topic: Topic, pk: int | str, *, account_id: int | None, agent_id: int | None = None) -> None:
    """Publish that `topic` `pk` changed, after the current transaction commits (at once outside one),
    so no screen reads the old row in answer to the news of the new one.

    `account_id` None: a change only supervisors and admins hear of (an end-of-shift job spans accounts).
    """
    message: dict[str, object] = {"topic": str(topic), "id": pk, "account": account_id, "agent": agent_id}
    transaction.on_commit(lambda: _publish(message))


def changed_many(topic: Topic, changes: Iterable[tuple[int, int | None]], *, account_id: int | None) -> None:
    """`changed(topic, pk, account_id=account_id, agent_id=agent_id)` for each (pk, agent_id), sent
    together in one round trip to Redis once the current transaction commits (a sync of a page of
    agents tells every screen about each of them)."""
    messages: list[dict[str, object]] = [
        {"topic": str(topic), "id": pk, "account": account_id, "agent": agent_id} for pk, agent_id in changes
    ]
    if messages:
        transaction.on_commit(lambda: _publish(*messages))


def confirmed(agent_ids: list[int], *, account_id: int) -> None:
    """Exotel answered again about these agents and nothing they show changed: one message for them
    all, so open boards move their "confirmed by Exotel N s ago" without re-drawing a row."""
    if agent_ids:
        message: dict[str, object] = {"topic": CONFIRMED, "ids": agent_ids, "account": account_id, "agent": None}
        transaction.on_commit(lambda: _publish(message))


def shows(viewer: str, agent_ids: list[int]) -> None:
    """A board page was drawn: its open stream pushes these agents' rows (best effort, at once)."""
    _publish({"topic": SHOWS, "viewer": viewer, "ids": agent_ids, "account": None, "agent": None})


_unheard: ContextVar[bool] = ContextVar("exoadmin_live_unheard", default=False)


@contextmanager
def nobody_watching() -> Iterator[None]:
    """For work done before any screen can be open (`make run`'s demo data, before Redis starts):
    nothing is published, instead of a warning per change that nobody could have heard."""
    token = _unheard.set(True)
    try:
        yield
    finally:
        _unheard.reset(token)


def _publish(*messages: dict[str, object]) -> None:
    if _unheard.get():
        return
    at = time.time()  # when it was sent: streams measure how late news arrives
    try:
        pipeline = get_redis().pipeline(transaction=False)
        for message in messages:
            message["at"] = at
            pipeline.publish(CHANNEL, json.dumps(message))
        pipeline.execute()
    except RedisError as exc:
        log.warning(
            "live update not published, Redis unavailable: %s", exc, extra={"live": messages[0], "count": len(messages)}
        )
