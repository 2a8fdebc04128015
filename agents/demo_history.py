"""Two weeks of shifts behind the demo agents, so time in state and the daily email have a past to show
on a fresh `make run`: a morning and an afternoon available on each agent's usual device, a few calls,
lunch off, and the evening's automatic rule. Written once (a second start adds nothing)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from agents.models import Agent, AgentState, DeviceModel, StateInterval
from exoadmin.accounts.models import ExotelAccount
from exoadmin.sandbox.demo import DEMO_ACCOUNT

DAYS = 14
RULE = "Rule: Day shift ends"
Segment = tuple[AgentState, time, time, str]


def demo_history_create() -> str:
    account = ExotelAccount.objects.get(account_sid=DEMO_ACCOUNT["sid"])
    today = timezone.localtime(timezone.now(), account.zone).date()
    if StateInterval.objects.filter(agent__account=account, day__lt=today).exists():
        return "Demo history of time in state already there."
    rng = random.Random(2026)
    rows = [
        _interval(agent, day, segment, account)
        for index, agent in enumerate(Agent.objects.filter(account=account).order_by("name"))
        for day in (today - timedelta(days=n) for n in range(DAYS, 0, -1))
        for segment in _shift(agent, index, day, rng)
    ]
    StateInterval.objects.bulk_create(rows)
    return f"Demo history: {DAYS} days of shifts, {len(rows)} stretches of time in state."


def _shift(agent: Agent, index: int, day: date, rng: random.Random) -> list[Segment]:
    """One day of one agent: off on their weekly day off, else two stretches of work with calls."""
    if day.weekday() == (index + 5) % 7:
        return [(AgentState.OFF, time.min, time.max, RULE)]
    usual = _usual_state(agent, index)
    start = time(9, 0) if index % 2 else time(10, 0)
    morning = _working(usual, start, time(13, 0), agent.name, rng)
    afternoon = _working(usual, time(13, 45), time(18, 30) if index % 2 else time(19, 0), agent.name, rng)
    return [
        (AgentState.OFF, time.min, start, RULE),
        *morning,
        (AgentState.OFF, time(13, 0), time(13, 45), agent.name),
        *afternoon,
        (AgentState.OFF, afternoon[-1][2], time.max, RULE),
    ]


def _usual_state(agent: Agent, index: int) -> AgentState:
    if agent.device_model == DeviceModel.INTEGRATIONS:
        return [AgentState.PHONE, AgentState.SIP, AgentState.BOTH][index % 3]
    return AgentState.SIP if index % 3 == 2 else AgentState.PHONE


def _working(usual: AgentState, start: time, end: time, name: str, rng: random.Random) -> list[Segment]:
    """Available from `start` to `end`, with a call every 20-60 minutes lasting 2-12 minutes."""
    segments: list[Segment] = []
    now = _minutes(start)
    by = name
    while True:
        call_at = now + rng.randrange(20, 60)
        call_end = call_at + rng.randrange(2, 12)
        if call_end >= _minutes(end):
            segments.append((usual, _time(now), end, by))
            return segments
        segments.append((usual, _time(now), _time(call_at), by))
        number = f"+9198{rng.randrange(10**8):08d}"
        segments.append((AgentState.ON_CALL, _time(call_at), _time(call_end), f"A call to {number}"))
        now, by = call_end, f"End of the call to {number}"


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _interval(agent: Agent, day: date, segment: Segment, account: ExotelAccount) -> StateInterval:
    state, start, end, by = segment
    started = datetime.combine(day, start, tzinfo=account.zone)
    ended = datetime.combine(day + timedelta(days=1), time.min, tzinfo=account.zone) if end == time.max else None
    ended = ended or datetime.combine(day, end, tzinfo=account.zone)
    return StateInterval(
        agent=agent,
        state=state,
        started_at=started,
        ended_at=ended,
        day=day,
        seconds=round((ended - started).total_seconds()),
        changed_by=by,
    )
