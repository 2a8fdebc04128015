"""Fetching a call's recording server-side. Exotel's recording URLs are pre-signed storage links
that expire: when the stored one no longer works, ask Exotel's call details for a fresh one."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import requests

from calls.models import Call
from calls.services import recording_url_renew

log = logging.getLogger("exoadmin.calls")
TIMEOUT = (3.05, 20)
CHUNK = 64 * 1024


class RecordingUnavailable(Exception):
    pass


def recording_stream(call: Call) -> tuple[Iterator[bytes], str]:
    """(audio chunks, content type); raises RecordingUnavailable with a message for the person."""
    upstream = _open(call.recording_url)
    if upstream is None:
        fresh = recording_url_renew(call=call)
        upstream = _open(fresh) if fresh else None
    if upstream is None:
        raise RecordingUnavailable("Exotel's recording could not be fetched right now: try again in a minute.")
    return _chunks(upstream), upstream.headers.get("Content-Type", "audio/mpeg")


def _open(url: str) -> requests.Response | None:
    if not url:
        return None
    try:
        response = requests.get(url, stream=True, timeout=TIMEOUT)
    except requests.RequestException as exc:
        log.warning("recording fetch failed: %s", type(exc).__name__)
        return None
    if response.status_code != 200:
        log.warning("recording fetch answered %s", response.status_code)  # never log the signed URL
        response.close()
        return None
    return response


def _chunks(response: requests.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_content(CHUNK)
    finally:
        response.close()
