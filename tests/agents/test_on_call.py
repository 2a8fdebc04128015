"""An agent on a call the product placed: the launch makes them busy on it (board row: the customer,
the direction, a running clock, a link to the call), Exotel's end of that call frees them, an older
call's late end never frees an agent on a newer one, a refused launch never makes them busy; for
CCM and phone/SIP agents alike. Each change is published for open screens."""

import json
import re

import pytest

from agents.models import Agent, Availability, DeviceStatus
from agents.sync import agents_sync
from calls.models import LaunchOutcome
from calls.tracking import call_refresh
from exoadmin.live.publish import CHANNEL
from exoadmin.redis import get_redis
from tests.support.live_calls import (
    callbacks_withheld,
    confirm,
    confirm_step,
    deliver,
    exotel_callback,
    place_call,
    tasks_inline,  # noqa: F401  (a fixture)
)

from .conftest import PHONE, change_in_exotel

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "+919876543210"  # the sandbox answers and completes calls to numbers ending in 0
NEWER_CUSTOMER = "+919876543220"


def log_in(client, login):
    assert client.login(username=login.username, password=login.password)


def board_row(client, agent) -> str:
    """The agent's row on the supervisor's board, as HTML."""
    page = client.get("/agents/").content.decode()
    row = re.search(rf'<tr id="agent-{agent.pk}".*?</tr>', page, re.S)
    assert row, f"no board row for {agent.name}"
    return row.group(0)


def fresh(agent) -> Agent:
    return Agent.objects.select_related("live_call").get(pk=agent.pk)


def test_a_launched_call_makes_the_agent_busy_on_it_until_exotel_says_it_ended(
    client, sandbox, board_supervisor, ccm_agent, tasks_inline
):
    callbacks_withheld(sandbox)
    log_in(client, board_supervisor)
    before = fresh(ccm_agent)
    assert before.availability == Availability.AVAILABLE

    call = place_call(client, ccm_agent, CUSTOMER)

    agent = fresh(ccm_agent)
    assert (agent.availability, agent.live_call) == (Availability.BUSY, call)
    assert agent.state_since > before.state_since
    row = board_row(client, agent)
    assert 'class="pill red">On a call' in row
    assert f'<a href="/calls/{call.key}/" data-testid="live-call-link">Outbound call with {CUSTOMER}</a>' in row
    assert f"on their phone {PHONE}" in row
    assert f'data-since="{int(call.since.timestamp())}"' in row

    deliver(client, exotel_callback(sandbox, call, "answered"))

    answered = fresh(ccm_agent)
    assert (answered.availability, answered.live_call, answered.state_since) == (
        Availability.BUSY,
        call,
        agent.state_since,
    )

    deliver(client, exotel_callback(sandbox, call, "terminal"))

    agent = fresh(ccm_agent)
    assert (agent.availability, agent.live_call) == (Availability.AVAILABLE, None)
    assert agent.state_since > answered.state_since
    row = board_row(client, agent)
    assert 'class="pill green">Available' in row
    assert 'data-testid="live-call"' not in row and CUSTOMER not in row


def test_exotels_busy_words_read_during_the_call_do_not_outlive_it(
    client, sandbox, board_supervisor, ccm_agent, exotel_account, tasks_inline
):
    callbacks_withheld(sandbox, ring_seconds=5)
    log_in(client, board_supervisor)
    call = place_call(client, ccm_agent, CUSTOMER)

    agents_sync(account=exotel_account)  # while it rings: Exotel says the user's active call, the phone busy

    during = fresh(ccm_agent)
    assert (during.active_call_sid, during.devices.get(contact_uri=PHONE).status) == (call.sid, DeviceStatus.BUSY)
    deliver(client, exotel_callback(sandbox, call, "terminal"))

    agent = fresh(ccm_agent)
    assert (agent.availability, agent.live_call, agent.active_call_sid) == (Availability.AVAILABLE, None, "")
    assert agent.devices.get(contact_uri=PHONE).status == DeviceStatus.FREE


def test_an_older_calls_late_end_leaves_the_agent_on_the_newer_call(
    client, sandbox, board_supervisor, ccm_agent, tasks_inline
):
    callbacks_withheld(sandbox)
    log_in(client, board_supervisor)
    newer_token = confirm_step(client, ccm_agent, NEWER_CUSTOMER)  # one supervisor checked, confirm page open
    older = place_call(client, ccm_agent, CUSTOMER)  # meanwhile another click places a call
    older_end = exotel_callback(sandbox, older, "terminal")  # it ends in Exotel; the product has not heard

    newer = confirm(client, newer_token)

    assert newer.launch_outcome == LaunchOutcome.ACCEPTED and fresh(ccm_agent).live_call == newer

    deliver(client, exotel_callback(sandbox, older, "answered"))  # late, out of order: still the newer call
    deliver(client, older_end)

    older.refresh_from_db()
    agent = fresh(ccm_agent)
    assert older.is_terminal
    assert (agent.availability, agent.live_call) == (Availability.BUSY, newer)
    row = board_row(client, agent)
    assert f"Outbound call with {NEWER_CUSTOMER}" in row and f"/calls/{older.key}/" not in row

    deliver(client, exotel_callback(sandbox, newer, "terminal"))

    assert (fresh(ccm_agent).availability, fresh(ccm_agent).live_call) == (Availability.AVAILABLE, None)


def test_a_launch_exotel_refuses_never_makes_the_agent_busy(
    client, sandbox, board_supervisor, ccm_agent, ccm_user, tasks_inline
):
    log_in(client, board_supervisor)
    token = confirm_step(client, ccm_agent, CUSTOMER)
    change_in_exotel(sandbox, ccm_user["id"], PHONE, available=False)  # turned OFF in Exotel after the check
    before = fresh(ccm_agent)

    call = confirm(client, token)

    agent = fresh(ccm_agent)
    assert call.launch_outcome == LaunchOutcome.REFUSED
    assert (agent.availability, agent.live_call, agent.state_since) == (
        Availability.AVAILABLE,
        None,
        before.state_since,
    )
    assert 'data-testid="live-call"' not in board_row(client, agent)


def test_a_phone_sip_agent_is_busy_on_a_launched_call_until_it_ends(
    client, sandbox, board_supervisor, phone_sip_agent, tasks_inline
):
    callbacks_withheld(sandbox)
    log_in(client, board_supervisor)
    assert fresh(phone_sip_agent).availability == Availability.AVAILABLE

    call = place_call(client, phone_sip_agent, CUSTOMER)

    agent = fresh(phone_sip_agent)
    assert (agent.availability, agent.live_call) == (Availability.BUSY, call)
    row = board_row(client, agent)
    assert f'<a href="/calls/{call.key}/" data-testid="live-call-link">Outbound call with {CUSTOMER}</a>' in row
    assert "on their phone +919900000777" in row

    deliver(client, exotel_callback(sandbox, call, "terminal"))

    agent = fresh(phone_sip_agent)
    assert (agent.availability, agent.live_call) == (Availability.AVAILABLE, None)
    assert 'data-testid="live-call"' not in board_row(client, agent)


def test_a_poll_that_finds_the_call_ended_frees_the_agent(client, sandbox, board_supervisor, ccm_agent, tasks_inline):
    callbacks_withheld(sandbox)  # and never delivered: only polling finds the end
    log_in(client, board_supervisor)
    call = place_call(client, ccm_agent, CUSTOMER)
    exotel_callback(sandbox, call, "terminal")  # the sandbox has ended it

    call_refresh(call_id=call.pk)

    call.refresh_from_db()
    agent = fresh(ccm_agent)
    assert call.is_terminal
    assert (agent.availability, agent.live_call) == (Availability.AVAILABLE, None)


@pytest.fixture
def news(redis_server):
    """What open screens are told: each published (topic, id), in order."""
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(CHANNEL)

    def read() -> list[tuple[str, int]]:
        found = []
        while message := pubsub.get_message(timeout=0.5):
            found.append((json.loads(message["data"])["topic"], json.loads(message["data"])["id"]))
        return found

    yield read
    pubsub.close()


def test_open_screens_are_told_when_the_call_and_the_agents_state_change(
    client, sandbox, board_supervisor, ccm_agent, tasks_inline, news
):
    callbacks_withheld(sandbox)
    log_in(client, board_supervisor)
    news()  # nothing before the launch counts

    call = place_call(client, ccm_agent, CUSTOMER)

    launched = news()
    assert ("call", call.pk) in launched and ("agent", ccm_agent.pk) in launched

    deliver(client, exotel_callback(sandbox, call, "answered"))

    assert news() == [("call", call.pk)]  # the agent's state did not change

    deliver(client, exotel_callback(sandbox, call, "terminal"))

    ended = news()
    assert ("call", call.pk) in ended and ("agent", ccm_agent.pk) in ended
