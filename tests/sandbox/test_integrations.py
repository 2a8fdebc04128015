"""The integrations phone/SIP model (seed 001): at least one of phone and SIP stays enabled."""

import pytest

from .helpers import ExotelHttp


@pytest.fixture
def agent_001(sandbox, sandbox_account):
    return sandbox.control(
        "POST",
        "/_sandbox/integration-users",
        {
            "account_sid": sandbox_account.sid,
            "user_id": "agent_001",
            "phone": {"enabled": False, "number": "+919876543210"},
            "sip": {
                "enabled": True,
                "username": "agent_001@app_abc123.exotel.com",
                "registered": True,
                "last_seen": "2024-06-15T10:25:00+00:00",
            },
        },
    )


def test_get_shows_phone_and_sip_with_sip_presence(exotel, agent_001):
    response = exotel.integrations("GET", "agent_001")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "user_id": "agent_001",
            "devices": {
                "phone": {"enabled": False, "number": "+919876543210"},
                "sip": {
                    "enabled": True,
                    "username": "agent_001@app_abc123.exotel.com",
                    "registered": True,
                    "last_seen": "2024-06-15T10:25:00.000Z",
                },
            },
        },
    }


def test_put_changes_devices_and_answers_them_with_updated_at(exotel, agent_001):
    body = exotel.integrations("PUT", "agent_001", json={"phone": True, "sip": False}).json()
    assert body["success"] is True
    assert body["data"]["devices"] == {
        "phone": {"enabled": True, "number": "+919876543210"},
        "sip": {"enabled": False, "username": "agent_001@app_abc123.exotel.com"},
    }
    assert body["data"]["updated_at"].endswith("Z")
    assert exotel.integrations("GET", "agent_001").json()["data"]["devices"]["phone"]["enabled"] is True


def test_an_omitted_device_is_left_unchanged(exotel, agent_001):
    body = exotel.integrations("PUT", "agent_001", json={"phone": True}).json()
    assert (body["data"]["devices"]["phone"]["enabled"], body["data"]["devices"]["sip"]["enabled"]) == (True, True)


@pytest.mark.parametrize("change", [{"phone": False, "sip": False}, {"sip": False}])
def test_disabling_every_device_is_refused_with_400(exotel, agent_001, change):
    response = exotel.integrations("PUT", "agent_001", json=change)
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": {"code": 400, "message": "At least one device must remain enabled"},
    }
    assert exotel.integrations("GET", "agent_001").json()["data"]["devices"]["sip"]["enabled"] is True


@pytest.mark.parametrize("body", [{"phone": "on"}, ["phone"]])
def test_a_malformed_body_is_400(exotel, agent_001, body):
    assert exotel.integrations("PUT", "agent_001", json=body).status_code == 400


def test_unknown_user_is_404(exotel, agent_001):
    response = exotel.integrations("GET", "agent_999")
    assert response.status_code == 404 and response.json()["success"] is False


def test_a_bad_token_is_401(exotel, agent_001):
    response = exotel.integrations("GET", "agent_001", token="expired")
    assert response.status_code == 401 and response.json()["error"]["code"] == 401


def test_a_raw_token_without_bearer_is_accepted(exotel, agent_001, sandbox_account):
    response = exotel.http.get(
        f"{exotel.base_url}/v2/integrations/{sandbox_account.customer_id}/apps/"
        f"{sandbox_account.app_id}/users/agent_001/devices",
        headers={"Authorization": sandbox_account.app_token},
        timeout=5,
    )
    assert response.status_code == 200


@pytest.mark.parametrize("field", ["customer_id", "app_id"])
def test_a_customer_or_app_that_is_not_the_tokens_is_404(sandbox, sandbox_account, agent_001, field):
    from dataclasses import replace

    other = ExotelHttp(sandbox.url, replace(sandbox_account, **{field: "someone-else"}))
    assert other.integrations("GET", "agent_001").status_code == 404


def test_sip_registration_changed_behind_the_products_back_shows_up(sandbox, exotel, agent_001):
    sandbox.control("PATCH", "/_sandbox/integration-users/agent_001", {"sip": {"registered": False}})
    assert exotel.integrations("GET", "agent_001").json()["data"]["devices"]["sip"]["registered"] is False
