"""Recordings: the pre-signed, expiring storage links of a call's `recordings[].url` (seed 002),
fetched server-side so that no browser ever holds one.

A link carries its own signature, so nothing of the account goes with it: no Authorization header
(the storage host is not Exotel's API and must never see the API token) and no share of the rate
budget. Which links may be fetched at all is the caller's decision (`refusal`), asked for the link
and again for every redirect hop before any request is made to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

from .client import ExotelClient
from .errors import ExotelError, error_from_response

MAX_REDIRECTS = 3
CHUNK = 64 * 1024


class LinkRefused(Exception):
    """`refusal` gave a reason not to fetch the link or one of its redirects; nothing was sent there."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Recording:
    content_type: str
    chunks: Iterator[bytes]  # the audio as it arrives; the connection closes when it is consumed or closed


def open_recording(client: ExotelClient, url: str, *, refusal: Callable[[str], str]) -> Recording:
    """The recording at `url`, following at most MAX_REDIRECTS redirects.

    `refusal(url)` answers why a URL must not be fetched ("" when it may). Raises LinkRefused when it
    refuses the link or a hop, and ExotelError when the storage cannot be reached, answers anything
    but 200, or redirects more often than that.
    Reference: seed 002 (call details and callbacks, `recordings[].url`).
    """
    for _ in range(MAX_REDIRECTS + 1):
        reason = refusal(url)
        if reason:
            raise LinkRefused(reason)
        where = origin(url)
        response = client.recording_storage.open_stream(url, where=where)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            response.close()
            continue
        if response.status_code != 200:
            response.close()
            raise error_from_response(
                response.status_code,
                None,
                response.headers,
                method="GET",
                url=where,
                request_id="",
                family="recordings",
            )
        return Recording(response.headers.get("Content-Type", "audio/mpeg"), _chunks(response))
    raise ExotelError(f"The recording storage redirected more than {MAX_REDIRECTS} times", method="GET", url=where)


def origin(url: str) -> str:
    """scheme://host[:port]: all of a pre-signed link that a log line or an error may show."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "an unreadable link"
    return f"{parts.scheme}://{parts.hostname}{port}"


def _chunks(response: requests.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_content(CHUNK)
    finally:
        response.close()
