"""Which agents someone is looking at now, so that exactly those are re-read from Exotel often.

A board page says which agents it shows when it is drawn (`board_shows`, keyed by the person's
session); while its live stream stays open, the web process watches them again every few seconds
(`rewatch`), so a board left open keeps its agents fresh without asking the server for anything;
the freshness sweep asks `watched_agents()` and re-reads those whose Exotel answer is getting old.
One sorted set in Redis, shared by every web process: member = agent id, score = until when.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import RedisError

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


def board_shows(viewer_key: str, agent_ids: Iterable[int]) -> None:
    """A board page was drawn for this session: watch its agents now and while its stream is open."""
    ids = list(agent_ids)
    watch(ids)
    try:
        get_redis().set(SHOWS_KEY.format(viewer_key), ",".join(map(str, ids)), ex=int(SHOWS_SECONDS))
    except RedisError:
        pass


async def rewatch(redis: AsyncRedis, viewer_keys: Iterable[str]) -> None:
    """The agents the open streams' boards show are watched again (one round trip for them all)."""
    keys = [SHOWS_KEY.format(key) for key in set(viewer_keys) if key]
    if not keys:
        return
    shown = await redis.mget(keys)
    until = time.time() + WATCH_SECONDS
    texts = [value.decode() if isinstance(value, bytes) else value for value in shown if value]
    members = {member: until for text in texts for member in text.split(",") if member}
    if members:
        await redis.zadd(KEY, members, gt=True)
