"""Time in state is recorded as it happens: every change of an agent's state closes the interval it
ends (with who or what started it) and opens the next, cut at the account's midnights."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from agents import devices
from agents.models import Agent, AgentState, StateInterval
from agents.on_call import live_call_follow
from agents.state_intervals import closed_intervals
from agents.sync import agents_sync
from calls.models import Call, LaunchOutcome, State
from exoadmin.accounts.models import ExotelAccount

from .conftest import PHONE, SIP, change_in_exotel

SYNC = "Outside exoadmin (found by sync)"


def intervals(agent) -> list[tuple[str, str]]:
    return list(StateInterval.objects.filter(agent=agent).order_by("started_at").values_list("state", "changed_by"))


def test_a_supervisors_switch_ends_the_phone_interval_and_starts_sip_in_their_name(ccm_agent, supervisor_actor):
    started = ccm_agent.state_since
    assert ccm_agent.state == AgentState.PHONE

    devices.device_switch_to(device=ccm_agent.devices.get(contact_uri=SIP), actor=supervisor_actor)

    agent = Agent.objects.get(pk=ccm_agent.pk)
    assert (agent.state, agent.state_by) == (AgentState.SIP, "Sunil Menon")
    ended = StateInterval.objects.get(agent=agent)
    assert (ended.state, ended.changed_by, ended.started_at, ended.ended_at) == (
        AgentState.PHONE,
        SYNC,
        started,
        agent.state_since,
    )


def test_a_sync_that_finds_a_change_made_in_exotel_records_it_as_found_by_sync(
    ccm_agent, ccm_user, sandbox, exotel_account
):
    change_in_exotel(sandbox, ccm_user["id"], PHONE, available=False)

    agents_sync(account=exotel_account)

    agent = Agent.objects.get(pk=ccm_agent.pk)
    assert (agent.state, agent.state_by) == (AgentState.OFF, SYNC)
    assert intervals(agent) == [(AgentState.PHONE, SYNC)]


def test_a_sync_that_changes_nothing_records_nothing(ccm_agent, exotel_account):
    agents_sync(account=exotel_account)

    assert intervals(ccm_agent) == []


def test_a_call_puts_the_agent_on_a_call_and_its_end_back_on_the_phone(ccm_agent, exotel_account):
    call = Call.objects.create(
        account=exotel_account,
        agent=ccm_agent,
        customer_number="+919876543210",
        state=State.ACTIVE,
        launch_outcome=LaunchOutcome.ACCEPTED,
        created_at=timezone.now(),
    )
    live_call_follow(call=call)
    assert Agent.objects.get(pk=ccm_agent.pk).state_by == "A call to +919876543210"

    call.state = State.TERMINAL
    call.save()
    live_call_follow(call=call)

    agent = Agent.objects.get(pk=ccm_agent.pk)
    assert (agent.state, agent.state_by) == (AgentState.PHONE, "End of the call to +919876543210")
    assert intervals(agent) == [(AgentState.PHONE, SYNC), (AgentState.ON_CALL, "A call to +919876543210")]


def test_a_user_deleted_in_exotel_is_not_found_from_the_sync_that_finds_it(
    ccm_agent, ccm_user, sandbox, exotel_account
):
    sandbox.control("DELETE", f"/_sandbox/users/{ccm_user['id']}")

    agents_sync(account=exotel_account)

    agent = Agent.objects.get(pk=ccm_agent.pk)
    assert (agent.state, agent.state_by) == (AgentState.NOT_FOUND, SYNC)
    assert intervals(agent) == [(AgentState.PHONE, SYNC)]


def _agent_since(time_zone: str, since: datetime) -> Agent:
    account = ExotelAccount.objects.create(name=time_zone, account_sid=time_zone, api_key="k", time_zone=time_zone)
    return Agent(account=account, name="Asha", state=AgentState.PHONE, state_since=since, state_by="Sunil Menon")


def _pieces(agent: Agent, until: datetime) -> list[tuple[str, int]]:
    return [(f"{piece.day:%d %b}", piece.seconds) for piece in closed_intervals(agent, until)]


@pytest.mark.django_db
def test_an_interval_over_midnight_is_cut_at_the_accounts_midnight_not_utcs():
    mumbai = ZoneInfo("Asia/Kolkata")
    agent = _agent_since("Asia/Kolkata", datetime(2026, 12, 1, 22, 0, tzinfo=mumbai))

    pieces = _pieces(agent, datetime(2026, 12, 3, 1, 30, tzinfo=mumbai))

    assert pieces == [("01 Dec", 2 * 3600), ("02 Dec", 24 * 3600), ("03 Dec", 5400)]


@pytest.mark.django_db
def test_the_day_clocks_go_back_has_25_hours_in_new_york():
    new_york = ZoneInfo("America/New_York")  # 1 Nov 2026: 02:00 EDT becomes 01:00 EST
    agent = _agent_since("America/New_York", datetime(2026, 10, 31, 20, 0, tzinfo=new_york))

    pieces = _pieces(agent, datetime(2026, 11, 2, 1, 0, tzinfo=new_york))

    assert pieces == [("31 Oct", 4 * 3600), ("01 Nov", 25 * 3600), ("02 Nov", 3600)]
    assert {piece.changed_by for piece in closed_intervals(agent, datetime(2026, 11, 2, tzinfo=new_york))} == {
        "Sunil Menon"
    }
