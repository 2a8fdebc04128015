"""Retries, timeouts, auth and logging of the one HTTP seam (stub session where the sandbox
cannot produce the case on demand)."""

import logging

import pytest
import requests
from urllib3.exceptions import ProtocolError

from exoadmin.exotel import calls, contacts, devices, integrations, users
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import ConnectionFailed, ExotelError, RateLimited, ServerError, UnknownOutcome
from exoadmin.exotel.transport import RetryPolicy
from tests.support.processes import free_port

from .helpers import config_for, stub_client
from .stub_session import StubSession, response, seed_body

DEVICE_OK = seed_body("device_put_200")


def _toggle(client):
    return devices.set_device_available(client, user_id="u1", device_id="d1", available=True)


def _launch(client):
    return calls.launch_v3(
        client, from_contact_uri="+919900000001", to_contact_uri="+919900000002", virtual_number="+918030752400"
    )


def test_put_is_retried_after_5xx_and_dropped_connections_then_succeeds():
    dropped = requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))
    session = StubSession(response(503, None, raw=b"<html>bad gateway</html>"), dropped, response(200, DEVICE_OK))
    client = stub_client(session)
    assert _toggle(client).available is True
    assert len(session.sent) == 3 and len(client.sleeps) == 2


def test_retry_waits_at_least_retry_after():
    session = StubSession(response(429, None, headers={"Retry-After": "2"}), response(200, DEVICE_OK))
    client = stub_client(session)
    _toggle(client)
    assert client.sleeps[0] >= 2


def test_retry_after_longer_than_the_policy_allows_is_not_waited_for():
    session = StubSession(response(429, None, headers={"Retry-After": "60"}))
    with pytest.raises(RateLimited) as caught:
        _toggle(stub_client(session))
    assert caught.value.retry_after == 60 and len(session.sent) == 1


def test_retries_stop_after_max_attempts_and_raise_the_last_error():
    session = StubSession(*[response(500, None) for _ in range(3)])
    client = stub_client(session, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(ServerError):
        users.get_user(client, "u1")
    assert len(session.sent) == 3


def test_backoff_is_exponential_jittered_and_capped():
    policy = RetryPolicy(max_attempts=10, base_delay=0.5, max_delay=2.0)
    for attempt in range(1, 9):
        assert 0 <= policy.delay(attempt, None) <= min(2.0, 0.5 * 2 ** (attempt - 1))
    assert policy.delay(10, None) is None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
def test_client_errors_are_never_retried(status):
    session = StubSession(response(status, None), response(200, DEVICE_OK))
    with pytest.raises(ExotelError):
        _toggle(stub_client(session))
    assert len(session.sent) == 1


def test_call_launch_is_not_retried_after_a_server_error():
    session = StubSession(response(500, None), response(200, seed_body("v3_launch_200")))
    with pytest.raises(ServerError):
        _launch(stub_client(session))
    assert len(session.sent) == 1


def test_call_launch_read_timeout_raises_unknown_outcome_telling_to_check_first():
    session = StubSession(requests.ReadTimeout("read timed out"))
    with pytest.raises(UnknownOutcome) as caught:
        _launch(stub_client(session))
    assert caught.value.user_message == (
        "Exotel did not answer in time; the call may or may not have been placed — check before trying again"
    )
    assert len(session.sent) == 1 and not caught.value.retryable


def test_call_launch_dropped_connection_raises_unknown_outcome():
    dropped = requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))
    with pytest.raises(UnknownOutcome):
        _launch(stub_client(StubSession(dropped)))


def test_contact_create_is_sent_once_and_reports_unknown_outcome():
    session = StubSession(requests.ReadTimeout("read timed out"))
    with pytest.raises(UnknownOutcome, match="contacts may or may not have been created"):
        contacts.create(stub_client(session), [{"number": "+919900000001"}])
    assert len(session.sent) == 1


def test_a_put_sent_without_an_answer_stays_unknown_whatever_its_retries_met():
    session = StubSession(requests.ReadTimeout("read timed out"), *[requests.ConnectTimeout("connect timed out")] * 4)
    with pytest.raises(UnknownOutcome, match="the device may or may not have been switched"):
        _toggle(stub_client(session))
    assert len(session.sent) == 5, "retried, but the first attempt may have changed the device"


def test_connect_failure_says_no_request_reached_exotel():
    closed = f"http://127.0.0.1:{free_port()}"
    client = ExotelClient(config_for(closed), sleep=lambda s: None)
    with pytest.raises(ConnectionFailed, match="no request reached Exotel") as caught:
        _launch(client)
    assert caught.value.retryable


def test_every_request_sends_basic_auth_header_timeouts_and_user_agent_never_credentials_in_url():
    session = StubSession(response(200, DEVICE_OK))
    _toggle(stub_client(session))
    sent = session.sent[0]
    assert sent["headers"]["Authorization"] == "Basic YWNtZS1rZXk6YWNtZS10b2tlbi1zM2NyZXQ="
    assert sent["headers"]["User-Agent"].startswith("exoadmin/")
    assert sent["timeout"] == (2.0, 5.0)
    assert sent["url"] == "http://exotel.test/v2/accounts/acme/users/u1/devices/d1"
    assert sent["json"] == {"available": True}


def test_integrations_send_the_app_token_as_bearer():
    from exoadmin.exotel import integrations

    session = StubSession(response(200, seed_body("integrations_get_200")))
    integrations.get_devices(stub_client(session), "agent_001")
    assert session.sent[0]["headers"]["Authorization"] == "Bearer acme-app-token-s3cret"
    assert session.sent[0]["url"] == (
        "http://exotel.test/v2/integrations/acme-customer/apps/acme-app/users/agent_001/devices"
    )


def test_one_log_line_per_attempt_with_context_and_no_secrets(caplog):
    session = StubSession(
        response(500, {"request_id": "r1", "http_code": 500, "response": {"error_data": {"code": 1100}}}),
        response(200, DEVICE_OK),
    )
    with caplog.at_level(logging.INFO, logger="exoadmin.exotel"):
        _toggle(stub_client(session))
    first, second = caplog.records
    assert (first.status, first.exotel_code, first.request_id, first.attempt) == (500, 1100, "r1", 1)
    assert (second.status, second.attempt, second.path) == (200, 2, "/v2/accounts/acme/users/u1/devices/d1")
    assert first.duration_ms >= 0
    logged = " ".join(str(vars(record)) for record in caplog.records)
    assert "s3cret" not in logged and "Basic" not in logged and "YWNtZS" not in logged


def test_unreadable_success_body_is_an_error_not_a_crash():
    with pytest.raises(ExotelError, match="could not be read"):
        _toggle(stub_client(StubSession(response(200, None, raw=b"<html>captive portal</html>"))))


def test_config_repr_never_shows_secrets():
    text = repr(config_for("http://x")) + str(config_for("http://x"))
    assert "s3cret" not in text and "acme-key" not in text


def test_bulk_update_over_5000_contacts_is_refused_before_sending():
    session = StubSession()
    with pytest.raises(ValueError, match="at most 5000"):
        contacts.bulk_update(stub_client(session), [{"sid": str(i)} for i in range(5001)])
    assert session.sent == []


def test_the_observer_is_told_of_each_attempt_by_endpoint_template_never_by_id():
    seen = []
    devices_now = seed_body("integrations_get_200")
    session = StubSession(response(503, None), response(200, DEVICE_OK), response(200, devices_now))
    client = stub_client(session, observer=seen.append)

    _toggle(client)
    integrations.get_devices(client, user_id="u1")

    assert [(e.family, e.method, e.endpoint, e.status) for e in seen] == [
        ("ccm", "PUT", "/v2/accounts/{sid}/users/{id}/devices/{id}", 503),
        ("ccm", "PUT", "/v2/accounts/{sid}/users/{id}/devices/{id}", 200),
        ("integrations", "GET", "/{id}/apps/{id}/users/{id}/devices", 200),
    ]
    assert all(exchange.seconds >= 0 for exchange in seen)
