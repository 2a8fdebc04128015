"""A fixed week of calls in New York (a zone far from UTC), two teams, and an account-wide supervisor.

Today is Sat 5 Dec 2026 in New York (NOW). The range Thu 3 – Fri 4 Dec is compared with Tue 1 – Wed 2 Dec:

    Fri 4 23:30  Asha   completed 60 s   North      (04:30 UTC on the 5th: still the 4th in New York)
    Fri 4 10:00  Asha   completed 20 s   no team    outcome "Interested"
    Thu 3 09:00  Vikram unanswered       South
    Thu 3 12:00  Vikram refused launch   South      (never placed: not counted)
    Wed 2 11:00  Asha   completed 30 s   North
    Tue 1 00:30  Vikram unanswered       South
    Mon 30 Nov 23:30 Asha completed      North      (before both periods)
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agents.models import Agent
from calls.models import Call, CallOutcome, LaunchOutcome, State
from exoadmin.accounts.models import ExotelAccount
from teams.models import Team

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 5, 20, 0, tzinfo=ZoneInfo("UTC"))  # 15:00 on Sat 5 Dec in New York


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


@dataclass
class Floor:
    account: ExotelAccount
    north: Team
    south: Team
    asha: Agent
    vikram: Agent
    interested: CallOutcome


def placed(floor: Floor, agent: Agent, local: str, *, teams=(), status="completed", talk=None, **fields) -> Call:
    call = Call.objects.create(
        account=floor.account,
        agent=agent,
        customer_number="+919812340000",
        exophone="+918030752400",
        state=State.TERMINAL,
        status=status,
        launch_outcome=fields.pop("launch_outcome", LaunchOutcome.ACCEPTED),
        created_at=datetime.fromisoformat(local).replace(tzinfo=NEW_YORK),
        talk_time=talk,
        **fields,
    )
    call.teams.set(teams)
    return call


@pytest.fixture
def floor(db, now, supervisor_login) -> Floor:
    account = ExotelAccount.objects.create(name="Acme", account_sid="acme", api_key="k", time_zone="America/New_York")
    account.members.add(supervisor_login.user)
    account.account_wide.add(supervisor_login.user)
    north, south = (Team.objects.create(account=account, name=name) for name in ("North", "South"))
    asha = Agent.objects.create(account=account, name="Asha Rao", exotel_user_id="u-asha")
    vikram = Agent.objects.create(account=account, name="Vikram Shah", exotel_user_id="u-vikram")
    north.agents.add(asha)
    south.agents.add(vikram)
    floor = Floor(account, north, south, asha, vikram, CallOutcome.objects.create(account=account, name="Interested"))
    placed(floor, asha, "2026-12-04 23:30", teams=[north], talk=60)
    placed(floor, asha, "2026-12-04 10:00", talk=20, outcome=floor.interested)
    placed(floor, vikram, "2026-12-03 09:00", teams=[south], status="to_leg_unanswered")
    placed(floor, vikram, "2026-12-03 12:00", teams=[south], status="", launch_outcome=LaunchOutcome.REFUSED)
    placed(floor, asha, "2026-12-02 11:00", teams=[north], talk=30)
    placed(floor, vikram, "2026-12-01 00:30", teams=[south], status="to_leg_unanswered")
    placed(floor, asha, "2026-11-30 23:30", teams=[north], talk=99)
    return floor
