"""The phone/SIP device model (seed 001), against the real sandbox over HTTP."""

import pytest

from exoadmin.exotel import integrations
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import AuthenticationFailed, InvalidRequest, NotFound

from .conftest import ACCOUNT, FAST_RETRY, logged_body
from .helpers import config_for


@pytest.fixture
def agent(sandbox, acme):
    sandbox.control(
        "POST",
        "/_sandbox/integration-users",
        {
            "account_sid": ACCOUNT["sid"],
            "user_id": "agent_001",
            "phone": {"enabled": True, "number": "+919876543210"},
            "sip": {
                "enabled": False,
                "username": "agent_001@acme-app.exotel.com",
                "registered": True,
                "last_seen": "2024-06-15T10:25:00.000Z",
            },
        },
    )
    return "agent_001"


def test_get_devices_reads_phone_and_sip(client, agent):
    found = integrations.get_devices(client, agent)
    assert (found.phone.enabled, found.phone.number) == (True, "+919876543210")
    assert (found.sip.enabled, found.sip.username, found.sip.registered) == (
        False,
        "agent_001@acme-app.exotel.com",
        True,
    )
    assert found.sip.last_seen is not None and found.request_id


def test_switching_from_phone_to_sip_in_one_request(sandbox, client, agent):
    changed = integrations.set_devices(client, agent, phone=False, sip=True)
    assert (changed.phone.enabled, changed.sip.enabled) == (False, True)
    assert logged_body(sandbox.requests("/devices", "PUT")[-1]) == {"phone": False, "sip": True}


def test_omitted_device_is_left_unchanged(client, agent):
    changed = integrations.set_devices(client, agent, sip=True)
    assert (changed.phone.enabled, changed.sip.enabled) == (True, True)


def test_disabling_both_devices_is_refused_with_message(client, agent):
    with pytest.raises(InvalidRequest) as caught:
        integrations.set_devices(client, agent, phone=False, sip=False)
    assert caught.value.user_message == "At least one of phone and SIP must stay enabled"
    assert caught.value.http_status == 400 and caught.value.request_id


def test_unknown_integrations_user_is_reported(client, agent):
    with pytest.raises(NotFound, match="not in the Exotel integrations app"):
        integrations.get_devices(client, "nobody")


def test_bad_app_token_is_reported(sandbox, agent):
    client = ExotelClient(config_for(sandbox.url, integrations_app_token="expired"), retry=FAST_RETRY)
    with pytest.raises(AuthenticationFailed, match="integrations app token"):
        integrations.get_devices(client, agent)


def test_nothing_to_change_is_refused_before_sending(sandbox, client, agent):
    with pytest.raises(ValueError):
        integrations.set_devices(client, agent)
    assert sandbox.requests("/devices", "PUT") == []
