"""An agent on a call the product placed: when it makes them busy, when its end frees them, and how
the board, the agent's own page, "why no calls?" and the launch pre-flight say it.

Exotel's users API tells a CCM agent's active call only when it is read, and the integrations API
(phone/SIP) has no busy flag at all, so the product's own calls are its best knowledge between
reads: `Agent.live_call` is the call the agent is on now, and `Agent.is_busy` (hence the board's
availability, agents/audit.py) follows it. calls/ reports every change of a call here
(`live_call_follow`); the rules are these, and only here:

- a live call (`Call.is_live`: Exotel accepted it and it has not ended) puts its agent on it; a
  refused launch, or one whose outcome is still unknown, is not live and so never does;
- a newer call wins: a late callback of an older call never takes the agent back to that call;
- a call that ends frees its agent only if the agent's live call is that call (an older call
  ending leaves an agent on a newer one busy), and what Exotel last said that the end makes stale
  is cleared: the agent's active call being that call, and the busy status Exotel reported, while
  it rang, for the device it rang on. The next read of Exotel confirms the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agents.audit import agent_state_refresh
from agents.models import Agent, Device, DeviceStatus
from agents.words import RingingPlace, at_words

if TYPE_CHECKING:
    from calls.models import Call


def live_call_follow(*, call: Call) -> None:
    """What the call's state, as just stored, means for its agent's live call and availability."""
    agent_id = call.agent_id
    if agent_id is None:
        return  # a call placed outside exoadmin belongs to no agent we know
    agents = Agent.objects.filter(pk=agent_id)
    with transaction.atomic():
        if call.is_live:
            moved = agents.filter(Q(live_call__isnull=True) | Q(live_call__lt=call.pk)).update(live_call=call)
        else:
            moved = agents.filter(live_call=call).update(live_call=None) + _exotel_busy_ended(agent_id, call)
        if not moved:
            return
        agent_state_refresh(agent=Agent.objects.get(pk=agent_id), by=_call_words(call))  # which tells open screens


def _call_words(call: Call) -> str:
    """What put the agent on a call or took them off it, for time in state: "Call to +9198…"."""
    words = f"call to {call.customer_number or 'an unknown number'}"
    return f"A {words}" if call.is_live else f"End of the {words}"


def _exotel_busy_ended(agent_id: int, call: Call) -> int:
    """Clear what Exotel said about the agent while this call was on, now that it has ended."""
    cleared = 0
    if call.sid:
        cleared += Agent.objects.filter(pk=agent_id, active_call_sid=call.sid).update(active_call_sid="")
    if call.agent_contact_uri:
        # Busy as read while this call was on (Exotel's end time is in whole seconds).
        ended = (call.ended_at or timezone.now()) + timedelta(seconds=1)
        cleared += Device.objects.filter(
            agent_id=agent_id,
            contact_uri=call.agent_contact_uri,
            status=DeviceStatus.BUSY,
            updated_at__gte=call.created_at,
            updated_at__lt=ended,
        ).update(status=DeviceStatus.FREE)
    return cleared


# -- saying it ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveCall:
    """The call an agent is on now, as the pages say it."""

    agent: Agent
    call: Call

    @property
    def since(self) -> datetime:
        return self.call.since

    @property
    def number(self) -> str:
        return self.call.customer_number or "an unknown number"

    @property
    def since_words(self) -> str:
        return at_words(self.since)

    @property
    def words(self) -> str:
        """ "On a call with +919876543210 since 12:04"."""
        return f"On a call with {self.number} since {self.since_words}"

    @property
    def place(self) -> RingingPlace | None:
        """The agent's device the call rings on: for CCM the device it named (else the one ON); for
        phone/SIP the call's from-number says which, the SIP app ("sip:…") or the phone. Reads
        prefetched devices."""
        uri = self.call.agent_contact_uri
        if self.agent.uses_phone_sip:
            if not uri:
                return None
            return (
                RingingPlace("SIP app", uri.removeprefix("sip:"))
                if uri.startswith("sip:")
                else RingingPlace("phone", uri)
            )
        device = next((d for d in self.agent.devices.all() if d.contact_uri == uri), None) or self.agent.ringing_device
        return RingingPlace(device.kind_in_words, device.contact_uri) if device else None


def live_call_of(agent: Agent) -> LiveCall | None:
    """The call the agent is on now, from the row as loaded (pages select it with the agent)."""
    call = agent.live_call
    return LiveCall(agent, call) if call is not None else None


def live_call_now(agent: Agent) -> LiveCall | None:
    """The same, read afresh (the pre-flight, just before dialling)."""
    fresh = Agent.objects.select_related("live_call").filter(pk=agent.pk).first()
    return live_call_of(fresh) if fresh else None
