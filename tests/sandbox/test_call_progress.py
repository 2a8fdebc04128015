"""Calls progressing over time: legs, terminal statuses, status callbacks and recordings agree."""

import pytest
import requests

from tests.support.processes import wait_until

from .helpers import add_agent, exotel_error, tel, wait_for_terminal

AGENT_PHONE = "+919900000101"


@pytest.fixture
def agent(sandbox, sandbox_account):
    return add_agent(sandbox, sandbox_account, tel(AGENT_PHONE, available=True), first_name="Asha")


def _callbacks(receiver, *entries):
    return [{"event": event, "url": f"{receiver.url}/{event}", **options} for event, options in entries]


def _legs(exotel, sid):
    return exotel.v3("GET", f"/calls/{sid}/legs").json()["response"]["leg_details"]


def test_an_answered_call_completes_with_legs_callbacks_and_a_recording(exotel, agent, receiver, sandbox_account):
    launched = exotel.launch_v3(
        AGENT_PHONE,
        "+919812345670",
        custom_field="ticket-7",
        recording={"record": True, "channels": "dual"},
        status_callback=_callbacks(receiver, ("answered", {}), ("terminal", {"method": "GET"})),
    )
    sid = launched.json()["response"]["call_details"]["sid"]
    answered = receiver.wait_for(1, "/answered")[0]
    terminal = receiver.wait_for(1, "/terminal")[0]

    assert (answered["method"], answered["content_type"]) == ("POST", "application/json")
    assert answered["body"]["event_details"] == {"event_type": "answered"}
    assert (answered["body"]["call_details"]["state"], answered["body"]["call_details"]["status"]) == ("active", None)
    assert answered["body"]["call_details"]["end_time"] == "1970-01-01 05:30:00+05:30"
    # GET callbacks carry the payload as bracketed query fields.
    assert terminal["method"] == "GET"
    assert terminal["query"]["event_details[event_type]"] == "terminal"
    assert terminal["query"]["call_details[sid]"] == sid
    assert terminal["query"]["call_details[status]"] == "completed"
    assert terminal["query"]["call_details[custom_field]"] == "ticket-7"

    details = wait_for_terminal(exotel, sid)
    assert (details["state"], details["status"]) == ("terminal", "completed")
    assert terminal["query"]["call_details[end_time]"] == details["end_time"]
    assert details["total_talk_time"] in (0, 1)  # 0.5 s of talk, in whole seconds
    assert details["end_time"] >= details["start_time"]  # under a second apart, so maybe equal

    legs = _legs(exotel, sid)
    assert legs["call_sid"] == sid and legs["account_sid"] == sandbox_account.sid
    assert [(leg["name"], leg["contact_uri"], leg["status"]) for leg in legs["from"]] == [
        ("Asha Agent", AGENT_PHONE, "completed")
    ]
    assert [(leg["contact_uri"], leg["status"], leg["group_id"]) for leg in legs["to"]] == [
        ("+919812345670", "completed", None)
    ]

    recording_url = details["recordings"][0]["url"]
    assert terminal["query"]["call_details[recordings][0][url]"].split("?")[0] == recording_url.split("?")[0]
    audio = requests.get(recording_url, timeout=5)
    assert audio.status_code == 200 and audio.headers["Content-Type"] == "audio/wav"
    assert audio.content[:4] == b"RIFF"
    assert requests.get(recording_url.replace("signature=", "signature=0"), timeout=5).status_code == 403


def test_the_agent_device_is_free_again_after_the_call(exotel, agent):
    sid = exotel.launch_v3(AGENT_PHONE, "+919812345670").json()["response"]["call_details"]["sid"]
    wait_for_terminal(exotel, sid)
    data = exotel.v2("GET", "/users", params={"fields": "devices,active_call"}).json()["response"][0]["data"]
    assert (data["devices"][0]["status"], data["active_call"]) == ("free", None)
    assert exotel.launch_v3(AGENT_PHONE, "+919812345670").status_code == 200


OUTCOMES = {  # last digit of the customer number -> (status, agent leg, customer leg)
    "1": ("to_leg_unanswered", "completed", "no-answer"),
    "2": ("to_leg_unanswered", "completed", "busy"),
    "3": ("from_leg_unanswered", "no-answer", None),
    "4": ("from_leg_no_dial", "failed", None),
    "5": ("from_leg_cancelled", "completed", "no-answer"),
    "6": ("to_leg_no_dial", "completed", "failed"),
    "0": ("completed", "completed", "completed"),
}


def test_the_customer_numbers_last_digit_picks_the_outcome(exotel, sandbox_account, receiver):
    callbacks = _callbacks(receiver, ("terminal", {"content_type": "application/x-www-form-urlencoded"}))
    sids = {
        digit: exotel.launch_v3(
            f"+91980000000{digit}", f"+91981234567{digit}", status_callback=callbacks, recording={"record": True}
        ).json()["response"]["call_details"]["sid"]
        for digit in OUTCOMES
    }
    receiver.wait_for(len(OUTCOMES), "/terminal")
    by_sid = {r["body"]["call_details[sid]"]: r["body"] for r in receiver.received}
    for digit, (status, agent_leg, customer_leg) in OUTCOMES.items():
        details = wait_for_terminal(exotel, sids[digit])
        legs = _legs(exotel, sids[digit])
        assert details["status"] == by_sid[sids[digit]]["call_details[status]"] == status, digit
        assert [leg["status"] for leg in legs["from"]] == [agent_leg], digit
        assert [leg["status"] for leg in legs["to"]] == ([customer_leg] if customer_leg else []), digit
        if status == "completed":
            assert by_sid[sids[digit]]["call_details[recordings][0][url]"].startswith("http")
            assert details["recordings"][0]["url"].startswith("http")
        else:  # unanswered calls have no recording
            assert by_sid[sids[digit]]["call_details[recordings]"] == ""
            assert details["recordings"] is None


def test_an_unanswered_call_sends_no_answered_callback(exotel, sandbox_account, receiver, sandbox):
    sid = exotel.launch_v3(
        "+919800000001", "+919812345671", status_callback=_callbacks(receiver, ("answered", {}), ("terminal", {}))
    ).json()["response"]["call_details"]["sid"]
    receiver.wait_for(1, "/terminal")
    assert [entry["event"] for entry in sandbox.callbacks(sid)] == ["terminal"]
    assert [r["path"] for r in receiver.received] == ["/terminal"]


def test_details_while_active_show_the_1970_end_time_and_no_status(exotel, agent):
    sid = exotel.launch_v3(AGENT_PHONE, "+919812345670").json()["response"]["call_details"]["sid"]
    details = exotel.v3("GET", f"/calls/{sid}").json()["response"]["call_details"]
    assert (details["state"], details["status"]) == ("active", None)
    assert details["end_time"] == "1970-01-01 05:30:00+05:30"
    assert _legs(exotel, sid)["from"][0]["status"] == "in-progress"


def test_a_v2_call_reports_v2_words_in_callbacks_and_v3_words_in_details(exotel, agent, receiver):
    call = exotel.v2(
        "POST",
        "/calls",
        json={
            "from": {"user_id": agent["id"]},
            "to": {"number": "+919812345671"},
            "virtual_number": "+918030752400",
            "custom_field": "lead-9",
            "status_callback": [{"event": "terminal", "url": f"{receiver.url}/terminal"}],
        },
    ).json()["response"]
    payload = receiver.wait_for(1, "/terminal")[0]["body"]
    assert payload["event_details"] == {"event_type": "terminal"}
    details = payload["call_details"]
    assert (details["call_sid"], details["call_state"], details["call_status"]) == (
        call["call_sid"],
        "terminal",
        "customer_unanswered",
    )
    assert details["assigned_agent_details"] == {"user_id": agent["id"], "contact_uri": AGENT_PHONE}
    assert (details["customer_details"], details["custom_field"]) == ({"number": "+919812345671"}, "lead-9")
    v3 = wait_for_terminal(exotel, call["call_sid"])
    assert v3["status"] == "to_leg_unanswered"


def test_multipart_callbacks_carry_bracketed_fields(exotel, sandbox_account, receiver):
    exotel.launch_v3(
        "+919800000000",
        "+919812345670",
        status_callback=_callbacks(receiver, ("answered", {"content_type": "multipart/form-data"})),
    )
    received = receiver.wait_for(1, "/answered")[0]
    assert received["content_type"] == "multipart/form-data"
    assert received["body"]["event_details[event_type]"] == "answered"
    assert received["body"]["call_details[status]"] == ""  # null is sent as an empty field


def test_a_call_ends_at_its_max_time_limit(sandbox, exotel, sandbox_account):
    sandbox.configure(talk_seconds=30)
    sid = exotel.launch_v3("+919800000000", "+919812345670", max_time_limit=1).json()["response"]["call_details"]["sid"]
    details = wait_for_terminal(exotel, sid, timeout=5)
    assert details["total_talk_time"] == 1


def test_a_recording_link_expires(sandbox, exotel, sandbox_account):
    sandbox.configure(recording_ttl_seconds=1)
    sid = exotel.launch_v3("+919800000000", "+919812345670", recording={"record": True}).json()["response"][
        "call_details"
    ]["sid"]
    url = wait_for_terminal(exotel, sid)["recordings"][0]["url"]
    assert requests.get(url, timeout=5).status_code == 200
    wait_until(lambda: requests.get(url, timeout=5).status_code == 403, timeout=3, what="the link to expire")


def test_an_unknown_call_is_404_1021_in_details_and_10744_in_legs(exotel):
    assert exotel_error(exotel.v3("GET", "/calls/" + "0" * 32)) == (404, 1021)
    assert exotel_error(exotel.v3("GET", "/calls/" + "0" * 32 + "/legs")) == (404, 10744)
