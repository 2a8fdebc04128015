"""Fetching a call's recording server-side. Exotel's recording URLs are pre-signed storage links
that expire: when the stored one no longer works, ask Exotel's call details for a fresh one.

Only from Exotel's recording storage (calls/recording_hosts.py): each URL and each redirect hop
is checked before any request is made to it. Logs name the host and status, never the signed URL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import urljoin

import requests

from calls.models import Call
from calls.recording_hosts import host_of, url_refusal
from calls.services import recording_url_renew

log = logging.getLogger("exoadmin.calls")
TIMEOUT = (3.05, 20)
CHUNK = 64 * 1024
MAX_REDIRECTS = 3
TRY_AGAIN = "Exotel's recording could not be fetched right now: try again in a minute."


class RecordingUnavailable(Exception):
    pass


def recording_stream(call: Call) -> tuple[Iterator[bytes], str]:
    """(audio chunks, content type); raises RecordingUnavailable with a message for the person."""
    problem = TRY_AGAIN
    for url in _links(call):
        if not url:
            continue
        try:
            upstream = _open(url)
        except RecordingUnavailable as refused:
            problem = str(refused)
            continue
        if upstream is not None:
            return _chunks(upstream), upstream.headers.get("Content-Type", "audio/mpeg")
        problem = TRY_AGAIN
    raise RecordingUnavailable(problem)


def _links(call: Call) -> Iterator[str]:
    yield call.recording_url
    yield recording_url_renew(call=call)  # asked only when the stored link failed or was refused


def _open(url: str) -> requests.Response | None:
    """The recording's response, following at most MAX_REDIRECTS checked redirects; None when it
    fails; RecordingUnavailable when a hop is not Exotel's recording storage."""
    for _ in range(MAX_REDIRECTS + 1):
        _refuse_unless_allowed(url)
        host = host_of(url)
        try:
            response = requests.get(url, stream=True, timeout=TIMEOUT, allow_redirects=False)
        except requests.RequestException as exc:
            log.warning("recording fetch from %s failed: %s", host, type(exc).__name__)
            return None
        if response.is_redirect:
            log.info("recording fetch from %s redirected (%s)", host, response.status_code)
            url = urljoin(url, response.headers["Location"])
            response.close()
            continue
        if response.status_code != 200:
            log.warning("recording fetch from %s answered %s", host, response.status_code)
            response.close()
            return None
        return response
    log.warning("recording fetch from %s: more than %s redirects", host, MAX_REDIRECTS)
    return None


def _refuse_unless_allowed(url: str) -> None:
    reason = url_refusal(url)
    if reason:
        log.warning("recording fetch refused: %s", reason)
        raise RecordingUnavailable(
            f"This recording was not fetched: {reason}. If Exotel has moved its recording storage, "
            "an admin can add it to EXOTEL_RECORDING_URL_PREFIXES."
        )


def _chunks(response: requests.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_content(CHUNK)
    finally:
        response.close()
