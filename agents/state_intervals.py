"""Time in state as it happens: which state an agent is in, and the stretch it leaves, cut at the
account's midnights so every stored row lies in one local day (reports sum them per day in SQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from agents.models import Agent, AgentState, Device, DeviceType, PhoneSip, StateInterval


def state_of(agent: Agent, devices: list[Device], phone_sip: PhoneSip | None) -> AgentState:
    """The one state the agent is in, by precedence: not found, on a call, available where, off."""
    if agent.is_gone_from_exotel:
        return AgentState.NOT_FOUND
    if agent.is_busy or any(d.is_busy for d in devices):
        return AgentState.ON_CALL
    if agent.uses_phone_sip:
        phone = bool(phone_sip and phone_sip.phone_enabled)
        sip = bool(phone_sip and phone_sip.sip_enabled)
    else:
        on = {d.type for d in devices if d.is_on}
        phone, sip = DeviceType.TEL in on, DeviceType.SIP in on
    if phone and sip:
        return AgentState.BOTH
    return AgentState.PHONE if phone else AgentState.SIP if sip else AgentState.OFF


def day_pieces(started_at: datetime, ended_at: datetime, zone: tzinfo) -> Iterator[tuple[date, datetime, datetime]]:
    """[started_at, ended_at) cut at each local midnight of `zone`: (day, start, end) per day, in UTC
    (so that an end minus a start counts the hours a clock change adds or takes away)."""
    start, ended_at = started_at.astimezone(UTC), ended_at.astimezone(UTC)
    while start < ended_at:
        day = timezone.localtime(start, zone).date()
        midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
        end = min(ended_at, midnight)
        yield day, start, end
        start = end


def closed_intervals(agent: Agent, ended_at: datetime) -> list[StateInterval]:
    """The agent's open interval, ended now, as unsaved rows, one per local day."""
    if agent.state_since is None:
        return []
    return [
        StateInterval(
            agent=agent,
            state=agent.state,
            started_at=start,
            ended_at=end,
            day=day,
            seconds=round((end - start).total_seconds()),
            changed_by=agent.state_by,
        )
        for day, start, end in day_pieces(agent.state_since, ended_at, agent.account.zone)
    ]
