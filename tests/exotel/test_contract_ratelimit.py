"""The shared rate budget in front of the real sandbox: processes and priorities."""

import subprocess
import sys
import threading
import time

import pytest

from exoadmin.exotel import users
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.ratelimit import RateBudget
from tests.support.processes import ROOT

from .conftest import request_times
from .helpers import config_for

# Arrival times at the sandbox lag the budget's clock by a request's latency.
LATENCY_SLACK = 0.05


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
    workers = [subprocess.Popen(argv, cwd=ROOT) for _ in range(2)]
    assert [worker.wait(60) for worker in workers] == [0, 0]
    times = request_times(sandbox, "/users", "GET")
    assert len(times) == 2 * per_process
    # Any limit+1 consecutive requests must span more than one window.
    tightest = min(times[i + limit] - times[i] for i in range(len(times) - limit))
    assert tightest >= window - LATENCY_SLACK


def test_interactive_request_is_served_promptly_while_a_bulk_loop_saturates_the_budget(sandbox, acme, redis_client):
    sandbox.configure(rate_limit=100000)
    budget = RateBudget(redis_client, limit=8, window_seconds=1.0, interactive_reserve=2)
    bulk = ExotelClient(config_for(sandbox.url), budget=budget, priority="bulk")
    interactive = ExotelClient(config_for(sandbox.url), budget=budget)
    stop = threading.Event()

    def bulk_job():
        while not stop.is_set():
            users.list_users(bulk, limit=1)

    job = threading.Thread(target=bulk_job)
    job.start()
    try:
        time.sleep(1.5)  # the bulk job has taken all it may
        waits = []
        for _ in range(3):  # at most 2 clicks per window: the reserve
            started = time.monotonic()
            users.list_users(interactive, limit=1)
            waits.append(time.monotonic() - started)
            time.sleep(0.6)
        saturated = budget.usage("acme").used
    finally:
        stop.set()
        job.join(10)
    assert saturated >= 6 and max(waits) < 0.25
