"""Redis hung (SIGSTOPped: it accepts connections and answers nothing) must not hold a request: every
page and action answers within 2 s, the webhook within 1 s with its callback stored before the 200,
and when Redis comes back nothing is applied twice (exoadmin/redis.py: time limit and breaker)."""

import json
import os
import signal
import time

from agents.models import Agent
from calls.inbox import inbox_drain
from calls.models import CallEvent, EventKind
from calls.tracking import callback_receive
from exoadmin.redis import redis_breaker
from tests.agents.conftest import SIP
from tests.calls.conftest import make_call, public_webhook_url
from tests.calls.test_webhook import v3_payload

PAGE_LIMIT = 2.0
WEBHOOK_LIMIT = 1.0


def timed(send):
    started = time.monotonic()
    response = send()
    return response, time.monotonic() - started


def test_logging_in_and_switching_a_device_take_under_2_s_each(client, ccm_agent, board_supervisor, hung_redis):
    sip = ccm_agent.devices.get(contact_uri=SIP)
    steps = {
        "log in": lambda: client.post(
            "/login/", {"username": board_supervisor.username, "password": board_supervisor.password}
        ),
        "board": lambda: client.get("/agents/"),
        "switch": lambda: client.post(
            f"/agents/{ccm_agent.pk}/devices/{sip.pk}/", {"action": "switch"}, HTTP_HX_REQUEST="true"
        ),
        "agent page": lambda: client.get(f"/agents/{ccm_agent.pk}/"),
        "call history": lambda: client.get("/calls/"),
    }
    for step, send in steps.items():
        response, seconds = timed(send)
        assert response.status_code in (200, 302), f"{step}: HTTP {response.status_code}"
        assert seconds < PAGE_LIMIT, f"{step} took {seconds:.2f} s with Redis hung"
    assert redis_breaker().status().state == "open"
    assert Agent.objects.get(pk=ccm_agent.pk).devices.get(available=True).contact_uri == SIP, "Exotel was still asked"


def test_a_callback_is_stored_before_its_200_and_once_when_redis_is_back(client, exotel_account, hung_redis):
    call = make_call(exotel_account, sid="a1b2c3", state="active", status="")
    payload = v3_payload("terminal", sid="a1b2c3")

    response, seconds = timed(
        lambda: client.post(public_webhook_url(), json.dumps(payload), content_type="application/json")
    )

    assert response.status_code == 200 and seconds < WEBHOOK_LIMIT, f"HTTP {response.status_code} in {seconds:.2f} s"
    stored = CallEvent.objects.filter(call=call, kind=EventKind.CALLBACK)
    assert stored.count() == 1, "stored in the database before the 200"
    call.refresh_from_db()
    assert call.state == "terminal"

    os.kill(hung_redis.process.pid, signal.SIGCONT)  # the push Redis never answered may land now
    time.sleep(0.2)
    redis_breaker().succeeded()
    inbox_drain(lambda queued, ref: callback_receive(payload=queued, ref=ref))
    assert stored.count() == 1, "a callback both pushed and stored inline is applied once"
