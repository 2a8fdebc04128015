"""The agent detail page: the audit timeline and "why isn't this agent getting calls?" from fresh data."""

import html

import pytest
from django.utils import timezone

from tests.support.live_calls import callbacks_withheld, place_call

from .conftest import PHONE, SIP, change_in_exotel


def log_in(client, login):
    assert client.login(username=login.username, password=login.password)


def test_detail_checks_exotel_now_and_explains_no_device_on(client, board_supervisor, ccm_agent, ccm_user, sandbox):
    # Exotel has the phone OFF now (changed outside exoadmin, not synced yet).
    change_in_exotel(sandbox, ccm_user["id"], PHONE, available=False)
    log_in(client, board_supervisor)

    page = client.get(f"/agents/{ccm_agent.pk}/").content.decode()

    assert "No device is ON, so no call can reach this agent." in page
    assert "Fix: Turn one of their devices ON" in page
    assert "differs from what exoadmin last set (drift)" in page
    assert "Accept Exotel&#x27;s state" in page
    assert "Drift found" in page  # the timeline shows the drift the check found


def test_detail_lists_unverified_devices_and_busy_calls(client, board_supervisor, ccm_agent, ccm_user, sandbox):
    change_in_exotel(sandbox, ccm_user["id"], SIP, verified=False)
    change_in_exotel(sandbox, ccm_user["id"], PHONE, status="busy")
    log_in(client, board_supervisor)

    page = client.get(f"/agents/{ccm_agent.pk}/").content.decode()

    assert f"A device is ON: Phone {PHONE}. Calls ring there." in page
    assert f"SIP {SIP} is not verified." in page
    assert "Busy on a call now" in page


def test_detail_timeline_shows_the_rollback(client, board_supervisor, ccm_agent, ccm_user, sandbox):
    change_in_exotel(sandbox, ccm_user["id"], SIP, verified=False)
    log_in(client, board_supervisor)
    sip = ccm_agent.devices.get(contact_uri=SIP)
    client.post(f"/agents/{ccm_agent.pk}/devices/{sip.pk}/", {"action": "switch"})

    page = client.get(f"/agents/{ccm_agent.pk}/").content.decode()

    assert "Rolled back" in page and "Failed" in page and "request id" in page


def test_phone_sip_detail_flags_unregistered_sip(client, board_supervisor, phone_sip_agent, sandbox):
    sandbox.control("PATCH", "/_sandbox/integration-users/agent_007", {"sip": {"enabled": True, "registered": False}})
    log_in(client, board_supervisor)

    page = client.get(f"/agents/{phone_sip_agent.pk}/").content.decode()

    assert "SIP is enabled but not registered" in page


def test_detail_lists_the_agents_latest_calls(client, board_supervisor, ccm_agent, exotel_account):
    from django.utils import timezone

    from calls.models import Call

    Call.objects.create(
        account=exotel_account,
        agent=ccm_agent,
        customer_number="+919811112222",
        created_at=timezone.now(),
        state="terminal",
        status="completed",
        launch_outcome="accepted",
    )
    log_in(client, board_supervisor)

    page = client.get(f"/agents/{ccm_agent.pk}/").content.decode()

    assert "+919811112222" in page and "Completed" in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device_model", ["ccm", "phone_sip"])
def test_why_no_calls_says_the_agent_is_on_a_call_placed_here_with_whom_since_when(
    client, sandbox, board_supervisor, request, device_model
):
    agent = request.getfixturevalue("ccm_agent" if device_model == "ccm" else "phone_sip_agent")
    callbacks_withheld(sandbox)
    log_in(client, board_supervisor)
    call = place_call(client, agent, "+919876543210")

    page = html.unescape(client.get(f"/agents/{agent.pk}/").content.decode())

    since = timezone.localtime(call.since).strftime("%H:%M")
    assert f"On a call with +919876543210 since {since}: Exotel sends no new call until it ends." in page
    assert "Not on a call." not in page
    assert f'href="/calls/{call.key}/"' in page
