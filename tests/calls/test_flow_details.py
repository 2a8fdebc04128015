"""What Exotel reports of a call that went through an app flow is kept and shown: its app, the keys the
caller pressed, every recording (each playable on its own) and the group a leg was dialled from."""

import pytest

from calls.models import Call, CallLeg, Side
from calls.payloads import from_callback
from tests.calls.conftest import ended_recorded_call

FLOW = {
    "app_id": "5561",
    "app_name": "Order status IVR",
    "digits": "2#",
    "recordings": 2,
    "group_id": "77",
    "group_name": "Night shift",
}


@pytest.fixture
def flow_call(sandbox, exotel_account, asha, supervisor) -> Call:
    def through_an_app_flow(call):
        sandbox.control("PATCH", f"/_sandbox/calls/{call.sid}", FLOW)

    return ended_recorded_call(
        sandbox, exotel_account, asha, supervisor, while_ringing=through_an_app_flow, ring_seconds=1.0
    )


def test_the_app_the_keys_and_every_recording_are_stored_and_shown(client, agent_login, flow_call):
    assert (flow_call.app_id, flow_call.app_name, flow_call.digits) == ("5561", "Order status IVR", "2#")
    assert flow_call.recording_count == 2 and flow_call.recording_urls[1].split("?")[0].endswith("-2.wav")
    customer_leg = CallLeg.objects.get(call=flow_call, side=Side.CUSTOMER)
    assert (customer_leg.group_id, customer_leg.group_name) == ("77", "Night shift")

    client.login(username=agent_login.username, password=agent_login.password)
    page = client.get(f"/calls/{flow_call.key}/").content.decode()
    assert "Order status IVR" in page and "(id 5561)" in page and "<code>2#</code>" in page
    assert "Recording 2 of 2" in page and f"/calls/{flow_call.key}/recording/?part=2" in page
    assert "group Night shift" in page
    assert "signature=" not in page


def test_each_recording_plays_on_its_own_and_a_missing_one_is_said(client, agent_login, flow_call):
    client.login(username=agent_login.username, password=agent_login.password)

    first = client.get(f"/calls/{flow_call.key}/recording/")
    second = client.get(f"/calls/{flow_call.key}/recording/", {"part": "2", "download": "1"})
    third = client.get(f"/calls/{flow_call.key}/recording/", {"part": "3"})

    first_audio, second_audio = b"".join(first.streaming_content), b"".join(second.streaming_content)
    assert first_audio.startswith(b"RIFF") and second_audio.startswith(b"RIFF") and first_audio != second_audio
    assert second["Content-Disposition"] == f'attachment; filename="call-{flow_call.key}-2.wav"'
    assert (
        third.status_code == 502 and "This call has 2 recording(s): there is no recording 3." in third.content.decode()
    )


def test_a_callback_names_every_recording_and_the_flow():
    snapshot = from_callback(
        {
            "event_details": {"event_type": "terminal"},
            "call_details": {
                "sid": "abc",
                "state": "terminal",
                "status": "completed",
                "app_id": 5561,
                "app_name": "Order status IVR",
                "digits": "12",
                "recordings": [
                    {"url": "https://r.example/1.mp3"},
                    {"url": "javascript:alert(1)"},
                    {"url": "https://r.example/2.mp3"},
                ],
            },
        }
    )

    assert snapshot.recording_urls == ("https://r.example/1.mp3", "https://r.example/2.mp3")
    assert (snapshot.app_id, snapshot.app_name, snapshot.digits) == ("5561", "Order status IVR", "12")
