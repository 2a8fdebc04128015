"""The shared rate budget in front of the real sandbox: processes and priorities."""

import json
import subprocess
import sys
import threading

import pytest

from exoadmin.exotel import users
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import RateLimited
from exoadmin.exotel.ratelimit import RateBudget
from tests.support.processes import ROOT, wait_until

from .helpers import config_for

# Redis' clock against the processes' monotonic clock over a few seconds (both are the machine's).
CLOCKS = 0.001


def shortest_span(brackets: list[tuple[float, float]], count: int) -> float:
    """The least time any `count` of these slots can have been given out over.

    Each slot was given out at some moment within its [before, after]; for a set of them that is at
    most the set's latest `after` minus its earliest `before`. A machine's load only widens brackets.
    """
    spans = []
    for first, (start, end) in enumerate(brackets):
        later = sorted(after for other, (before, after) in enumerate(brackets) if other != first and before >= start)
        if len(later) >= count - 1:
            spans.append(max(end, later[count - 2]) - start)
    return min(spans)


@pytest.mark.parametrize("max_lease", [1, 4], ids=["a round trip per request", "leased slots"])
def test_two_processes_sharing_an_account_never_exceed_the_limit_in_any_window(sandbox, acme, redis_server, max_lease):
    sandbox.configure(rate_limit=100000)  # only our budget limits here
    limit, window, per_process = 6, 1.0, 12
    argv = [
        sys.executable,
        "-m",
        "tests.exotel.budget_worker",
        sandbox.url,
        redis_server.url,
        str(per_process),
        str(limit),
        str(window),
        str(max_lease),
    ]
    workers = [subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [worker.communicate(timeout=60)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0]
    brackets = [tuple(json.loads(line)) for output in outputs for line in output.splitlines()]
    assert len(brackets) == len(sandbox.requests("/users", "GET")) == 2 * per_process
    # No window holds more than `limit` of them: any limit+1 span at least a window.
    assert shortest_span(brackets, limit + 1) >= window - CLOCKS


class Stopped(Exception):
    pass


def test_clicks_never_wait_while_a_bulk_job_holds_all_the_budget_it_may(sandbox, acme, redis_client):
    sandbox.configure(rate_limit=100000)
    stop, clicks_waited = threading.Event(), []

    def bulk_waits(seconds):  # the bulk job waits for its next slot until the test ends
        if stop.wait(seconds):
            raise Stopped

    # Two processes' budgets on one Redis: the bulk job's and the web's.
    shared = dict(limit=8, window_seconds=60, interactive_reserve=2)
    bulk_budget = RateBudget(redis_client, **shared, sleep=bulk_waits)
    click_budget = RateBudget(redis_client, **shared, sleep=clicks_waited.append)
    bulk = ExotelClient(config_for(sandbox.url), budget=bulk_budget, priority="bulk")
    clicks = ExotelClient(config_for(sandbox.url), budget=click_budget)

    def bulk_job():
        try:
            while True:
                users.list_users(bulk, limit=1)
        except Stopped:
            pass

    job = threading.Thread(target=bulk_job)
    job.start()
    try:
        wait_until(lambda: bulk_budget.usage("acme").used == 6, timeout=30, what="the bulk job to take its share")
        for _ in range(2):  # the reserve: served at once
            users.list_users(clicks, limit=1)
        with pytest.raises(RateLimited):  # the whole limit is in use: a third click is told when to retry
            users.list_users(clicks, limit=1)
    finally:
        stop.set()
        job.join(10)
    assert clicks_waited == [] and click_budget.usage("acme").used == 8
