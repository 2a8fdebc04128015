"""What Exotel tells us about a call, from any of its shapes, as one `CallSnapshot`.

Shapes: v3 callbacks and call details (seed 002: `sid, state, status`), v2 callbacks (seed 004's
names: `call_sid, call_state, call_status, customer_details`), as JSON or as bracket-flattened
form fields / query strings (`call_details[recordings][0][url]=…`, null sent as "").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import TextChoices

from calls.models import CallStatus, State
from exoadmin.exotel.models import CallDetails, parse_time
from exoadmin.text import is_ascii_digits


class ExotelEvent(TextChoices):
    """How Exotel told us about a call: a callback's `event_type` (seed 002), or our poll of its details."""

    ANSWERED = "answered", "the answered callback"
    TERMINAL = "terminal", "the terminal callback"
    POLL = "poll", "call details"


CALLBACK_EVENTS = (ExotelEvent.ANSWERED, ExotelEvent.TERMINAL)
_KEY_PART = re.compile(r"\[([^\[\]]*)\]")
_MAX_INDEX = 100  # a list index above this in a form field is garbage, not a recording


class BadPayload(ValueError):
    """The request is not a status callback we can read; the message says why (for the log)."""


@dataclass(frozen=True)
class CallSnapshot:
    sid: str
    event: ExotelEvent
    state: str | None
    status: str  # v3 words; "" while active
    direction: str | None
    exophone: str
    customer_number: str
    created_at: datetime | None
    started_at: datetime | None
    updated_at: datetime | None
    ended_at: datetime | None
    total_duration: int | None
    talk_time: int | None
    custom_field: str
    recording_urls: tuple[str, ...]
    account_sid: str
    app_id: str = ""
    app_name: str = ""
    digits: str = ""

    @property
    def is_terminal(self) -> bool:
        return self.state == State.TERMINAL

    @property
    def recording_url(self) -> str:
        return self.recording_urls[0] if self.recording_urls else ""


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`a[b][0][c]=v` pairs → nested dicts and lists; empty strings become None."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head = key.split("[", 1)[0]
        parts = [head, *_KEY_PART.findall(key[len(head) :])]
        node: Any = root
        for part, following in zip(parts, parts[1:] + [None], strict=True):
            if following is None:
                _set(node, part, value if value != "" else None)
            else:
                node = _child(node, part, is_ascii_digits(following))
    return _lists(root)


def _child(node: Any, part: str, as_list: bool) -> Any:
    existing = node.get(part) if isinstance(node, dict) else None
    if not isinstance(existing, dict):
        existing = {}
        _set(node, part, existing)
    if as_list:
        existing.setdefault("__list__", True)
    return existing


def _set(node: Any, part: str, value: Any) -> None:
    if not isinstance(node, dict):
        raise BadPayload(f"field {part!r} nested under a value")
    if is_ascii_digits(part) and (len(part) > 4 or int(part) > _MAX_INDEX):
        raise BadPayload(f"list index {part} is too large")
    node[part] = value


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node.pop("__list__", False):
        return [_lists(node[k]) for k in sorted(node, key=lambda k: int(k) if is_ascii_digits(k) else -1)]
    return {key: _lists(value) for key, value in node.items()}


def from_callback(payload: Any) -> CallSnapshot:
    """A status callback (either API version) → snapshot, or BadPayload saying what is wrong."""
    if not isinstance(payload, dict):
        raise BadPayload("the body is not an object")
    event = (
        (payload.get("event_details") or {}).get("event_type")
        if isinstance(payload.get("event_details"), dict)
        else None
    )
    if event not in CALLBACK_EVENTS:
        raise BadPayload(f"event_details.event_type is {event!r}, not answered or terminal")
    details = payload.get("call_details")
    if not isinstance(details, dict):
        raise BadPayload("call_details is missing")
    sid = _text(details.get("sid") or details.get("call_sid"))
    if not sid:
        raise BadPayload("call_details has no sid")
    state = _text(details.get("state") or details.get("call_state")) or None
    if state is not None and state not in State.values:
        raise BadPayload(f"call state {state!r} is unknown")
    if event == ExotelEvent.TERMINAL and state is None:
        state = State.TERMINAL
    customer = details.get("customer_details")
    return CallSnapshot(
        sid=sid,
        event=ExotelEvent(event),
        state=state,
        status=_status(details.get("status") if "status" in details else details.get("call_status")),
        direction=_text(details.get("direction")) or None,
        exophone=_text(details.get("virtual_number")),
        customer_number=_text(customer.get("number")) if isinstance(customer, dict) else "",
        created_at=_time(details.get("created_time")),
        started_at=_time(details.get("start_time")),
        updated_at=_time(details.get("updated_time")),
        ended_at=_time(details.get("end_time")),
        total_duration=_seconds(details.get("total_duration")),
        talk_time=_seconds(details.get("total_talk_time")),
        custom_field=_text(details.get("custom_field")),
        recording_urls=_recordings(details.get("recordings")),
        account_sid=_account_sid(_text(details.get("legs"))),
        app_id=_text(details.get("app_id"))[:100],
        app_name=_text(details.get("app_name"))[:200],
        digits=_text(details.get("digits"))[:100],
    )


def from_details(details: CallDetails) -> CallSnapshot:
    """The client's typed call details (a poll) → snapshot."""
    return CallSnapshot(
        sid=details.sid,
        event=ExotelEvent.POLL,
        state=details.state,
        status=_status(details.status),
        direction=details.direction,
        exophone=details.virtual_number or "",
        customer_number="",
        created_at=details.created_time,
        started_at=details.start_time,
        updated_at=details.updated_time,
        ended_at=details.end_time,
        total_duration=details.total_duration,
        talk_time=details.total_talk_time,
        custom_field=details.custom_field or "",
        recording_urls=_recordings([{"url": url} for url in details.recording_urls]),
        account_sid=_account_sid(details.legs_path or ""),
        app_id=_text(details.app_id)[:100],
        app_name=_text(details.app_name)[:200],
        digits=_text(details.digits)[:100],
    )


def _status(value: Any) -> str:
    text = _text(value)
    if not text:
        return ""
    try:
        return CallStatus.from_exotel(text)
    except ValueError:
        raise BadPayload(f"call status {text!r} is unknown") from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise BadPayload(f"expected text, got {type(value).__name__}")
    return str(value)[:500]


def _time(value: Any) -> datetime | None:
    return parse_time(value) if isinstance(value, str) else None


def _seconds(value: Any) -> int | None:
    try:
        seconds = int(value)
    except (TypeError, ValueError, OverflowError):  # None, "abc", Infinity
        return None
    return seconds if 0 <= seconds < 10**7 else None


def _recordings(value: Any) -> tuple[str, ...]:
    """Every recording's URL, in Exotel's order (anything that is not an http(s) URL dropped)."""
    if not isinstance(value, list):
        return ()
    urls = (_text(item.get("url")) for item in value[:_MAX_INDEX] if isinstance(item, dict))
    return tuple(url for url in urls if url.startswith(("http://", "https://")))


def _account_sid(legs_path: str) -> str:
    """`/v3/accounts/<sid>/calls/<call_sid>/legs` → `<sid>` (v3 payloads name their account only here)."""
    match = re.match(r"/v3/accounts/([^/]+)/calls/", legs_path)
    return match.group(1) if match else ""
