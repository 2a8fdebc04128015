"""Launching calls (v3 seed 002, v2 seed 004): validation, ExoPhones and the agent device checks."""

import pytest

from .helpers import add_agent, exotel_error, sip, tel

AGENT_PHONE = "+919900000101"
CUSTOMER = "+919812345670"


@pytest.fixture
def agent(sandbox, sandbox_account):
    return add_agent(sandbox, sandbox_account, tel(AGENT_PHONE, available=True), sip("sip:asha"))


def _v2_body(exotel, **overrides):
    return {
        "from": {"user_contact_uri": AGENT_PHONE},
        "to": {"number": CUSTOMER},
        "virtual_number": exotel.account.exophones[0],
        **overrides,
    }


def test_v3_launch_answers_call_details_as_in_seed_002(exotel, agent, sandbox_account):
    response = exotel.launch_v3(AGENT_PHONE, CUSTOMER, custom_field="ticket-42")
    body = response.json()
    assert (response.status_code, body["http_code"], body["method"]) == (200, 200, "POST")
    assert {k: body["response"][k] for k in ("code", "status", "error_data")} == {
        "code": 200,
        "status": "success",
        "error_data": None,
    }
    details = body["response"]["call_details"]
    sid = details["sid"]
    assert details == {
        "sid": sid,
        "direction": "outbound",
        "virtual_number": "+918030752400",
        "state": "active",
        "status": None,
        "legs": f"/v3/accounts/{sandbox_account.sid}/calls/{sid}/legs",
        "created_time": details["created_time"],
        "updated_time": details["updated_time"],
        "start_time": details["start_time"],
        "end_time": None,
        "total_duration": None,
        "total_talk_time": None,
        "custom_field": "ticket-42",
        "app_id": None,
        "app_name": None,
        "digits": None,
        "recordings": None,
    }
    assert len(sid) == 32
    assert details["created_time"].endswith("+05:30") and len(details["created_time"]) == 25


def test_a_launch_marks_the_agent_busy_with_an_active_call(exotel, agent):
    sid = exotel.launch_v3(AGENT_PHONE, CUSTOMER).json()["response"]["call_details"]["sid"]
    data = exotel.v2("GET", "/users", params={"fields": "devices,active_call"}).json()["response"][0]["data"]
    assert data["devices"][0]["status"] == "busy"
    assert data["active_call"]["call_sid"] == sid
    assert data["active_call"]["contact_uri"] == CUSTOMER


@pytest.mark.parametrize(
    "body",
    [
        {"to": {"contact_uri": CUSTOMER}, "virtual_number": "+918030752400"},
        {"from": {}, "to": {"contact_uri": CUSTOMER}, "virtual_number": "+918030752400"},
        {"from": {"contact_uri": AGENT_PHONE}, "virtual_number": "+918030752400"},
        {"from": {"contact_uri": AGENT_PHONE}, "to": {"contact_uri": CUSTOMER}},
    ],
    ids=["no from", "no from.contact_uri", "no to", "no virtual_number"],
)
def test_v3_launch_without_a_mandatory_parameter_is_400_1001(exotel, agent, body):
    assert exotel_error(exotel.v3("POST", "/calls", json=body)) == (400, 1001)


@pytest.mark.parametrize(
    "extra",
    [
        {"recording": {"record": True, "channels": "stereo"}},
        {"recording": {"record": True, "format": "wav"}},
        {"recording": {"record": "maybe"}},
        {"max_time_limit": 14401},
        {"attempt_time_out": 0},
        {"status_callback": [{"event": "ringing", "url": "http://example.com/cb"}]},
        {"status_callback": [{"event": "terminal", "url": "http://example.com/cb", "method": "PATCH"}]},
        {"status_callback": [{"event": "terminal", "url": "http://example.com/cb", "content_type": "text/xml"}]},
        {"status_callback": [{"event": "terminal"}]},
        {"playback": {"event": "start"}},
        {"streaming": {"begin": "from_leg_connect"}},
        {"custom_field": 42},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_v3_launch_with_an_invalid_value_is_400_1002(exotel, agent, extra):
    assert exotel_error(exotel.launch_v3(AGENT_PHONE, CUSTOMER, **extra)) == (400, 1002)


def test_v3_launch_accepts_every_documented_option(exotel, agent):
    response = exotel.v3(
        "POST",
        "/calls",
        json={
            "from": {"contact_uri": AGENT_PHONE, "state_management": "true"},
            "to": {"contact_uri": CUSTOMER},
            "virtual_number": "08030752401",
            "recording": {"record": "true", "channels": "dual", "format": "mp3-hq"},
            "wait_audio_url": "http://example.com/wait.wav",
            "max_time_limit": 14400,
            "attempt_time_out": 45,
            "custom_field": "x",
            "playback": [{"event": "start", "to": "both", "value": "hello"}],
            "streaming": {"url": "wss://example.com/stream", "begin": "from_leg_connect"},
            "status_callback": [
                {
                    "event": "answered",
                    "url": "http://example.com/a",
                    "method": "GET",
                    "content_type": "multipart/form-data",
                }
            ],
        },
    )
    assert response.status_code == 200
    assert response.json()["response"]["call_details"]["virtual_number"] == "+918030752401"


def test_a_virtual_number_that_is_not_an_exophone_of_the_account_is_404_10716(exotel, agent):
    response = exotel.launch_v3(AGENT_PHONE, CUSTOMER, virtual_number="+918000000000")
    assert exotel_error(response) == (404, 10716)


@pytest.mark.parametrize(
    "device_state, expected",
    [
        ({"available": False}, (409, 1012)),
        ({"verified": False}, (409, 10705)),
        ({"status": "busy"}, (409, 10706)),
    ],
)
def test_v3_launch_from_an_agent_device_checks_it(sandbox, exotel, agent, device_state, expected):
    sandbox.control("PATCH", f"/_sandbox/devices/{agent['devices'][0]['id']}", device_state)
    assert exotel_error(exotel.launch_v3(AGENT_PHONE, CUSTOMER)) == expected


def test_an_agent_on_a_call_cannot_launch_another_with_10706(exotel, agent):
    assert exotel.launch_v3(AGENT_PHONE, CUSTOMER).status_code == 200
    assert exotel_error(exotel.launch_v3(AGENT_PHONE, "+919812345679")) == (409, 10706)


def test_a_number_that_is_no_agent_is_busy_only_with_state_management(exotel, agent):
    caller = {"contact_uri": "+919833333330", "state_management": True}
    first = exotel.v3(
        "POST", "/calls", json={"from": caller, "to": {"contact_uri": CUSTOMER}, "virtual_number": "+918030752400"}
    )
    again = exotel.v3(
        "POST", "/calls", json={"from": caller, "to": {"contact_uri": CUSTOMER}, "virtual_number": "+918030752400"}
    )
    unmanaged = exotel.launch_v3("+919833333330", CUSTOMER)
    assert first.status_code == 200 and unmanaged.status_code == 200
    assert exotel_error(again) == (409, 10706)


def test_v2_launch_answers_the_seed_004_response(exotel, agent):
    response = exotel.v2("POST", "/calls", json=_v2_body(exotel, recording=True, recording_channels="dual"))
    body = response.json()
    assert (response.status_code, body["http_code"]) == (200, 200)
    call = body["response"]
    assert call == {
        "call_sid": call["call_sid"],
        "call_state": "active",
        "call_status": None,
        "assigned_agent_details": {"user_id": agent["id"], "contact_uri": AGENT_PHONE},
        "customer_details": {"number": CUSTOMER},
        "virtual_number": "+918030752400",
        "recording": True,
        "created_time": call["created_time"],
    }
    assert call["created_time"].endswith("Z") and "T" in call["created_time"]


def test_v2_launch_by_user_id_rings_the_device_that_is_on(exotel, agent):
    body = _v2_body(exotel, **{"from": {"user_id": agent["id"]}, "to": {"customer_contact_uri": CUSTOMER}})
    call = exotel.v2("POST", "/calls", json=body).json()["response"]
    assert call["assigned_agent_details"] == {"user_id": agent["id"], "contact_uri": AGENT_PHONE}
    assert call["customer_details"] == {"number": CUSTOMER}


@pytest.mark.parametrize("caller", [{"user_contact_uri": "+919999999999"}, {"user_id": "nobody"}])
def test_v2_launch_for_an_unknown_user_is_404_10731(exotel, agent, caller):
    assert exotel_error(exotel.v2("POST", "/calls", json=_v2_body(exotel, **{"from": caller}))) == (404, 10731)


@pytest.mark.parametrize(
    "device_state, expected",
    [
        ({"available": False}, (409, 1012)),
        ({"verified": False}, (409, 10705)),
        ({"status": "busy"}, (409, 10706)),
    ],
)
def test_v2_launch_checks_the_agent_device(sandbox, exotel, agent, device_state, expected):
    sandbox.control("PATCH", f"/_sandbox/devices/{agent['devices'][0]['id']}", device_state)
    assert exotel_error(exotel.v2("POST", "/calls", json=_v2_body(exotel))) == expected


def test_v2_launch_with_a_foreign_virtual_number_is_404_10716(exotel, agent):
    body = _v2_body(exotel, virtual_number="+918000000000")
    assert exotel_error(exotel.v2("POST", "/calls", json=body)) == (404, 10716)


@pytest.mark.parametrize(
    "body",
    [
        {"to": {"number": CUSTOMER}, "virtual_number": "+918030752400"},
        {"from": {"user_contact_uri": AGENT_PHONE}, "to": {}, "virtual_number": "+918030752400"},
    ],
    ids=["no from", "no to.number"],
)
def test_v2_launch_without_a_mandatory_parameter_is_400_1001(exotel, agent, body):
    assert exotel_error(exotel.v2("POST", "/calls", json=body)) == (400, 1001)


def test_v2_launch_with_bad_recording_channels_is_400_1002(exotel, agent):
    body = _v2_body(exotel, recording=True, recording_channels="quad")
    assert exotel_error(exotel.v2("POST", "/calls", json=body)) == (400, 1002)


def test_a_refused_launch_leaves_no_call_and_the_device_free(exotel, agent):
    exotel.launch_v3(AGENT_PHONE, CUSTOMER, virtual_number="+918000000000")
    data = exotel.v2("GET", "/users", params={"fields": "devices,active_call"}).json()["response"][0]["data"]
    assert data["devices"][0]["status"] == "free" and data["active_call"] is None
