"""Calls: v3 and v2 launch, v3 details and legs (seeds 002, 004).

A launch is a POST and is never retried: if Exotel does not answer, it raises UnknownOutcome and
the product reconciles (call details, status callbacks) before anyone tries again. A successful
launch only means Exotel accepted the call, not that anyone answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .client import ExotelClient
from .models import CallDetails, CallLegs, LaunchedCall, single_record

MAX_TIME_LIMIT = 14400  # seconds (4 h), Exotel's maximum and default
_LAUNCH_UNSURE = "the call may or may not have been placed"


@dataclass(frozen=True)
class RecordingOptions:
    record: bool = True
    channels: Literal["single", "dual"] | None = None
    format: Literal["mp3", "mp3-hq"] | None = None


@dataclass(frozen=True)
class StatusCallback:
    event: Literal["answered", "terminal"]
    url: str
    method: Literal["POST", "GET"] | None = None
    content_type: str | None = None  # application/json, multipart/form-data...


@dataclass(frozen=True)
class Playback:
    event: str  # when to play, e.g. "start"
    to: str  # who hears it, e.g. "both"
    value: str  # audio URL


@dataclass(frozen=True)
class Streaming:
    url: str
    begin: str | None = None  # e.g. "from_leg_connect"


def launch_v3(
    client: ExotelClient,
    *,
    from_contact_uri: str,
    to_contact_uri: str,
    virtual_number: str,
    state_management: bool | None = None,
    recording: RecordingOptions | None = None,
    wait_audio_url: str | None = None,
    max_time_limit: int | None = None,
    attempt_time_out: int | None = None,
    custom_field: str | None = None,
    status_callbacks: Sequence[StatusCallback] = (),
    playback: Sequence[Playback] = (),
    streaming: Streaming | None = None,
) -> CallDetails:
    """Ring `from` (the agent's number or SIP id) first, then connect `to` (the customer).

    Only options that are set are sent; Exotel applies its defaults to the others.
    Reference: seed 002 (POST /v3/accounts/<sid>/calls).
    """
    _check_limits(max_time_limit, attempt_time_out)
    body = {
        "from": _present(contact_uri=from_contact_uri, state_management=state_management),
        "to": {"contact_uri": to_contact_uri},
        "virtual_number": virtual_number,
        **_present(
            recording=_compact(recording),
            wait_audio_url=wait_audio_url,
            max_time_limit=max_time_limit,
            attempt_time_out=attempt_time_out,
            custom_field=custom_field,
            status_callback=[_compact(c) for c in status_callbacks] or None,
            playback=[_compact(p) for p in playback] or None,
            streaming=_compact(streaming),
        ),
    }
    envelope = client.ccm_api.request("POST", client.account_path("v3", "calls"), body=body, unsure=_LAUNCH_UNSURE)
    return CallDetails.from_data(single_record(envelope.response, "call_details"), envelope.request_id)


def launch_v2(
    client: ExotelClient,
    *,
    number: str,
    virtual_number: str,
    user_contact_uri: str | None = None,
    user_id: str | None = None,
    recording: bool | None = None,
    recording_channels: Literal["single", "dual"] | None = None,
    wait_audio_url: str | None = None,
    max_time_limit: int | None = None,
    attempt_time_out: int | None = None,
    custom_field: str | None = None,
    status_callbacks: Sequence[StatusCallback] = (),
) -> LaunchedCall:
    """Connect an agent (by device URI or Exotel user id) to the customer `number`.

    Reference: seed 004 (POST /v2/accounts/<sid>/calls).
    """
    if (user_contact_uri is None) == (user_id is None):
        raise ValueError("give exactly one of user_contact_uri and user_id")
    _check_limits(max_time_limit, attempt_time_out)
    body = {
        "from": _present(user_contact_uri=user_contact_uri, user_id=user_id),
        "to": {"number": number},
        "virtual_number": virtual_number,
        **_present(
            recording=recording,
            recording_channels=recording_channels,
            wait_audio_url=wait_audio_url,
            max_time_limit=max_time_limit,
            attempt_time_out=attempt_time_out,
            custom_field=custom_field,
            status_callback=[_compact(c) for c in status_callbacks] or None,
        ),
    }
    envelope = client.ccm_api.request("POST", client.account_path("v2", "calls"), body=body, unsure=_LAUNCH_UNSURE)
    response = envelope.response if isinstance(envelope.response, dict) else {}
    return LaunchedCall.from_data(response, envelope.request_id)


def get_call_details(client: ExotelClient, call_sid: str) -> CallDetails:
    """A call's state, status, times and recordings.

    Reference: seed 002 (GET /v3/accounts/<sid>/calls/<call_sid>).
    """
    envelope = client.ccm_api.request("GET", _call_path(client, call_sid))
    return CallDetails.from_data(single_record(envelope.response, "call_details"), envelope.request_id)


def get_call_legs(client: ExotelClient, call_sid: str) -> CallLegs:
    """Every leg of a call: `from_legs` and `to_legs` (their meaning swaps for inbound calls).

    Reference: seed 002 (GET /v3/accounts/<sid>/calls/<call_sid>/legs).
    """
    envelope = client.ccm_api.request("GET", _call_path(client, call_sid, "legs"))
    return CallLegs.from_data(single_record(envelope.response, "leg_details"), envelope.request_id)


def _call_path(client: ExotelClient, call_sid: str, *rest: str) -> str:
    if not call_sid:  # a call whose sid is not known yet: never ask for .../calls/None
        raise ValueError("a call sid is required")
    return client.account_path("v3", "calls", call_sid, *rest)


def _check_limits(max_time_limit: int | None, attempt_time_out: int | None) -> None:
    if max_time_limit is not None and not 0 < max_time_limit <= MAX_TIME_LIMIT:
        raise ValueError(f"max_time_limit must be between 1 and {MAX_TIME_LIMIT} seconds")
    if attempt_time_out is not None and attempt_time_out <= 0:
        raise ValueError("attempt_time_out must be a positive number of seconds")


def _present(**fields: Any) -> dict[str, Any]:
    """Only the options that are set: Exotel applies its own defaults to the others."""
    return {name: value for name, value in fields.items() if value is not None}


def _compact(option: RecordingOptions | StatusCallback | Playback | Streaming | None) -> dict[str, Any] | None:
    return None if option is None else _present(**asdict(option))
