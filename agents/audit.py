"""Who changed an agent's devices and how it ended, and the board fields that follow from it.

Every attempt leaves an AvailabilityEvent (refusals, failures and rollbacks too, with Exotel's
request id); a real change is also the board's "last change". The agent's availability and drift
flag are denormalised from its devices here, so the board reads one row per agent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from agents.models import Agent, Availability, AvailabilityEvent, Device, Outcome, PhoneSip, Source, StateInterval
from agents.state_intervals import closed_intervals, state_of
from exoadmin.exotel.errors import ExotelError
from exoadmin.live.publish import Topic, changed
from exoadmin.refusals import Refused

log = logging.getLogger("exoadmin.agents")

CHANGES = (Outcome.APPLIED, Outcome.ROLLED_BACK, Outcome.DRIFT)
STATE_FIELDS = ["availability", "state_since", "has_drift"]
# The open interval of time in state (with state_since); a sync saves them only for the agents whose
# state changed.
TIME_IN_STATE_FIELDS = ["state", "state_by"]


@dataclass
class Actor:
    """Who asked for a change: a person (agent or supervisor), a rule, or the sync."""

    source: Source
    user: User | None = None
    label: str = ""

    @classmethod
    def person(cls, user: User, source: Source) -> Actor:
        return cls(source, user, user.get_full_name() or user.username)

    @classmethod
    def rule(cls, name: str) -> Actor:
        return cls(Source.RULE, None, f"Rule: {name}")

    @classmethod
    def sync(cls) -> Actor:
        return cls(Source.SYNC, None, "Outside exoadmin (found by sync)")

    def whose(self, agent: Agent) -> str:
        """How a message to this actor names the agent's things: "your" phone, "Asha Rao's" phone."""
        return "your" if self.source == Source.AGENT else f"{agent.name}'s"


def on_off(value: bool | None) -> str:
    return "ON" if value else "OFF"


def audit_event(
    agent: Agent,
    actor: Actor,
    device: str,
    before: str,
    after: str,
    outcome: Outcome,
    *,
    request_id: str = "",
    message: str = "",
) -> AvailabilityEvent:
    """An unsaved audit row (a sync saves many at once); a real change is also the agent's "last change"."""
    event = AvailabilityEvent(
        agent=agent,
        at=timezone.now(),
        actor=actor.user,
        source=actor.source,
        device=device,
        before=before,
        after=after,
        outcome=outcome,
        request_id=request_id,
        message=message,
    )
    if outcome in CHANGES:
        agent.last_change_at, agent.last_change_by = event.at, actor.label
    return event


def audit(agent: Agent, actor: Actor, *change, **details) -> AvailabilityEvent:
    """`audit_event(agent, actor, *change, **details)`, saved now (with the agent's "last change"
    when it is one)."""
    event = audit_event(agent, actor, *change, **details)
    event.save()
    if event.outcome in CHANGES:
        Agent.objects.filter(pk=agent.pk).update(last_change_at=event.at, last_change_by=actor.label)
    agent_changed(agent)  # its audit timeline at least, on the pages that show it
    return event


def refusal(agent: Agent, actor: Actor, device: str, before: str, after: str, message: str) -> Refused:
    """A change the product's own rules refuse before Exotel is asked: audited, then raised by the caller."""
    audit(agent, actor, device, before, after, Outcome.REFUSED, message=message)
    return Refused(message)


def log_exotel_failure(agent_id: int, what: str, exc: ExotelError) -> None:
    log.warning(
        "exotel refused %s for agent %s: %s",
        what,
        agent_id,
        exc.user_message,
        extra={
            "request_id": exc.request_id,
            "exotel_code": exc.code,
            "http_status": exc.http_status,
            "agent_id": agent_id,
        },
    )


# -- the board's fields -------------------------------------------------------------------------


def _availability(agent: Agent, devices: list[Device], phone_sip: PhoneSip | None) -> Availability:
    if agent.is_gone_from_exotel:
        return Availability.OFF  # Exotel cannot ring a user it no longer has
    if agent.is_busy or any(d.is_busy for d in devices):  # Exotel's active call, or ours (agents/on_call.py)
        return Availability.BUSY
    if agent.uses_phone_sip:
        on = bool(phone_sip and (phone_sip.phone_enabled or phone_sip.sip_enabled))
    else:
        on = any(d.is_on for d in devices)
    return Availability.AVAILABLE if on else Availability.OFF


def state_set(
    agent: Agent, devices: list[Device], phone_sip: PhoneSip | None, now: datetime, *, by: str = ""
) -> list[StateInterval] | None:
    """The board's availability and drift flag, and the state time in state counts, from these
    devices, in memory (the caller saves). None when that state did not change; else the interval
    it ends (unsaved, one row per local day; none for a new agent), the new one being opened on the
    agent with `by` (who or what changed it; the agent's last change by default)."""
    agent.availability = _availability(agent, devices, phone_sip)
    agent.has_drift = any(d.has_drift for d in devices) or bool(phone_sip and phone_sip.has_drift)
    state = state_of(agent, devices, phone_sip)  # finer than availability, which follows from it
    if state == agent.state and agent.state_since is not None:
        return None
    ended = closed_intervals(agent, now)
    agent.state, agent.state_since, agent.state_by = state, now, by or agent.last_change_by
    return ended


def agent_state_refresh(*, agent: Agent, by: str = "") -> Agent:
    """Recompute the board's availability and drift flag and the agent's state from the stored
    devices; a changed state closes its interval in the same transaction."""
    phone_sip = PhoneSip.objects.filter(agent=agent).first()
    with transaction.atomic():
        ended = state_set(agent, list(Device.objects.filter(agent=agent)), phone_sip, timezone.now(), by=by)
        agent.save(update_fields=STATE_FIELDS + TIME_IN_STATE_FIELDS)
        StateInterval.objects.bulk_create(ended or [])
    agent_changed(agent)
    return agent


def agent_changed(agent: Agent) -> None:
    """Tells open screens that this agent's row, devices or timeline changed (once it commits)."""
    changed(Topic.AGENT, agent.pk, account_id=agent.account_id, agent_id=agent.pk)
