"""Which agents someone is looking at now, so that exactly those are re-read from Exotel often.

Open boards say which agents they show (`watch`), again every few seconds while they stay open;
the freshness sweep asks `watched_agents()` and re-reads those whose Exotel answer is getting old.
One sorted set in Redis, shared by every web process: member = agent id, score = until when.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from redis.exceptions import RedisError

from exoadmin.redis import get_redis

KEY = "exoadmin:live:watched-agents"
WATCH_SECONDS = 45.0  # a board that stops saying it is open is forgotten this long after


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
