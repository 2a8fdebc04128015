"""How a launched call progresses: agent leg rings, answers or not, customer leg, terminal status.

Each step is a row in `call_events` with a due time, run by a scheduler thread, so a call in flight
carries on after a restart. The outcome is chosen by the customer number's last digit so that
tests and demos are deterministic (see README, "Call outcome").
"""

from __future__ import annotations

import time
import traceback
import uuid
from dataclasses import dataclass

from exoadmin.sandbox.callbacks import Callbacks
from exoadmin.sandbox.config import Config
from exoadmin.sandbox.database import Row, found
from exoadmin.sandbox.store import Store


@dataclass(frozen=True)
class Outcome:
    agent_leg: str  # answered | no-answer | failed
    customer_leg: str | None  # answered | no-answer | busy | failed; None when never dialled
    status: str  # the call's terminal status, in v3's words


ANSWERED = Outcome("answered", "answered", "completed")
OUTCOMES = {
    "1": Outcome("answered", "no-answer", "to_leg_unanswered"),
    "2": Outcome("answered", "busy", "to_leg_unanswered"),
    "3": Outcome("no-answer", None, "from_leg_unanswered"),
    "4": Outcome("failed", None, "from_leg_no_dial"),
    "5": Outcome("answered", "no-answer", "from_leg_cancelled"),  # the agent hangs up while it rings
    "6": Outcome("answered", "failed", "to_leg_no_dial"),
}


def outcome_for(customer_number: str) -> Outcome:
    return OUTCOMES.get(customer_number[-1:], ANSWERED)


class Progression:
    def __init__(self, store: Store, config: Config, callbacks: Callbacks) -> None:
        self._store = store
        self._config = config
        self._callbacks = callbacks
        self._steps = {
            "dial": self._dial,
            "agent_outcome": self._agent_outcome,
            "customer_outcome": self._customer_outcome,
            "hangup": self._hangup,
        }

    def run_due(self) -> None:
        now = time.time()
        for event in self._store.due_events(now):
            try:
                with self._store.atomic():
                    call = self._store.call(event["call_sid"])
                    if self._store.take_event(event["id"]) and call and call["state"] == "active":
                        self._steps[event["step"]](call, now)
            except Exception:
                traceback.print_exc()
                self._store.take_event(event["id"])  # a step that breaks must not be retried forever

    def _dial(self, call: Row, now: float) -> None:
        self._store.schedule(call["sid"], "agent_outcome", now + self._ring_seconds(call))

    def _agent_outcome(self, call: Row, now: float) -> None:
        outcome = outcome_for(call["to_uri"])
        if outcome.agent_leg != "answered":
            self._set_legs(call, now, agent=outcome.agent_leg)
            self._finish(call, outcome.status, now)
            return
        self._store.add_leg(
            {
                "sid": uuid.uuid4().hex,
                "call_sid": call["sid"],
                "side": "to",
                "name": None,
                "contact_uri": call["to_uri"],
                "created": now,
                "updated": now,
                "status": "in-progress",
            }
        )
        self._store.update_call(call["sid"], updated=now)
        self._store.schedule(call["sid"], "customer_outcome", now + self._ring_seconds(call))

    def _customer_outcome(self, call: Row, now: float) -> None:
        outcome = outcome_for(call["to_uri"])
        if outcome.customer_leg != "answered":
            self._set_legs(call, now, agent="completed", customer=outcome.customer_leg)
            self._finish(call, outcome.status, now)
            return
        self._store.update_call(call["sid"], answered=now, updated=now)
        self._callbacks.enqueue(found(self._store.call(call["sid"])), "answered", now)
        talk = min(self._config.snapshot()["talk_seconds"], call["options"]["max_time_limit"])
        self._store.schedule(call["sid"], "hangup", now + talk)

    def _hangup(self, call: Row, now: float) -> None:
        self._set_legs(call, now, agent="completed", customer="completed")
        self._finish(call, "completed", now)

    def _finish(self, call: Row, status: str, now: float) -> None:
        self._store.update_call(call["sid"], state="terminal", status=status, ended=now, updated=now)
        if call["device_id"] is not None:
            self._store.update_device(call["device_id"], status="free")
        self._callbacks.enqueue(found(self._store.call(call["sid"])), "terminal", now)

    def _set_legs(self, call: Row, now: float, agent: str, customer: str | None = None) -> None:
        for leg in self._store.legs(call["sid"]):
            status = agent if leg["side"] == "from" else customer
            if status:
                self._store.update_leg(leg["sid"], status=status, updated=now)

    def _ring_seconds(self, call: Row) -> float:
        return min(self._config.snapshot()["ring_seconds"], call["options"]["attempt_time_out"])
