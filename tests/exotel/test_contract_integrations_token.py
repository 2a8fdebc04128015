"""The integrations app token (exotel-contract.md: POST /v2/integrations/token), against the sandbox over HTTP:
issued for the app's id and secret, usable at once, expiring, and refused in words."""

import time

import pytest

from exoadmin.exotel import integrations
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import AuthenticationFailed, InvalidRequest

from .conftest import ACCOUNT, FAST_RETRY, logged_body
from .helpers import config_for

SECRET = "acme-app-secret-s3cret"


@pytest.fixture
def acme_with_secret(sandbox, acme):
    sandbox.control("POST", "/_sandbox/accounts", ACCOUNT | {"app_secret": SECRET})
    sandbox.control(
        "POST",
        "/_sandbox/integration-users",
        {"account_sid": ACCOUNT["sid"], "user_id": "agent_001", "phone": {"enabled": True, "number": "+919876543210"}},
    )


def _client_with_token(sandbox, token: str) -> ExotelClient:
    return ExotelClient(config_for(sandbox.url, integrations_app_token=token), retry=FAST_RETRY)


def test_the_apps_id_and_secret_buy_a_token_the_devices_api_takes_at_once(sandbox, client, acme_with_secret):
    issued = integrations.issue_app_token(client, ACCOUNT["app_id"], SECRET)

    assert issued.token and issued.token != ACCOUNT["app_token"] and issued.request_id
    sent = sandbox.requests("/v2/integrations/token", "POST")[-1]
    assert logged_body(sent) == {"Id": ACCOUNT["app_id"], "Secret": SECRET, "Entity": "app"}
    assert integrations.get_devices(_client_with_token(sandbox, issued.token), "agent_001").phone.enabled
    assert "secret" not in repr(issued).lower() and issued.token not in repr(issued)


def test_a_wrong_secret_is_refused_with_what_to_do(client, acme_with_secret):
    with pytest.raises(AuthenticationFailed) as caught:
        integrations.issue_app_token(client, ACCOUNT["app_id"], "not-the-secret")

    assert "did not accept the integrations app id and secret" in caught.value.user_message
    assert caught.value.request_id and caught.value.description == "Invalid Id or Secret"


def test_an_incomplete_request_is_refused_before_and_by_exotel(sandbox, client, acme_with_secret):
    with pytest.raises(ValueError):
        integrations.issue_app_token(client, ACCOUNT["app_id"], "")
    with pytest.raises(InvalidRequest) as caught:
        client.integrations_token_api.request("POST", "/token", body={"Id": ACCOUNT["app_id"], "Secret": SECRET})
    assert "refused the token request as incomplete" in caught.value.user_message


def test_an_issued_token_expires(sandbox, client, acme_with_secret):
    sandbox.configure(app_token_ttl_seconds=1)
    issued = integrations.issue_app_token(client, ACCOUNT["app_id"], SECRET)
    time.sleep(1.2)

    with pytest.raises(AuthenticationFailed) as caught:
        integrations.get_devices(_client_with_token(sandbox, issued.token), "agent_001")
    assert "invalid or expired" in caught.value.user_message


def test_a_seeded_token_with_a_lifetime_expires_too(sandbox, acme):
    sandbox.control("POST", "/_sandbox/accounts", ACCOUNT | {"app_token": "short-lived", "app_token_ttl": 0})

    with pytest.raises(AuthenticationFailed):
        integrations.get_devices(_client_with_token(sandbox, "short-lived"), "agent_001")
