"""The agent detail page: the audit timeline and "why isn't this agent getting calls?" from fresh data."""

from .conftest import PHONE, SIP, exotel_devices


def log_in(client, login):
    assert client.login(username=login.username, password=login.password)


def test_detail_checks_exotel_now_and_explains_no_device_on(client, board_supervisor, ccm_agent, ccm_user, sandbox):
    # Exotel has the phone OFF now (changed outside exoadmin, not synced yet).
    sandbox.control("PATCH", f"/_sandbox/devices/{exotel_devices(sandbox, ccm_user['id'])[PHONE]['id']}",
                    {"available": False})
    log_in(client, board_supervisor)

    page = client.get(f"/agents/{ccm_agent.pk}/").content.decode()

    assert "No device is ON, so no call can reach this agent." in page
    assert "Fix: Turn one of their devices ON" in page
    assert "differs from what exoadmin last set (drift)" in page
    assert "Accept Exotel&#x27;s state" in page
    assert "Drift found" in page  # the timeline shows the drift the check found


def test_detail_lists_unverified_devices_and_busy_calls(client, board_supervisor, ccm_agent, ccm_user, sandbox):
    devices = exotel_devices(sandbox, ccm_user["id"])
    sandbox.control("PATCH", f"/_sandbox/devices/{devices[SIP]['id']}", {"verified": False})
    sandbox.control("PATCH", f"/_sandbox/devices/{devices[PHONE]['id']}", {"status": "busy"})
    log_in(client, board_supervisor)

    page = client.get(f"/agents/{ccm_agent.pk}/").content.decode()

    assert f"A device is ON: Phone {PHONE}. Calls ring there." in page
    assert f"SIP {SIP} is not verified." in page
    assert "Busy on a call now" in page


def test_detail_timeline_shows_the_rollback(client, board_supervisor, ccm_agent, ccm_user, sandbox):
    sandbox.control("PATCH", f"/_sandbox/devices/{exotel_devices(sandbox, ccm_user['id'])[SIP]['id']}", {"verified": False})
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
