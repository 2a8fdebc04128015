"""One error hierarchy for everything Exotel can do wrong, and the one function that maps a
failed response to it (in the manner of stripe-python's `specific_v1_api_error`).

`retryable`: trying the same request again later may succeed (5xx, 429, nothing sent).
`permanent`: the same request will fail again until something changes (4xx).
UnknownOutcome is neither: the request may have taken effect, so check before repeating it.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from time import time
from typing import Any, TypedDict, Unpack

from . import messages


class ErrorContext(TypedDict, total=False):
    """What an ExotelError carries besides its message (every field optional)."""

    http_status: int | None
    code: int | None
    request_id: str | None
    method: str | None
    url: str | None
    description: str | None


class ExotelError(Exception):
    retryable = False
    permanent = False

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: int | None = None,
        request_id: str | None = "",
        method: str | None = None,
        url: str | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(message)
        self.user_message = message
        self.http_status = http_status
        self.code = code
        self.request_id = request_id or ""  # always a string: "" when Exotel sent none
        self.method = method
        self.url = url
        self.description = description

    @property
    def reference(self) -> str:
        """What Exotel support asks for: the code and the request id."""
        parts = [f"HTTP {self.http_status}"] if self.http_status else []
        parts += [f"Exotel code {self.code}"] if self.code is not None else []
        parts += [f"request id {self.request_id}"] if self.request_id else []
        return ", ".join(parts)

    def __str__(self) -> str:
        where = f" [{self.method} {self.url}]" if self.method else ""
        ref = f" ({self.reference})" if self.reference else ""
        return f"{self.user_message}{ref}{where}"


class ConnectionFailed(ExotelError):
    """No request reached Exotel (DNS, refused, connect timeout, TLS)."""

    retryable = True


class NotAsked(ConnectionFailed):
    """Not sent: requests to this Exotel host failed many times in a row moments ago (the transport's
    breaker is open). Like any failure to connect, nothing changed and a later try may work."""


class UnknownOutcome(ExotelError):
    """The request was sent but no answer came back: it may or may not have taken effect."""


class AuthenticationFailed(ExotelError):
    permanent = True


class Forbidden(ExotelError):
    permanent = True


class NotFound(ExotelError):
    permanent = True


class Conflict(ExotelError):
    permanent = True


class InvalidRequest(ExotelError):
    permanent = True


class RateLimited(ExotelError):
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **context: Unpack[ErrorContext]) -> None:
        super().__init__(message, **context)
        self.retry_after = retry_after


class ServerError(ExotelError):
    retryable = True


_CLASS_BY_STATUS: dict[int, type[ExotelError]] = {
    400: InvalidRequest,
    401: AuthenticationFailed,
    402: Forbidden,
    403: Forbidden,
    404: NotFound,
    405: InvalidRequest,
    409: Conflict,
    415: InvalidRequest,
    422: InvalidRequest,
    429: RateLimited,
}
_MESSAGE_BY_CODE = {code: text for (_, code), text in messages.CCM_MESSAGES.items() if code}


def user_message_for(
    http_status: int,
    code: int | None,
    description: str | None = None,
    *,
    family: str = "ccm",
    request_id: str | None = None,
) -> str:
    """The supervisor-facing sentence for one failure; unknown codes still show code and request id."""
    if family == "integrations" and http_status in messages.INTEGRATIONS_MESSAGES:
        return messages.INTEGRATIONS_MESSAGES[http_status]
    if family == "integrations_token" and http_status in messages.INTEGRATIONS_TOKEN_MESSAGES:
        return messages.INTEGRATIONS_TOKEN_MESSAGES[http_status]
    known = messages.CCM_MESSAGES.get((http_status, code)) or (_MESSAGE_BY_CODE.get(code) if code is not None else None)
    if known:
        return known.format(description=description or "no detail given")
    if http_status >= 500:
        generic = messages.SERVER_ERROR_MESSAGE.format(status=http_status)
    else:
        generic = messages.STATUS_MESSAGES.get(http_status) or messages.UNKNOWN_MESSAGE.format(status=http_status)
    details = [f"Exotel code {code}"] if code is not None else []
    details += [description] if description else []
    details += [f"request id {request_id}"] if request_id else []
    return f"{generic} ({'; '.join(details)})" if details else generic


def error_from_response(
    http_status: int,
    body: Any,
    headers: Mapping[str, str] | None,
    *,
    method: str,
    url: str,
    request_id: str | None,
    family: str = "ccm",
) -> ExotelError:
    """Map one failed response to its exception. `body` is the decoded JSON or None (HTML 502s...)."""
    code, description = _error_details(body, http_status)
    context = ErrorContext(
        http_status=http_status, code=code, request_id=request_id, method=method, url=url, description=description
    )
    message = user_message_for(http_status, code, description, family=family, request_id=request_id)
    if http_status == 429:
        return RateLimited(message, retry_after=retry_after_seconds(headers), **context)
    cls = ServerError if http_status >= 500 else _CLASS_BY_STATUS.get(http_status, ExotelError)
    return cls(message, **context)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Retry-After in seconds (both the delta and the HTTP-date forms), or None."""
    value = headers.get("Retry-After") if headers else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return None


def _error_details(body: Any, http_status: int) -> tuple[int | None, str | None]:
    """(Exotel code, description) from any envelope Exotel or the sandbox uses."""
    if not isinstance(body, dict):
        return None, None
    response = body.get("response")
    if isinstance(response, list):
        response = response[0] if response else None
    for holder in (response, body):
        if not isinstance(holder, dict):
            continue
        data = holder.get("error_data") or holder.get("error") or holder.get("RestException")
        if isinstance(data, dict):
            code = _as_int(data.get("code", data.get("Code")))
            description = data.get("description") or data.get("message") or data.get("Message")
            # The integrations body repeats the HTTP status as its "code": not an Exotel code.
            return (None if code == http_status and holder is body else code), description
    if isinstance(body.get("Error"), str) and body["Error"]:  # the token endpoint's {Status, Code, Error}
        return None, body["Error"]
    return None, None


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
