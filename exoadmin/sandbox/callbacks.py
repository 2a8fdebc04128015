"""Status-callback delivery, with the faults real delivery has: delay, duplicates, reordering, loss.

Deliveries are queued in the store with the payload of the moment they describe, so a restart
neither loses nor rewrites them. A single sender thread sends them in due order.
"""

from __future__ import annotations

import random
import time
from typing import Any

import requests

from exoadmin.sandbox import records
from exoadmin.sandbox.config import Config
from exoadmin.sandbox.database import Row
from exoadmin.sandbox.recordings import RecordingLinks
from exoadmin.sandbox.store import Store

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# A released out-of-order `answered` callback goes this long after the `terminal` one.
REORDER_GAP_SECONDS = 0.01


class Callbacks:
    def __init__(self, store: Store, config: Config, links: RecordingLinks, rng: random.Random | None = None) -> None:
        self._store = store
        self._config = config
        self._links = links
        self._rng = rng or random.Random()

    def enqueue(self, call: Row, event: str, now: float) -> None:
        """Queue the `event` callbacks the call asked for; runs inside the progression's transaction."""
        faults = self._config.snapshot()["callbacks"]
        payload = records.callback(call, event, self._links.for_call(call))
        due = now + faults["delay"]
        for entry in call["status_callbacks"]:
            if entry["event"] != event:
                continue
            delivery = entry | {"call_sid": call["sid"], "payload": payload, "state": "pending", "due": due}
            if self._rng.random() < faults["loss"]:
                self._store.add_delivery(delivery | {"state": "lost", "due": None, "at": now})
                continue
            # A held delivery has no due time until the terminal callback is queued (reorder).
            held = event == "answered" and self._rng.random() < faults["reorder"]
            copies = 2 if self._rng.random() < faults["duplicate"] else 1
            for _ in range(copies):
                self._store.add_delivery(delivery | {"due": None if held else due})
        if event == "terminal":
            self._store.release_held(call["sid"], due + REORDER_GAP_SECONDS)

    def send_due(self) -> None:
        timeout = self._config.snapshot()["callbacks"]["timeout_seconds"]
        for delivery in self._store.due_deliveries(time.time()):
            status, error = _send(delivery, timeout)
            self._store.finish_delivery(
                delivery["id"],
                state="sent" if status and status < 400 else "failed",
                http_status=status,
                error=error,
                at=time.time(),
            )


def log_entry(delivery: Row) -> dict[str, Any]:
    """One attempted (or lost, or still pending) callback, for `GET /_sandbox/callbacks`."""
    return {
        "id": delivery["id"],
        "call_sid": delivery["call_sid"],
        "event": delivery["event"],
        "url": delivery["url"],
        "method": delivery["method"],
        "content_type": delivery["content_type"],
        "state": delivery["state"],
        "status": delivery["http_status"],
        "error": delivery["error"],
        "at": records.iso_time(delivery["at"], milliseconds=True),
        "lost": delivery["state"] == "lost",
        "payload": delivery["payload"],
    }


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested JSON as bracketed form fields: `call_details[recordings][0][url]=...`."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return [(prefix, _form_value(value))]
    pairs = []
    for key, item in items:
        pairs += flatten(item, f"{prefix}[{key}]" if prefix else str(key))
    return pairs


def _form_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _send(delivery: Row, timeout: float) -> tuple[int | None, str | None]:
    url, payload = delivery["url"], delivery["payload"]
    try:
        if delivery["method"] == "GET":
            response = requests.get(url, params=flatten(payload), timeout=timeout)
        elif delivery["content_type"] == JSON:
            response = requests.post(url, json=payload, timeout=timeout)
        elif delivery["content_type"] == FORM:
            response = requests.post(url, data=flatten(payload), timeout=timeout)
        else:
            response = requests.post(url, files=[(k, (None, v)) for k, v in flatten(payload)], timeout=timeout)
    except requests.RequestException as error:
        return None, str(error)
    return response.status_code, None
