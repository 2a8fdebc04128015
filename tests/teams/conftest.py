"""Two teams in one account, each with an agent, a device, a recorded call, rules and a job; a
supervisor who leads team A only, and one who leads team B only."""

from dataclasses import dataclass
from datetime import time

import pytest
from django.utils import timezone

from exoadmin.accounts.roles import Role
from tests.conftest import Login, _login


@dataclass
class Side:
    team: object
    agent: object
    device: object
    call: object
    number: str


def _side(account, team_name: str, agent_name: str, exotel_id: str, number: str) -> Side:
    from agents.models import Agent, AvailabilityEvent, Device
    from calls.models import Call, State
    from teams.models import Team

    team = Team.objects.create(account=account, name=team_name)
    agent = Agent.objects.create(account=account, name=agent_name, exotel_user_id=f"u-{exotel_id}")
    team.agents.add(agent)
    device = Device.objects.create(
        agent=agent,
        exotel_id=exotel_id,
        contact_uri=f"+9199000{exotel_id}",
        type="tel",
        available=True,
        verified=True,
        status="free",
    )
    AvailabilityEvent.objects.create(
        agent=agent, at=timezone.now(), source="agent", device=device.label, before="OFF", after="ON", outcome="applied"
    )
    call = Call.objects.create(
        account=account,
        agent=agent,
        customer_number=number,
        state=State.TERMINAL,
        status="completed",
        created_at=timezone.now(),
        exophone="+918030752400",
        recording_url="https://recordings.example/a.wav",
        has_recording=True,
    )
    call.teams.add(team)
    return Side(team, agent, device, call, number)


@pytest.fixture
def sides(exotel_account):
    """Team A (Sales: Asha) and team B (Support: Vikram), one call each."""
    return {
        "A": _side(exotel_account, "Sales", "Asha Rao", "4101", "+919812340001"),
        "B": _side(exotel_account, "Support", "Vikram Shah", "4202", "+919812340002"),
    }


def _lead(username: str, first_name: str, account, team) -> Login:
    login = _login(username, Role.SUPERVISOR, first_name)
    account.members.add(login.user)  # a member, not account-wide: sees only the teams they lead
    team.leads.add(login.user)
    return login


@pytest.fixture
def lead_a(sides, exotel_account) -> Login:
    return _lead("sales-lead", "Sara", exotel_account, sides["A"].team)


@pytest.fixture
def lead_b(sides, exotel_account) -> Login:
    return _lead("support-lead", "Suresh", exotel_account, sides["B"].team)


@pytest.fixture
def rules(sides, exotel_account):
    """Rules naming A's agent, team A, B's agent, team B, and both agents."""
    from agents.models import AutoOffRule

    def rule(name, agents=(), teams=()):
        made = AutoOffRule.objects.create(account=exotel_account, name=name, at_time=time(19, 0))
        made.agents.set(agents)
        made.teams.set(teams)
        return made

    a, b = sides["A"], sides["B"]
    return {
        "A agent": rule("Sales agents off", agents=[a.agent]),
        "A team": rule("Sales team off", teams=[a.team]),
        "B agent": rule("Support agents off", agents=[b.agent]),
        "B team": rule("Support team off", teams=[b.team]),
        "both": rule("Everyone off", agents=[a.agent, b.agent]),
    }
