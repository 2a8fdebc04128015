"""Time limits on Exotel: a host that keeps failing is not asked again for a while (requests fail at
once with NotAsked, nothing sent, instead of each waiting out its retries; one tries again later),
and one request never outlasts its deadline, retries included."""

import time

import pytest

from exoadmin.breakers import Breaker
from exoadmin.exotel import transport, users
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import NotAsked, NotFound, ServerError, UnknownOutcome

from .conftest import FAST_RETRY, add_agent
from .helpers import config_for


@pytest.fixture
def host_breaker():
    return Breaker("exotel test", open_seconds=0.5, threshold=5, action="wait")


@pytest.fixture
def guarded_client(sandbox, acme, host_breaker):
    client = ExotelClient(config_for(sandbox.url), retry=FAST_RETRY, breaker_for=lambda base_url: host_breaker)
    yield client
    client.close()


def test_five_failed_requests_in_a_row_stop_the_next_ones_at_once(sandbox, guarded_client, host_breaker):
    asha = add_agent(sandbox)
    sandbox.configure(faults={"error_500": 1.0})
    for _ in range(5):  # each after all its retries: one resource failing once does not close the host
        with pytest.raises(ServerError):
            users.get_user(guarded_client, str(asha["id"]))
    sent = len(sandbox.requests("/users", "GET"))
    assert sent == 5 * FAST_RETRY.max_attempts

    started = time.monotonic()
    with pytest.raises(NotAsked, match="Exotel has not been answering, so this was not sent and nothing changed"):
        users.get_user(guarded_client, str(asha["id"]))
    assert time.monotonic() - started < 0.1
    assert len(sandbox.requests("/users", "GET")) == sent, "nothing sent while the breaker is open"
    assert host_breaker.status().state == "open"


def test_one_request_tries_again_after_a_while_and_closes_it_when_exotel_answers(sandbox, guarded_client, host_breaker):
    asha = add_agent(sandbox)
    for _ in range(5):
        host_breaker.failed("no answer")
    sandbox.configure(faults={})
    with pytest.raises(NotAsked):
        users.get_user(guarded_client, str(asha["id"]))

    time.sleep(0.6)
    assert users.get_user(guarded_client, str(asha["id"])).id == str(asha["id"])
    assert host_breaker.status().state == "closed"


def test_answers_that_are_not_failures_of_the_host_keep_it_closed(sandbox, guarded_client, host_breaker):
    for _ in range(8):  # 404s: Exotel answers, the request was wrong
        with pytest.raises(NotFound):
            users.get_user(guarded_client, "no-such-user")
    assert host_breaker.status().state == "closed"


def test_a_request_gives_up_at_its_deadline_whatever_its_retries_allow(sandbox, acme, monkeypatch):
    monkeypatch.setitem(transport.DEADLINE, "interactive", 2.5)
    asha = add_agent(sandbox)
    sandbox.configure(faults={"slow": 1.0, "slow_seconds": 3.0})
    client = ExotelClient(config_for(sandbox.url, read_timeout=1.0), retry=FAST_RETRY)  # 6 attempts allowed

    started = time.monotonic()
    with pytest.raises(UnknownOutcome, match="Exotel did not answer in time"):
        users.get_user(client, str(asha["id"]))
    assert time.monotonic() - started < 3.2, "a click is answered by its deadline, not after 6 slow attempts"
    assert len(sandbox.requests("/users", "GET")) <= 3
    client.close()
