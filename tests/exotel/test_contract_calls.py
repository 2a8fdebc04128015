"""Call launch (v3, v2), details and legs (seeds 002, 004), against the real sandbox over HTTP."""

import pytest

from exoadmin.exotel import calls
from exoadmin.exotel.calls import Playback, RecordingOptions, StatusCallback, Streaming
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import Conflict, InvalidRequest, NotFound, RateLimited, UnknownOutcome
from tests.support.processes import wait_until

from .conftest import EXOPHONE, FAST_RETRY, add_agent, logged_body, phone
from .helpers import config_for

CUSTOMER = "+919812345670"  # ends in 0: the sandbox answers and completes the call


@pytest.fixture
def agent(sandbox, acme):
    return add_agent(sandbox, devices=[phone("+919900000101", available=True)])


def _launch_v3(client, **options):
    return calls.launch_v3(
        client, from_contact_uri="+919900000101", to_contact_uri=CUSTOMER, virtual_number=EXOPHONE, **options
    )


def test_v3_launch_answers_an_active_call_with_its_sid(sandbox, client, agent):
    call = _launch_v3(client)
    assert call.sid and call.state == "active" and call.status is None and call.request_id
    body = logged_body(sandbox.requests("/v3/accounts/acme/calls", "POST")[-1])
    assert body == {
        "from": {"contact_uri": "+919900000101"},
        "to": {"contact_uri": CUSTOMER},
        "virtual_number": EXOPHONE,
    }


def test_v3_launch_sends_every_documented_option_that_is_set(sandbox, client, agent):
    _launch_v3(
        client,
        state_management=True,
        recording=RecordingOptions(record=True, channels="dual", format="mp3-hq"),
        wait_audio_url="https://example.com/wait.wav",
        max_time_limit=600,
        attempt_time_out=20,
        custom_field="ticket-42",
        status_callbacks=[
            StatusCallback("answered", "https://example.com/cb", "GET", "application/json"),
            StatusCallback("terminal", "https://example.com/cb"),
        ],
        playback=[Playback(event="start", to="both", value="https://example.com/hello.wav")],
        streaming=Streaming(url="wss://example.com/stream", begin="from_leg_connect"),
    )
    body = logged_body(sandbox.requests("/v3/accounts/acme/calls", "POST")[-1])
    assert body == {
        "from": {"contact_uri": "+919900000101", "state_management": True},
        "to": {"contact_uri": CUSTOMER},
        "virtual_number": EXOPHONE,
        "recording": {"record": True, "channels": "dual", "format": "mp3-hq"},
        "wait_audio_url": "https://example.com/wait.wav",
        "max_time_limit": 600,
        "attempt_time_out": 20,
        "custom_field": "ticket-42",
        "status_callback": [
            {"event": "answered", "url": "https://example.com/cb", "method": "GET", "content_type": "application/json"},
            {"event": "terminal", "url": "https://example.com/cb"},
        ],
        "playback": [{"event": "start", "to": "both", "value": "https://example.com/hello.wav"}],
        "streaming": {"url": "wss://example.com/stream", "begin": "from_leg_connect"},
    }


def test_max_time_limit_over_four_hours_is_refused_before_sending(sandbox, client, agent):
    with pytest.raises(ValueError):
        _launch_v3(client, max_time_limit=14401)
    assert sandbox.requests("/calls", "POST") == []


def test_call_details_and_legs_follow_the_call_to_its_end(sandbox, client, agent):
    sandbox.configure(ring_seconds=0.2, talk_seconds=0.3)
    call = _launch_v3(client, recording=RecordingOptions(record=True))
    ended = wait_until(
        lambda: (d := calls.get_call_details(client, call.sid)).is_terminal and d, timeout=15, what="the call to end"
    )
    assert ended.status == "completed" and ended.end_time and ended.end_time >= ended.start_time
    assert ended.recording_urls and ended.request_id
    legs = calls.get_call_legs(client, call.sid)
    assert legs.call_sid == call.sid and legs.from_legs and legs.to_legs
    assert legs.from_legs[0].contact_uri == "+919900000101" and legs.to_legs[0].contact_uri == CUSTOMER


def test_unknown_exophone_is_reported(client, agent):
    with pytest.raises(NotFound) as caught:
        calls.launch_v3(
            client, from_contact_uri="+919900000101", to_contact_uri=CUSTOMER, virtual_number="+911111111111"
        )
    assert caught.value.code == 10716
    assert caught.value.user_message.startswith("This ExoPhone is not in the Exotel account")


def test_launch_from_an_agent_whose_device_is_off_is_refused(sandbox, client, acme):
    add_agent(sandbox, devices=[phone("+919900000101", available=False)])
    with pytest.raises(Conflict) as caught:
        _launch_v3(client)
    assert (caught.value.code, caught.value.user_message) == (1012, "The agent's device is OFF: turn it ON first")


def test_launch_from_an_unverified_device_is_refused(sandbox, client, acme):
    add_agent(sandbox, devices=[phone("+919900000101", verified=False)])
    with pytest.raises(Conflict) as caught:
        _launch_v3(client)
    assert caught.value.code == 10705 and "not verified" in caught.value.user_message


def test_launch_while_the_agent_is_on_another_call_is_refused(client, agent):
    _launch_v3(client)
    with pytest.raises(Conflict) as caught:
        _launch_v3(client)
    assert caught.value.code == 10706 and caught.value.user_message.startswith("The agent is busy on another call")


def test_v2_launch_by_user_id_answers_the_assigned_agent(sandbox, client, agent):
    call = calls.launch_v2(
        client,
        user_id=str(agent["id"]),
        number=CUSTOMER,
        virtual_number=EXOPHONE,
        recording=True,
        recording_channels="dual",
        custom_field="t-1",
        status_callbacks=[StatusCallback("terminal", "https://example.com/cb")],
    )
    assert call.call_sid and call.state == "active" and call.request_id
    assert call.agent_user_id == str(agent["id"]) and call.customer_number == CUSTOMER
    body = logged_body(sandbox.requests("/v2/accounts/acme/calls", "POST")[-1])
    assert body == {
        "from": {"user_id": str(agent["id"])},
        "to": {"number": CUSTOMER},
        "virtual_number": EXOPHONE,
        "recording": True,
        "recording_channels": "dual",
        "custom_field": "t-1",
        "status_callback": [{"event": "terminal", "url": "https://example.com/cb"}],
    }


def test_v2_launch_by_device_uri(client, agent):
    call = calls.launch_v2(client, user_contact_uri="+919900000101", number=CUSTOMER, virtual_number=EXOPHONE)
    assert call.agent_contact_uri == "+919900000101"


def test_v2_launch_for_an_unknown_agent_is_reported(client, agent):
    with pytest.raises(NotFound) as caught:
        calls.launch_v2(client, user_id="nobody", number=CUSTOMER, virtual_number=EXOPHONE)
    assert caught.value.code == 10731 and "not a user in the Exotel account" in caught.value.user_message


def test_v2_launch_for_an_agent_without_devices_is_reported(sandbox, client, acme):
    lonely = add_agent(sandbox, devices=[])
    with pytest.raises(NotFound) as caught:
        calls.launch_v2(client, user_id=str(lonely["id"]), number=CUSTOMER, virtual_number=EXOPHONE)
    assert caught.value.code == 10806 and "no device" in caught.value.user_message


def test_v2_launch_needs_exactly_one_way_to_name_the_agent(client):
    with pytest.raises(ValueError):
        calls.launch_v2(client, number=CUSTOMER, virtual_number=EXOPHONE)


def test_details_of_an_unknown_call_are_reported(client, acme):
    with pytest.raises(NotFound) as caught:
        calls.get_call_details(client, "no-such-call")
    assert "cannot find this call" in caught.value.user_message


def test_legs_of_an_unknown_call_are_reported(client, acme):
    with pytest.raises(NotFound) as caught:
        calls.get_call_legs(client, "no-such-call")
    assert caught.value.code == 10744 and caught.value.user_message.startswith("Exotel cannot find this call")


@pytest.mark.parametrize("sid", ["", None])
def test_details_and_legs_of_a_call_without_a_sid_are_refused_before_sending(sandbox, client, acme, sid):
    for read in (calls.get_call_details, calls.get_call_legs):
        with pytest.raises(ValueError, match="call sid is required"):
            read(client, sid)

    assert [r["path"] for r in sandbox.requests() if "/calls/" in r["path"]] == []


def test_launch_that_times_out_raises_unknown_outcome_and_was_sent_once(sandbox, agent):
    sandbox.configure(faults={"slow": 1.0, "slow_seconds": 1.5})
    client = ExotelClient(config_for(sandbox.url, read_timeout=0.3), retry=FAST_RETRY)
    with pytest.raises(UnknownOutcome) as caught:
        _launch_v3(client)
    assert caught.value.user_message == (
        "Exotel did not answer in time; the call may or may not have been placed — check before trying again"
    )
    logged = wait_until(
        lambda: sandbox.requests("/v3/accounts/acme/calls", "POST"),
        timeout=5,
        what="the launch in the sandbox's request log",
    )
    assert len(logged) == 1


def test_invalid_option_value_is_reported_with_exotels_explanation(client, agent):
    with pytest.raises(InvalidRequest) as caught:
        _launch_v3(client, recording=RecordingOptions(channels="triple"))
    assert caught.value.code == 1002
    assert caught.value.user_message.startswith("Exotel rejected a value in the request: ")
    assert "RecordingChannels" in caught.value.user_message


def test_exotel_rate_limit_is_reported_with_its_retry_after(sandbox, client, agent):
    sandbox.configure(rate_limit=2)
    calls.get_call_details(client, _launch_v3(client).sid)
    with pytest.raises(RateLimited) as caught:
        calls.get_call_legs(client, "any-call")
    assert caught.value.code == 10724 and caught.value.retry_after > FAST_RETRY.max_delay
    assert caught.value.user_message.startswith("Too many requests to Exotel right now")


def test_v3_calls_a_sip_customer_unrecorded_with_several_playbacks(sandbox, client, agent):
    call = calls.launch_v3(
        client,
        from_contact_uri="+919900000101",
        to_contact_uri="sip:kiran@example.com",
        virtual_number=EXOPHONE,
        recording=RecordingOptions(record=False),
        playback=[
            Playback(event="start", to="both", value="https://example.com/hello.wav"),
            Playback(event="start", to="both", value="https://example.com/menu.wav"),
        ],
    )

    assert call.sid and call.state == "active"
    body = logged_body(sandbox.requests("/v3/accounts/acme/calls", "POST")[-1])
    assert body["to"] == {"contact_uri": "sip:kiran@example.com"} and body["recording"] == {"record": False}
    assert [entry["value"] for entry in body["playback"]] == [
        "https://example.com/hello.wav",
        "https://example.com/menu.wav",
    ]


def test_v2_turns_recording_off_for_one_call(sandbox, client, agent):
    calls.launch_v2(client, number=CUSTOMER, virtual_number=EXOPHONE, user_contact_uri="+919900000101", recording=False)

    assert logged_body(sandbox.requests("/v2/accounts/acme/calls", "POST")[-1])["recording"] is False
