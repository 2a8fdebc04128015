"""A call's recording: played and downloaded through our server (the browser never sees Exotel's
pre-signed link), renewed from Exotel's call details when the stored link no longer works, and
every play or download audited.

Only from Exotel's recording storage (calls/recording_hosts.py): the Exotel client asks
`url_refusal` about each link and each redirect hop before any request is made to it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from calls.models import Call, RecordingAccess
from calls.payloads import ExotelEvent
from calls.recording_hosts import url_refusal
from calls.timeline import timeline_add_failure
from exoadmin.accounts.clients import exotel_client
from exoadmin.exotel import calls as exotel_calls
from exoadmin.exotel import recordings as exotel_recordings
from exoadmin.exotel.errors import ExotelError
from exoadmin.refusals import Refused

log = logging.getLogger("exoadmin.calls")
TRY_AGAIN = "Exotel's recording could not be fetched right now: try again in a minute."


def recording_stream(*, call: Call, part: int = 1) -> tuple[Iterator[bytes], str]:
    """(audio chunks, content type) of the call's `part`th recording (an app flow may record several);
    raises Refused saying why there is nothing to play."""
    if not 1 <= part <= call.recording_count:
        raise Refused(f"This call has {call.recording_count} recording(s): there is no recording {part}.")
    if call.account is None:
        raise Refused("This call is in no Exotel account exoadmin knows, so its recording cannot be fetched.")
    client = exotel_client(call.account)
    problem = Refused(TRY_AGAIN)
    for url in _links(call, part):
        if not url:
            continue
        try:
            recording = exotel_recordings.open_recording(client, url, refusal=url_refusal)
        except exotel_recordings.LinkRefused as exc:
            log.warning("recording fetch refused: %s", exc.reason)
            problem = Refused(
                f"This recording was not fetched: {exc.reason}. If Exotel has moved its recording storage, "
                "an admin can add it to EXOTEL_RECORDING_URL_PREFIXES."
            )
        except ExotelError as exc:
            log.warning("recording of call %s could not be fetched: %s", call.pk, exc)
            problem = Refused(TRY_AGAIN)
        else:
            return recording.chunks, recording.content_type
    raise problem


def _links(call: Call, part: int) -> Iterator[str]:
    yield call.recording_links[part - 1]
    renewed = recording_url_renew(call=call)  # asked only when the stored link failed or was refused
    yield renewed[part - 1] if len(renewed) >= part else ""


def recording_url_renew(*, call: Call) -> list[str]:
    """Fresh pre-signed URLs from Exotel's call details, when the stored ones have expired."""
    if not call.sid:
        return []  # Exotel can only be asked about a call whose sid we know
    if call.account is None:
        return []  # nor about a call in no account exoadmin knows (whose credentials would ask?)
    try:
        details = exotel_calls.get_call_details(exotel_client(call.account), call.sid)
    except ExotelError as exc:
        timeline_add_failure(call=call, what="the recording link", exc=exc)
        return []
    urls = list(details.recording_urls)
    for url in urls:
        recording_link_check(call=call, url=url, source=ExotelEvent.POLL.label)
    if urls:
        Call.objects.filter(pk=call.pk).update(recording_url=urls[0], recording_urls=urls, has_recording=True)
    return urls


def recording_link_check(*, call: Call, url: str, source: str) -> None:
    """A link off Exotel's recording storage is stored anyway (storing is harmless: it is never
    fetched), but worth a look: a forged callback, or Exotel has moved its storage."""
    reason = url_refusal(url)
    if reason:
        log.warning("call %s: the recording link from %s will not be fetched: %s", call.pk, source, reason)


def recording_access_record(*, call: Call, user, kind: str) -> RecordingAccess:
    return RecordingAccess.objects.create(call=call, user=user, kind=kind)
