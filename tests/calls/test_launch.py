"""Launching calls from the form: pre-flight, confirm, every option in Exotel's documented shape,
each documented launch error, no double calls, and the call followed to its end by callbacks."""

import html
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agents.models import Agent
from calls.models import Call
from exoadmin.accounts.services import account_create_or_update
from tests.calls.conftest import CUSTOMER, EXOPHONE, launches, use_api, wait_for_call

pytestmark = pytest.mark.django_db(transaction=True)


def launch_form(client, agent, number=CUSTOMER, **options):
    data = {"agent": agent.pk, "customer_number": number, "exophone": EXOPHONE, **options}
    return client.post("/calls/new/", data)


def confirm_token(response) -> str:
    assert response.status_code == 200, response.content.decode()[:2000]
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert token, "the confirm step has no token"
    return token.group(1)


def logged_in(login) -> Client:
    client = Client()
    client.login(username=login.username, password=login.password)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_confirm_step_says_which_device_rings_first_and_from_which_exophone(sandbox, asha, supervisor, fast_calls):
    response = launch_form(logged_in(supervisor), asha, number="098765 43210")

    page = response.content.decode()
    assert "Phone +919900000001" in page and "rings first" in page
    assert EXOPHONE in page and CUSTOMER in page
    assert launches(sandbox) == []  # nothing dialled before the confirm


def test_invalid_customer_number_gets_a_clear_message(sandbox, asha, supervisor):
    response = launch_form(logged_in(supervisor), asha, number="12345")

    assert response.status_code == 422
    assert "is not a phone number we can dial" in response.content.decode()


def test_preflight_refuses_when_the_agents_device_is_off(sandbox, asha, supervisor):
    device_id = asha.sandbox_user["devices"][0]["id"]
    sandbox.control("PATCH", f"/_sandbox/devices/{device_id}", {"available": False})

    response = launch_form(logged_in(supervisor), asha)

    assert response.status_code == 409
    assert "None of Asha Rao's devices is ON" in text(response)
    assert launches(sandbox) == []
    request_id = sandbox.requests(path=f"/users/{asha.exotel_user_id}", method="GET")[-1]["request_id"]
    assert f"(Exotel request id {request_id})" in text(response)


def test_v3_call_sends_every_option_in_the_documented_shape_and_ends_completed(
    sandbox, asha, supervisor, fast_calls, callbacks_to, celery_worker
):
    client = logged_in(supervisor)
    token = confirm_token(
        launch_form(
            client,
            asha,
            record="on",
            recording_channels="dual",
            recording_format="mp3-hq",
            wait_audio_url="https://audio.example/wait.wav",
            max_time_limit=600,
            attempt_time_out=20,
            custom_field="order-42",
            from_contact_uri="+919900000001",
            state_management="true",
            playback_1_value="https://audio.example/hello.wav",
            playback_1_event="start",
            playback_1_to="both",
            playback_2_value="https://audio.example/menu.wav",
            playback_2_to="both",
            streaming_url="wss://stream.example/s",
            streaming_begin="from_leg_connect",
        )
    )

    response = client.post("/calls/confirm/", {"token": token})

    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/calls/{call.key}/"
    body = launches(sandbox)[0]["body"]
    hook = f"{callbacks_to.url}/exotel/webhook/dev-webhook-token/?ref={call.key}"
    assert body == {
        "from": {"contact_uri": "+919900000001", "state_management": True},
        "to": {"contact_uri": CUSTOMER},
        "virtual_number": EXOPHONE,
        "recording": {"record": True, "channels": "dual", "format": "mp3-hq"},
        "wait_audio_url": "https://audio.example/wait.wav",
        "max_time_limit": 600,
        "attempt_time_out": 20,
        "custom_field": "order-42",
        "status_callback": [
            {"event": "answered", "url": hook, "method": "POST", "content_type": "application/json"},
            {"event": "terminal", "url": hook, "method": "POST", "content_type": "application/json"},
        ],
        "playback": [
            {"event": "start", "to": "both", "value": "https://audio.example/hello.wav"},
            {"event": "start", "to": "both", "value": "https://audio.example/menu.wav"},
        ],
        "streaming": {"url": "wss://stream.example/s", "begin": "from_leg_connect"},
    }
    call = wait_for_call(lambda c: c.is_terminal and c.legs_fetched_at, "the call to end with its legs")
    assert (call.status, call.has_recording, call.sid is not None) == ("completed", True, True)
    assert call.answered_at is not None
    assert set(call.legs.values_list("side", flat=True)) == {"agent", "customer"}
    kinds = list(call.events.values_list("kind", flat=True))
    assert kinds[:3] == ["preflight", "launched", "accepted"] and kinds.count("callback") == 2


def test_v2_call_sends_its_documented_shape_and_ends_on_v2_callbacks(
    sandbox, asha, supervisor, fast_calls, callbacks_to, celery_worker, exotel_account
):
    use_api(exotel_account, "v2")
    client = logged_in(supervisor)
    token = confirm_token(
        launch_form(
            client,
            asha,
            number="+919876543211",
            record="on",
            recording_channels="single",
            wait_audio_url="https://audio.example/wait.wav",
            max_time_limit=300,
            attempt_time_out=15,
            custom_field="ticket-9",
            agent_identity="user_id",
        )
    )

    client.post("/calls/confirm/", {"token": token})

    call = Call.objects.get()
    hook = f"{callbacks_to.url}/exotel/webhook/dev-webhook-token/?ref={call.key}"
    assert launches(sandbox, "v2")[0]["body"] == {
        "from": {"user_id": asha.exotel_user_id},
        "to": {"number": "+919876543211"},
        "virtual_number": EXOPHONE,
        "recording": True,
        "recording_channels": "single",
        "wait_audio_url": "https://audio.example/wait.wav",
        "max_time_limit": 300,
        "attempt_time_out": 15,
        "custom_field": "ticket-9",
        "status_callback": [
            {"event": "answered", "url": hook, "method": "POST", "content_type": "application/json"},
            {"event": "terminal", "url": hook, "method": "POST", "content_type": "application/json"},
        ],
    }
    call = wait_for_call(lambda c: c.is_terminal, "the v2 call to end")
    assert (call.api_version, call.status, call.status_words) == ("v2", "to_leg_unanswered", "Customer did not answer")


def test_v2_call_can_name_the_agent_by_contact_uri(sandbox, asha, supervisor, exotel_account, fast_calls):
    use_api(exotel_account, "v2")
    client = logged_in(supervisor)

    client.post(
        "/calls/confirm/", {"token": confirm_token(launch_form(client, asha, agent_identity="user_contact_uri"))}
    )

    assert launches(sandbox, "v2")[0]["body"]["from"] == {"user_contact_uri": "+919900000001"}


def test_double_submit_of_the_confirm_form_places_one_call(sandbox, asha, supervisor, fast_calls):
    client = logged_in(supervisor)
    token = confirm_token(launch_form(client, asha))

    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(logged_in(supervisor).post("/calls/confirm/", {"token": token})))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    again = client.post("/calls/confirm/", {"token": token})

    assert Call.objects.count() == 1
    assert len(launches(sandbox)) == 1
    assert {a["Location"] for a in answers} | {again["Location"]} == {f"/calls/{Call.objects.get().key}/"}


def test_agent_may_launch_only_as_themselves(sandbox, asha, vikram, agent_login, fast_calls):
    client = logged_in(agent_login)

    refused = launch_form(client, vikram)
    page = client.get("/calls/new/").content.decode()

    assert refused.status_code == 422 and launches(sandbox) == []
    assert "Asha Rao" in page and "Vikram Shah" not in page


def test_launch_refused_by_exotel_shows_its_message_and_request_id(sandbox, asha, supervisor, fast_calls):
    client = logged_in(supervisor)
    token = confirm_token(launch_form(client, asha))
    # Between the check and the click, the agent turns the phone OFF behind our back.
    sandbox.control("PATCH", f"/_sandbox/devices/{asha.sandbox_user['devices'][0]['id']}", {"available": False})

    page = text(client.post("/calls/confirm/", {"token": token}, follow=True))

    call = Call.objects.get()
    assert (call.launch_outcome, call.state, call.launch_error_code) == ("refused", "terminal", 1012)
    assert "The agent's device is OFF: turn it ON first" in page
    assert call.launch_request_id and call.launch_request_id in page


def test_a_stale_confirm_form_asks_for_a_fresh_check_instead_of_dialling(sandbox, asha, supervisor, monkeypatch):
    client = logged_in(supervisor)
    token = confirm_token(launch_form(client, asha))
    monkeypatch.setattr("calls.launching.PREFLIGHT_MAX_AGE", timedelta(seconds=-1))

    response = client.post("/calls/confirm/", {"token": token})

    assert response["Location"] == f"/calls/new/?number=%2B919876543210&agent={asha.pk}"
    assert not Call.objects.exists() and launches(sandbox) == []


def test_a_tampered_confirm_form_is_refused(sandbox, asha, supervisor):
    client = logged_in(supervisor)
    token = confirm_token(launch_form(client, asha))

    assert client.post("/calls/confirm/", {"token": token[:-2] + "xx"}).status_code == 400
    assert not Call.objects.exists()


def test_the_form_costs_the_same_queries_for_one_account_or_five(asha, supervisor):
    client = logged_in(supervisor)
    client.get("/calls/new/")  # the session and content types are read once
    with CaptureQueriesContext(connection) as one:
        assert client.get("/calls/new/").status_code == 200
    for n in range(1, 5):
        account = account_create_or_update(
            name=f"Branch {n}", account_sid=f"branch{n}", api_key="k", api_token="t", exophones=[f"+91803075250{n}"]
        )
        account.members.add(supervisor.user)
        account.account_wide.add(supervisor.user)  # sees every team
        Agent.objects.create(account=account, name=f"Agent {n}", exotel_user_id=f"u{n}")
        if n % 2:
            use_api(account, "v2")

    with CaptureQueriesContext(connection) as five:
        page = client.get("/calls/new/").content.decode()

    assert len(five) == len(one)
    assert "Call API v3 (accounts on v3)" in page and "Call API v2 (accounts on v2)" in page
