"""Which agents someone is looking at now, so that exactly those are re-read from Exotel often.

A board page says which agents it shows when it is drawn (`board_shows`, keyed by the person's
session); while its live stream stays open, the web process watches them again every few seconds
(`rewatch`), so a board left open keeps its agents fresh without asking the server for anything;
the freshness sweep asks `watched_agents()` and re-reads those whose Exotel answer is getting old.
One sorted set in Redis, shared by every web process: member = agent id, score = until when.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable

from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import RedisError

from exoadmin.live.publish import shows
from exoadmin.redis import get_redis

KEY = "exoadmin:live:watched-agents"
WATCH_SECONDS = 45.0  # a board that stops saying it is open is forgotten this long after
REWATCH_SECONDS = 15.0  # how often open streams renew their boards' watch
SHOWS_KEY = "exoadmin:live:shows:{}"  # a session's last drawn board page: agent ids, comma-separated
SHOWS_SECONDS = 8 * 3600  # a shift; a page drawn again renews it


def watch(agent_ids: Iterable[int], *, seconds: float = WATCH_SECONDS) -> None:
    """Best effort: without Redis nothing is watched and the regular sync keeps the board fresh."""
    until = time.time() + seconds
    members = {str(agent_id): until for agent_id in agent_ids}
    if not members:
        return
    try:
        get_redis().zadd(KEY, members, gt=True)  # never shortens a longer watch from another board
    except RedisError:
        pass


def watched_agents() -> set[int]:
    """Agents some open screen shows now; forgets the ones no screen has mentioned lately."""
    redis, now = get_redis(), time.time()
    try:
        redis.zremrangebyscore(KEY, "-inf", now)
        members: list[bytes] = redis.zrangebyscore(KEY, now, "+inf")  # type: ignore[assignment]  # sync client
        return {int(member) for member in members}
    except RedisError:
        return set()


def viewer_key(session_key: str) -> str:
    """Names a person's board in Redis without writing their session key (a credential) there."""
    return hashlib.sha256(f"exoadmin-board:{session_key}".encode()).hexdigest()[:32] if session_key else ""


def board_shows(session_key: str, agent_ids: Iterable[int]) -> None:
    """A board page was drawn for this session: its agents are watched now, and its open stream
    (exoadmin.live.hub) learns which rows to push and keeps them watched while it stays open."""
    ids, key = list(agent_ids), viewer_key(session_key)
    watch(ids)
    if not key:
        return
    try:
        get_redis().set(SHOWS_KEY.format(key), ",".join(map(str, ids)), ex=int(SHOWS_SECONDS))
    except RedisError:
        pass
    shows(key, ids)


async def shown_by(redis: AsyncRedis, key: str) -> set[int]:
    """The agents a person's board showed when last drawn (a stream opening asks, once)."""
    value = await redis.get(SHOWS_KEY.format(key)) if key else None
    text = value.decode() if isinstance(value, bytes) else value or ""
    return {int(member) for member in text.split(",") if member}


async def rewatch(redis: AsyncRedis, agent_ids: set[int]) -> None:
    """The agents open boards show are watched again (one round trip for all of a process's boards)."""
    if agent_ids:
        until = time.time() + WATCH_SECONDS
        await redis.zadd(KEY, {str(agent_id): until for agent_id in agent_ids}, gt=True)
