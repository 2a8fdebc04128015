"""One OS process of the shared-budget test: `count` requests through a budgeted client.

python -m tests.exotel.budget_worker SANDBOX_URL REDIS_URL COUNT LIMIT WINDOW_SECONDS MAX_LEASE

Prints one JSON line per request, `[before, after]`: time.monotonic() (one clock for every process
of the machine) just before asking the budget for a slot and just after it gave one.
"""

import json
import sys
import time

import redis

from exoadmin.exotel import users
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.ratelimit import Priority, RateBudget
from tests.exotel.helpers import config_for


class BracketedBudget(RateBudget):
    def acquire(self, account_sid: str, priority: Priority = "interactive", max_wait: float = 5.0) -> None:
        before = time.monotonic()
        super().acquire(account_sid, priority, max_wait)
        print(json.dumps([before, time.monotonic()]), flush=True)


def main(sandbox_url: str, redis_url: str, count: str, limit: str, window: str, max_lease: str) -> None:
    budget = BracketedBudget(
        redis.Redis.from_url(redis_url),
        limit=int(limit),
        window_seconds=float(window),
        interactive_reserve=0,
        max_lease=int(max_lease),
    )
    client = ExotelClient(config_for(sandbox_url), budget=budget)
    for _ in range(int(count)):
        users.list_users(client, limit=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
