"""The circuit breaker every dependency uses (exoadmin/breakers.py)."""

import threading
import time

from exoadmin.breakers import Breaker


def test_it_opens_after_its_threshold_of_failures_in_a_row():
    breaker = Breaker("x", open_seconds=60, threshold=3, action="do this")
    breaker.failed("one")
    breaker.failed("two")
    assert breaker.allow(), "two failures are not yet three"
    breaker.succeeded()
    breaker.failed("one again")
    breaker.failed("two again")
    assert breaker.allow(), "a success in between starts the count again"
    breaker.failed("three")

    assert not breaker.allow()
    status = breaker.status()
    assert (status.state, status.failures, status.last_error, status.action) == ("open", 3, "three", "do this")
    assert 59 < breaker.retry_in() <= 60


def test_after_a_while_one_caller_tries_while_the_others_still_fail_at_once():
    breaker = Breaker("x", open_seconds=0.05, action="")
    breaker.failed("down")
    time.sleep(0.06)
    assert breaker.status().state == "trial"

    assert breaker.allow(), "the first caller after the wait is the trial"
    assert breaker.allow(), "the trial's own thread may ask again (connect, then send)"
    others: list[bool] = []
    thread = threading.Thread(target=lambda: others.append(breaker.allow()))
    thread.start()
    thread.join()
    assert others == [False]

    breaker.failed("still down")
    assert not breaker.allow(), "a failed trial opens it again"
    time.sleep(0.06)
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.status().state == "closed" and breaker.status().failures == 0
