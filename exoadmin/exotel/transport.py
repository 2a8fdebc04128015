"""The one HTTP seam to Exotel: auth header, timeouts, rate budget, envelope parsing, retries, logs.

A breaker (given by the client's owner) stops asking an Exotel host after requests to it failed
(no answer, or 5xx, after their retries) several times in a row: for a while requests fail at once
with NotAsked, nothing sent, instead of each waiting out timeouts and retries.

Retry policy (the only one): 429, 5xx and network failures are retried with capped exponential
backoff and full jitter, never sooner than a Retry-After, and only for GET and PUT, whose repeat
cannot do anything twice. A POST (call launch, contact create) is sent once: if it was sent and
no answer came, it raises UnknownOutcome, because the call may exist.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from . import __version__
from .errors import (
    ConnectionFailed,
    ExotelError,
    NotAsked,
    RateLimited,
    ServerError,
    UnknownOutcome,
    error_from_response,
)
from .models import Envelope
from .ratelimit import Priority, RateBudget

log = logging.getLogger("exoadmin.exotel")

USER_AGENT = f"exoadmin/{__version__} python-requests/{requests.__version__}"
RETRIED_METHODS = frozenset({"GET", "PUT"})
# How long a request may wait for the shared rate budget before giving up.
BUDGET_WAIT = {"interactive": 5.0, "bulk": 120.0}
# How long one logical request may take, retries and budget waits included: a person's click must
# be answered well inside a web worker's time limit; jobs may wait out a slow Exotel longer.
DEADLINE = {"interactive": 10.0, "bulk": 180.0}
_SENT_FAILURES = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
# Path segments that name an API's parts; every other segment is an id (an account's, a user's...).
_PATH_WORDS = frozenset({"accounts", "apps", "calls", "contacts", "devices", "legs", "token", "users", "v2", "v3"})


@dataclass(frozen=True)
class Exchange:
    """One request sent to Exotel, as the product counts it: `endpoint` is a path template, never an id."""

    family: str
    method: str
    endpoint: str
    status: int | None  # None when no answer came (`failure` says why)
    exotel_code: int | None
    seconds: float
    failure: str | None = None


Observer = Callable[[Exchange], None]


class Breaker(Protocol):
    """What the transport needs of a circuit breaker (the product's is exoadmin.breakers.Breaker)."""

    def allow(self) -> bool: ...
    def succeeded(self) -> None: ...
    def failed(self, error: object) -> None: ...
    def retry_in(self) -> float: ...


def endpoint_template(path: str) -> str:
    """ "/v2/accounts/<sid>/users/<id>/devices/<id>" -> "/v2/accounts/{sid}/users/{id}/devices/{id}"."""
    segments = path.strip("/").split("/")
    named = [
        segment if segment in _PATH_WORDS else "{sid}" if index and segments[index - 1] == "accounts" else "{id}"
        for index, segment in enumerate(segments)
    ]
    return "/" + "/".join(named)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to stop retrying."""
        if attempt >= self.max_attempts or (retry_after or 0) > self.max_delay:
            return None
        jittered = random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
        return max(jittered, retry_after or 0)


class Transport:
    """One Exotel API family (CCM, contacts or integrations) over a shared requests.Session."""

    def __init__(
        self,
        *,
        family: str,
        base_url: str,
        authorization: str,
        account_sid: str,
        session: requests.Session,
        timeout: tuple[float, float],
        budget: RateBudget | None = None,
        priority: Priority = "interactive",
        budget_wait: float | None = None,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        observer: Observer | None = None,
        breaker: Breaker | None = None,
    ) -> None:
        self.family = family
        self.observer = observer
        self.breaker = breaker
        self.base_url = base_url.rstrip("/")
        self.account_sid = account_sid
        self.session = session
        self.timeout = timeout
        self.budget = budget
        self.priority = priority
        self.budget_wait = BUDGET_WAIT[priority] if budget_wait is None else budget_wait
        self.retry = retry
        self._sleep = sleep
        self._headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if authorization:
            self._headers["Authorization"] = authorization

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        unsure: str = "the change may or may not have been made",
    ) -> Envelope:
        """Send one logical request (retrying where safe) and return its parsed envelope.

        `unsure` completes the UnknownOutcome message for this action ("the call may or may not
        have been placed").
        """
        if self.breaker is not None and not self.breaker.allow():
            raise self._not_asked(method, path)
        try:
            envelope = self._attempts(method, path, params, body, unsure)
        except ExotelError as exc:
            self._tell_breaker(exc)
            raise
        self._tell_breaker(None)
        return envelope

    def _attempts(self, method: str, path: str, params: dict[str, Any] | None, body: Any, unsure: str) -> Envelope:
        """The attempts of one logical request, within its deadline. Once an attempt was sent and not
        answered, the request's outcome is unknown unless Exotel later answers for good."""
        attempt, unanswered = 0, None
        failure: ExotelError
        deadline = time.monotonic() + DEADLINE[self.priority]
        try:
            while True:
                attempt += 1
                if self.budget is not None:
                    self.budget.acquire(self.account_sid, self.priority, min(self.budget_wait, _left(deadline)))
                try:
                    return self._send(method, path, params, body, attempt, unsure, _left(deadline))
                except UnknownOutcome as exc:
                    unanswered, failure = exc, exc
                except ExotelError as exc:
                    failure = exc
                wait = self._retry_wait(method, failure, attempt)
                if wait is None or time.monotonic() + wait >= deadline:
                    raise failure
                self._sleep(wait)
        except ExotelError as exc:
            if unanswered is not None and not exc.permanent:
                raise unanswered from exc  # "nothing reached Exotel" would be untrue after that attempt
            raise

    def open_stream(self, url: str, *, where: str) -> requests.Response:
        """GET an absolute URL outside this family's API (a pre-signed recording link), streamed.

        Sent once and never redirected: the caller checks every hop before asking for it. `where`
        (the link's origin) is all that logs and errors name: the rest of a pre-signed link is a
        secret. Raises ExotelError when nothing came back; any status is the caller's to read.
        """
        started = time.perf_counter()
        try:
            response = self.session.request(
                "GET",
                url,
                headers=self._headers,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
                auth=_no_auth,  # no credentials at all, not even ~/.netrc's, unless this transport has them
            )
        except _SENT_FAILURES as exc:
            error = _network_error(exc, "GET", where, "")
            self._log("GET", "{recording link}", started, 1, failure=type(exc).__name__, where=where)
            raise error from exc
        self._log("GET", "{recording link}", started, 1, status=response.status_code, where=where)
        return response

    def _not_asked(self, method: str, path: str) -> NotAsked:
        retry_in = self.breaker.retry_in() if self.breaker is not None else 0
        return NotAsked(
            "Exotel has not been answering, so this was not sent and nothing changed: "
            f"try again in {max(1, round(retry_in))} s",
            method=method,
            url=self.base_url + path,
        )

    def _tell_breaker(self, error: ExotelError | None) -> None:
        """Once per logical request: no answer or a 5xx, after its retries, counts against the host;
        any other outcome shows it is well (one failing resource must not close a host to others)."""
        if self.breaker is None:
            return
        if isinstance(error, (ConnectionFailed, UnknownOutcome, ServerError)):
            self.breaker.failed(error)
        else:
            self.breaker.succeeded()

    def _retry_wait(self, method: str, exc: ExotelError, attempt: int) -> float | None:
        if method not in RETRIED_METHODS or not (exc.retryable or isinstance(exc, UnknownOutcome)):
            return None
        return self.retry.delay(attempt, exc.retry_after if isinstance(exc, RateLimited) else None)

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        body: Any,
        attempt: int,
        unsure: str,
        time_left: float,
    ) -> Envelope:
        url = self.base_url + path
        started = time.perf_counter()
        timeout = (min(self.timeout[0], time_left), min(self.timeout[1], time_left))
        try:
            response = self.session.request(
                method, url, params=params, json=body, headers=self._headers, timeout=timeout
            )
        except _SENT_FAILURES as exc:
            network_error = _network_error(exc, method, url, unsure)
            self._log(method, path, started, attempt, error=network_error, failure=type(exc).__name__)
            raise network_error from exc
        envelope, error = self._parse(response, method, url)
        self._log(method, path, started, attempt, envelope=envelope, error=error)
        if error is not None:
            raise error
        return envelope

    def _parse(self, response: requests.Response, method: str, url: str) -> tuple[Envelope, ExotelError | None]:
        """Read the envelope once; an error envelope becomes its exception (returned, not raised)."""
        try:
            body = json.loads(response.content) if response.content else None
        except ValueError:
            body = None  # an HTML 502 page from a proxy, a truncated body...
        status = response.status_code
        envelope = _envelope(body, status, method, response.headers.get("X-Request-Id"))
        failed_code = envelope.http_code if envelope.http_code >= 400 else status
        if failed_code >= 400 or (isinstance(body, dict) and body.get("success") is False):
            return envelope, error_from_response(
                max(failed_code, 400),
                body,
                response.headers,
                method=method,
                url=url,
                request_id=envelope.request_id,
                family=self.family,
            )
        if not isinstance(body, dict):
            return envelope, ExotelError(
                "Exotel sent an answer that could not be read: try again in a minute",
                http_status=status,
                request_id=envelope.request_id,
                method=method,
                url=url,
            )
        return envelope, None

    def _log(
        self,
        method: str,
        path: str,
        started: float,
        attempt: int,
        *,
        envelope: Envelope | None = None,
        error: ExotelError | None = None,
        failure: str | None = None,
        status: int | None = None,
        where: str | None = None,
    ) -> None:
        seconds = time.perf_counter() - started
        status = envelope.http_code if envelope else status
        code = error.code if error else None
        if self.observer is not None:
            self.observer(Exchange(self.family, method, endpoint_template(path), status, code, seconds, failure))
        if not log.isEnabledFor(logging.INFO):
            return
        request_id = envelope.request_id if envelope else ""
        log.info(
            "exotel %s %s -> %s",
            method,
            where or path,
            failure or status,
            extra={
                "family": self.family,
                "method": method,
                "path": where or path,
                "status": status,
                "exotel_code": code,
                "request_id": request_id,
                "attempt": attempt,
                "duration_ms": round(seconds * 1000, 1),
                "priority": self.priority,
                "failure": failure,
            },
        )


def _left(deadline: float) -> float:
    """Seconds until `deadline` (time.monotonic()), never below a short try: the first attempt always goes."""
    return max(0.5, deadline - time.monotonic())


def _envelope(body: Any, status: int, method: str, header_request_id: str | None) -> Envelope:
    """CCM/contacts `{request_id, method, http_code, metadata, response}`, integrations `{success, data}`
    or the integrations token's `{RequestId, Status, Code, Error, Data}`."""
    if not isinstance(body, dict):
        return Envelope(header_request_id or "", status, method, None, None)
    http_code = body.get("http_code")
    response = next((body[key] for key in ("response", "data", "Data") if key in body), None)
    return Envelope(
        request_id=str(body.get("request_id") or body.get("RequestId") or header_request_id or ""),
        http_code=http_code if isinstance(http_code, int) else status,
        method=body.get("method") or method,
        metadata=body.get("metadata"),
        response=response,
    )


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def _network_error(exc: Exception, method: str, url: str, unsure: str) -> ExotelError:
    if _nothing_sent(exc):
        return ConnectionFailed(
            "Could not connect to Exotel, so no request reached Exotel and nothing changed: "
            "check the network and try again",
            method=method,
            url=url,
        )
    if method == "GET":
        return UnknownOutcome("Exotel did not answer in time: try again in a minute", method=method, url=url)
    return UnknownOutcome(
        f"Exotel did not answer in time; {unsure} — check before trying again", method=method, url=url
    )


def _nothing_sent(exc: Exception) -> bool:
    """True when the failure happened before any byte of the request reached Exotel."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError)):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
