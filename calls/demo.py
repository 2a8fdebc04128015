"""Demo calls for `make run`: a day of finished calls so history, timelines and KPIs are not empty,
the demo account's outcomes (required for every answered call), set on some calls and not yet on others.

They are history only (Exotel never heard of them, so they have no recording); calls placed from
the UI go through the sandbox and get callbacks, legs and recordings.
"""

import random
from datetime import timedelta

from django.utils import timezone

from agents.models import Agent
from calls.models import (
    Call,
    CallEvent,
    CallLeg,
    CallOutcome,
    CallSettings,
    CallStatus,
    EventKind,
    LaunchOutcome,
    LegStatus,
    OutcomeChange,
    Side,
    State,
)
from calls.outcomes import call_outcome_set
from exoadmin.accounts.models import ExotelAccount
from exoadmin.sandbox.demo import DEMO_ACCOUNT
from teams.scope import teams_of_agent

STATUSES = [CallStatus.COMPLETED] * 6 + [
    CallStatus.TO_LEG_UNANSWERED,
    CallStatus.FROM_LEG_UNANSWERED,
    CallStatus.TO_LEG_NO_DIAL,
]
DEMO_OUTCOMES = ["Interested", "Call back", "Wrong number", "Not interested"]
NOTES = {"Call back": "Asked to be called after 6 pm.", "Interested": "Wants the brochure by email."}


def demo_calls_create(count: int = 160, days: int = 14) -> str:
    """Idempotent: adds the demo calls once; answers one line for the run command to print."""
    account = ExotelAccount.objects.get(account_sid=DEMO_ACCOUNT["sid"])
    demo_calls = Call.objects.filter(account=account, custom_field__startswith="demo-")
    if demo_calls.exists():
        for call in demo_calls.filter(teams__isnull=True, agent__teams__isnull=False).distinct():
            call.teams.set(teams_of_agent(call.agent_id))  # demo calls made before there were teams
        _demo_outcomes(account)
        return "Demo calls already there."
    agents: list[Agent | None] = list(Agent.objects.filter(account=account)) or [None]
    asha = Agent.objects.filter(account=account, user__username="asha").first()
    phones = list(account.exophones.values_list("number", flat=True)) or [""]
    rng = random.Random(2026)
    now = timezone.now()
    for index in range(count):
        agent, status = rng.choice(agents), rng.choice(STATUSES)
        if index == 0 and asha:  # asha's page always has an answered call waiting for its outcome
            agent, status = asha, CallStatus.COMPLETED
        created = now - timedelta(minutes=rng.randrange(days * 24 * 60) if index else 5)
        _demo_call(account, agent, status, rng.choice(phones), rng, created, index)
    waiting = _demo_outcomes(account)
    return (
        f"Demo calls: {count} finished calls over the last {days} days, {waiting} answered ones waiting for an outcome."
    )


def _demo_outcomes(account) -> int:
    """The account's outcomes, required for every answered call; set (by their agents, or the supervisor
    for agents without a login) on about two thirds of the answered calls, once. Each agent's newest
    answered call is left waiting for one. Answers how many answered calls wait."""
    outcomes = [
        CallOutcome.objects.get_or_create(account=account, name=name, defaults={"position": position})[0]
        for position, name in enumerate(DEMO_OUTCOMES)
    ]
    CallSettings.objects.update_or_create(account=account, defaults={"outcome_required": True})
    answered = Call.objects.filter(account=account, custom_field__startswith="demo-", status=CallStatus.COMPLETED)
    if not OutcomeChange.objects.filter(call__in=answered).exists():
        supervisor = account.account_wide.first()  # sets the outcomes of agents without a login
        newest_seen: set[int | None] = set()
        for index, call in enumerate(answered.select_related("agent__user")):
            by = call.agent.user if call.agent and call.agent.user else supervisor
            if call.agent_id in newest_seen and index % 3 and by:
                outcome = outcomes[index % len(outcomes)]
                note = NOTES.get(outcome.name, "")
                call_outcome_set(user=by, call_key=call.key, outcome_id=outcome.pk, note=note)
            newest_seen.add(call.agent_id)
    return answered.filter(outcome__isnull=True).count()


def _demo_call(account, agent, status, exophone, rng, created, index) -> None:
    answered = status == CallStatus.COMPLETED
    talk = rng.randrange(20, 400) if answered else None
    ring = rng.randrange(3, 20)
    ended = created + timedelta(seconds=ring + (talk or 0) + (rng.randrange(3, 15) if answered else 0))
    call = Call.objects.create(
        account=account,
        agent=agent,
        customer_number=f"+9198{rng.randrange(10**8):08d}",
        exophone=exophone,
        sid=f"demo{index:04d}{rng.getrandbits(48):012x}",
        state=State.TERMINAL,
        status=status,
        launch_outcome=LaunchOutcome.ACCEPTED,
        created_at=created,
        started_at=created,
        answered_at=ended - timedelta(seconds=talk) if talk is not None else None,
        ended_at=ended,
        total_duration=int((ended - created).total_seconds()),
        talk_time=talk,
        custom_field=f"demo-{index}",
        last_heard_at=ended,
        legs_fetched_at=ended,
    )
    call.teams.set(teams_of_agent(agent.pk if agent else None))  # the teams its agent is in
    agent_uri = "+919900000001"
    CallLeg.objects.create(
        call=call,
        side=Side.AGENT,
        sid=f"{call.sid}a",
        name=agent.name if agent else "",
        contact_uri=agent_uri,
        status=LegStatus.NO_ANSWER if status == CallStatus.FROM_LEG_UNANSWERED else LegStatus.COMPLETED,
        started_at=created,
        updated_at=ended,
    )
    if status != CallStatus.FROM_LEG_UNANSWERED:
        customer_status = {
            CallStatus.COMPLETED: LegStatus.COMPLETED,
            CallStatus.TO_LEG_UNANSWERED: LegStatus.NO_ANSWER,
        }.get(status, LegStatus.FAILED)
        CallLeg.objects.create(
            call=call,
            side=Side.CUSTOMER,
            sid=f"{call.sid}c",
            contact_uri=call.customer_number,
            status=customer_status,
            started_at=created + timedelta(seconds=ring),
            updated_at=ended,
        )
    CallEvent.objects.create(call=call, at=ended, kind=EventKind.POLL, summary=f"Demo call: {status}")
