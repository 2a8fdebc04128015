"""Calls placed the way a supervisor places them (pre-flight, then confirm), and Exotel's status
callbacks for them delivered when the test chooses: the sandbox loses every callback on its way
(it logs each with the payload of its moment), and the test delivers that payload to the webhook
as a late Exotel would."""

import json
import re
from urllib.parse import urlsplit

import pytest

from calls.models import Call
from tests.support.processes import wait_until

EXOPHONE = "+918030752400"


def callbacks_withheld(sandbox, *, ring_seconds=0.2, talk_seconds=0.3) -> None:
    """Calls progress in the sandbox, but none of their status callbacks reaches the product."""
    sandbox.configure(
        ring_seconds=ring_seconds,
        talk_seconds=talk_seconds,
        callbacks={"delay": 0, "duplicate": 0, "reorder": 0, "loss": 1.0},
    )


def confirm_step(client, agent, number: str) -> str:
    """The supervisor's launch form (the pre-flight asks Exotel); answers the confirm step's token."""
    response = client.post("/calls/new/", {"agent": agent.pk, "customer_number": number, "exophone": EXOPHONE})
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert token, f"no confirm step for {agent.name}: {response.status_code} {response.content.decode()[:1000]}"
    return token.group(1)


def confirm(client, token: str) -> Call:
    """The confirm click: dials; answers the call it shows."""
    response = client.post("/calls/confirm/", {"token": token})
    assert response.status_code == 302 and response["Location"].startswith("/calls/"), response
    return Call.objects.get(key=response["Location"].strip("/").split("/")[-1])


def place_call(client, agent, number: str) -> Call:
    """The supervisor's two clicks: launch form, then confirm."""
    return confirm(client, confirm_step(client, agent, number))


def exotel_callback(sandbox, call: Call, event: str) -> dict:
    """Exotel's `event` callback for the call (answered, terminal), once the sandbox has sent it."""
    return wait_until(
        lambda: next((d for d in sandbox.callbacks(call.sid) if d["event"] == event), None),
        timeout=30,
        what=f"the sandbox's {event} callback for {call.customer_number}",
    )


def deliver(client, delivery: dict) -> None:
    """Exotel calls the product's webhook with that callback (the worker's part runs inline)."""
    url = urlsplit(delivery["url"])
    response = client.post(
        f"{url.path}?{url.query}", data=json.dumps(delivery["payload"]), content_type="application/json"
    )
    assert response.status_code == 200, response.content.decode()


@pytest.fixture
def tasks_inline():
    """The webhook queues each callback for the worker; here its task runs inside the request."""
    from exoadmin.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
