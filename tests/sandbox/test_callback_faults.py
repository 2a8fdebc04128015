"""Status-callback delivery faults: loss, duplicates, reordering and delay, all logged."""

import time
from datetime import datetime

from tests.support.processes import free_port, wait_until

from .helpers import add_agent, tel


def _launch(exotel, receiver, customer="+919812345670"):
    callbacks = [{"event": event, "url": f"{receiver.url}/{event}"} for event in ("answered", "terminal")]
    response = exotel.launch_v3("+919800000000", customer, status_callback=callbacks)
    return response.json()["response"]["call_details"]["sid"]


def _wait_for_attempts(sandbox, sid, count):
    def attempted():
        log = sandbox.callbacks(sid)
        return log if len(log) >= count and all(entry["state"] != "pending" for entry in log) else None

    return wait_until(attempted, timeout=10, what=f"{count} callback attempts")


def test_lost_callbacks_are_logged_as_lost_and_never_sent(sandbox, exotel, receiver):
    sandbox.configure(callbacks={"loss": 1.0})
    sid = _launch(exotel, receiver)
    log = _wait_for_attempts(sandbox, sid, 2)
    assert [(entry["event"], entry["state"], entry["lost"], entry["status"]) for entry in log] == [
        ("answered", "lost", True, None),
        ("terminal", "lost", True, None),
    ]
    time.sleep(0.2)
    assert receiver.received == []


def test_duplicated_callbacks_arrive_twice(sandbox, exotel, receiver):
    sandbox.configure(callbacks={"duplicate": 1.0})
    sid = _launch(exotel, receiver)
    received = receiver.wait_for(4)
    assert [r["path"] for r in received] == ["/answered", "/answered", "/terminal", "/terminal"]
    assert received[2]["body"] == received[3]["body"]
    assert [(e["event"], e["state"], e["status"]) for e in _wait_for_attempts(sandbox, sid, 4)] == [
        ("answered", "sent", 200),
        ("answered", "sent", 200),
        ("terminal", "sent", 200),
        ("terminal", "sent", 200),
    ]


def test_reordered_answered_callback_arrives_after_the_terminal_one(sandbox, exotel, receiver):
    sandbox.configure(callbacks={"reorder": 1.0})
    _launch(exotel, receiver)
    received = receiver.wait_for(2)
    assert [r["path"] for r in received] == ["/terminal", "/answered"]
    # The late one still describes its own moment: the call was active when it was answered.
    assert received[1]["body"]["call_details"]["state"] == "active"


def test_delayed_callbacks_arrive_that_much_later(sandbox, exotel, sandbox_account, receiver):
    sandbox.configure(callbacks={"delay": 0.8})
    add_agent(sandbox, sandbox_account, tel("+919900000101", available=True))
    body = {
        "from": {"user_contact_uri": "+919900000101"},
        "to": {"number": "+919812345670"},
        "virtual_number": sandbox_account.exophones[0],
        "status_callback": [{"event": "terminal", "url": f"{receiver.url}/terminal"}],
    }
    sid = exotel.v2("POST", "/calls", json=body).json()["response"]["call_sid"]
    [entry] = _wait_for_attempts(sandbox, sid, 1)
    [arrived] = receiver.wait_for(1, "/terminal")
    # By the sandbox's own clock, in milliseconds (v2 payloads carry them): sent 0.8 s after the call ended.
    ended = datetime.fromisoformat(entry["payload"]["call_details"]["end_time"])
    sent = datetime.fromisoformat(entry["at"])
    assert entry["state"] == "sent" and arrived["body"] == entry["payload"]
    assert (sent - ended).total_seconds() >= 0.8 - 0.001


def test_an_unreachable_callback_url_is_logged_as_failed(sandbox, exotel, sandbox_account):
    url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    response = exotel.launch_v3("+919800000000", "+919812345671", status_callback=[{"event": "terminal", "url": url}])
    sid = response.json()["response"]["call_details"]["sid"]
    [entry] = _wait_for_attempts(sandbox, sid, 1)
    assert (entry["state"], entry["status"], entry["url"]) == ("failed", None, url)
    assert "Connection refused" in entry["error"] or "Failed to establish" in entry["error"]
