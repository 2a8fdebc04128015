"""The one mapping from a failed Exotel response to an exception and a supervisor's message."""

import pytest

from exoadmin.exotel import errors, messages
from exoadmin.exotel.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    RateLimited,
    ServerError,
    error_from_response,
)


def _failure(status, code, description="detail from Exotel"):
    error_data = None if code is None else {"code": code, "message": "x", "description": description}
    return {
        "request_id": "req-1",
        "method": "PUT",
        "http_code": status,
        "response": {"code": status, "status": "failure", "error_data": error_data},
    }


def _map(status, body, headers=None, family="ccm"):
    return error_from_response(
        status, body, headers or {}, method="PUT", url="http://x/y", request_id="req-1", family=family
    )


@pytest.mark.parametrize(("status", "code"), sorted(messages.CCM_MESSAGES, key=str))
def test_every_documented_code_yields_its_message(status, code):
    error = _map(status, _failure(status, code))
    assert error.user_message == messages.CCM_MESSAGES[status, code].format(description="detail from Exotel")
    assert (error.http_status, error.code, error.request_id) == (status, code, "req-1")


@pytest.mark.parametrize(
    ("status", "code", "text"),
    [
        (409, 1012, "The agent's device is OFF: turn it ON first"),
        (403, 10810, "Another device is ON: turn it OFF first"),
        (409, 10809, "This device is not verified yet: verify it in Exotel before turning it ON"),
        (409, 10706, "The agent is busy on another call"),
        (404, 10716, "This ExoPhone is not in the Exotel account"),
        (401, 1010, "Exotel rejected the API key/token: check the account's credentials"),
        (404, 10744, "Exotel cannot find this call"),
        (429, 10724, "Too many requests to Exotel"),
        (404, 1000, "This contact is not in Exotel"),
    ],
)
def test_key_errors_say_what_happened_and_what_to_do(status, code, text):
    assert _map(status, _failure(status, code)).user_message.startswith(text)


def test_unknown_code_still_shows_code_and_request_id():
    message = _map(409, _failure(409, 99999, "Something new")).user_message
    assert "99999" in message and "req-1" in message and "Something new" in message


def test_known_code_with_an_undocumented_status_keeps_its_message():
    assert _map(400, _failure(400, 10810)).user_message == "Another device is ON: turn it OFF first"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidRequest),
        (401, AuthenticationFailed),
        (403, Forbidden),
        (404, NotFound),
        (405, InvalidRequest),
        (409, Conflict),
        (415, InvalidRequest),
        (422, InvalidRequest),
        (429, RateLimited),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
    ],
)
def test_each_http_status_maps_to_its_exception_class(status, cls):
    assert type(_map(status, _failure(status, None))) is cls


def test_retryable_and_permanent_follow_the_status():
    assert _map(503, None).retryable and not _map(503, None).permanent
    assert _map(429, None).retryable
    assert _map(409, _failure(409, 1012)).permanent and not _map(409, _failure(409, 1012)).retryable


def test_html_502_from_a_proxy_becomes_a_server_error_with_a_readable_message():
    error = _map(502, None)
    assert isinstance(error, ServerError)
    assert error.user_message.startswith("Exotel is having trouble (HTTP 502)")
    assert "req-1" in error.user_message


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (400, "At least one of phone and SIP must stay enabled"),
        (401, "Exotel rejected the integrations app token"),
        (404, "This agent is not in the Exotel integrations app"),
        (500, "Exotel had an internal error"),
    ],
)
def test_integrations_errors_have_their_own_messages(status, text):
    body = {"success": False, "error": {"code": status, "message": "whatever"}}
    error = _map(status, body, family="integrations")
    assert error.user_message.startswith(text)
    assert error.code is None  # the integrations "code" is only the HTTP status again


def test_rate_limited_carries_retry_after_in_seconds():
    assert _map(429, _failure(429, 429), {"Retry-After": "7"}).retry_after == 7
    assert _map(429, _failure(429, 429)).retry_after is None


def test_retry_after_http_date_form_is_understood():
    assert errors.retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0


def test_error_string_gives_support_the_reference_without_secrets():
    error = _map(409, _failure(409, 1012))
    assert str(error).startswith("The agent's device is OFF")
    assert "HTTP 409, Exotel code 1012, request id req-1" in str(error)
