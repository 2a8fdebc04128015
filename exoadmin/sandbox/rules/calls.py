"""Launching calls (v3, seed 002; v2, seed 004) and finding them again: what a launch may ask for,
and when the agent's device, the ExoPhone or a busy line refuses it."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from exoadmin.sandbox.database import Row, found
from exoadmin.sandbox.rules.errors import conflict, invalid, missing, not_found
from exoadmin.sandbox.rules.parameters import block, choice, flag, json_object, required_text, seconds, text
from exoadmin.sandbox.store import Store

MAX_TIME_LIMIT = 14400
CALLBACK_EVENTS = ("answered", "terminal")
CALLBACK_METHODS = ("POST", "GET")
CALLBACK_CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
RECORDING_CHANNELS = ("single", "dual")
RECORDING_FORMATS = ("mp3", "mp3-hq")


def launch_v3_call(store: Store, account_sid: str, body: Any) -> Row:
    body = json_object(body)
    caller, callee = block(body, "from"), block(body, "to")
    from_uri = required_text(caller, "contact_uri", "from.contact_uri")
    to_uri = required_text(callee, "contact_uri", "to.contact_uri")
    virtual_number = required_text(body, "virtual_number", "virtual_number")
    state_management = flag(caller.get("state_management", False), "from.state_management")
    recording = body.get("recording") or {}
    if not isinstance(recording, dict):
        raise invalid("recording must be an object")
    record = flag(recording.get("record", False), "recording.record")
    options = _call_options(body) | {
        "state_management": state_management,
        "recording_channels": choice(recording.get("channels", "single"), RECORDING_CHANNELS, "RecordingChannels"),
        "recording_format": choice(recording.get("format", "mp3"), RECORDING_FORMATS, "recording.format"),
        "playback": _playback(body.get("playback")),
        "streaming": _streaming(body.get("streaming")),
    }
    with store.atomic():
        virtual_number = _exophone(store, account_sid, virtual_number)
        device = store.device_by_uri(account_sid, from_uri)
        if device is not None:
            _check_device_can_call(store, device)
        elif state_management and store.active_call_from(account_sid, from_uri):
            raise conflict(10706, "User device is currently busy")
        return _create_call(store, account_sid, "v3", device, from_uri, to_uri, virtual_number, record, options)


def launch_v2_call(store: Store, account_sid: str, body: Any) -> Row:
    body = json_object(body)
    agent, customer = block(body, "from"), block(body, "to")
    if not agent.get("user_contact_uri") and not agent.get("user_id"):
        raise missing("from.user_contact_uri or from.user_id")
    to_uri = customer.get("number") or customer.get("customer_contact_uri")
    if not isinstance(to_uri, str) or not to_uri:
        raise missing("to.number")
    virtual_number = required_text(body, "virtual_number", "virtual_number")
    record = flag(body.get("recording", False), "recording")
    options = _call_options(body) | {
        "recording_channels": choice(body.get("recording_channels", "single"), RECORDING_CHANNELS, "RecordingChannels"),
    }
    with store.atomic():
        device = _agent_device(store, account_sid, agent)
        virtual_number = _exophone(store, account_sid, virtual_number)
        _check_device_can_call(store, device)
        return _create_call(
            store, account_sid, "v2", device, device["contact_uri"], to_uri, virtual_number, record, options
        )


def find_call(store: Store, account_sid: str, call_sid: str, missing_code: int) -> Row:
    call = store.call(call_sid)
    if call is None or call["account_sid"] != account_sid:
        raise not_found(missing_code, "Call not found")
    return call


def _agent_device(store: Store, account_sid: str, agent: Mapping[str, Any]) -> Row:
    """The device a v2 launch rings: the named one, or the user's ON (else most usable) device."""
    if agent.get("user_contact_uri"):
        device = store.device_by_uri(account_sid, str(agent["user_contact_uri"]))
        if device is None:
            raise not_found(10731, "User not found")
        return device
    user = store.user(account_sid, str(agent["user_id"]))
    if user is None:
        raise not_found(10731, "User not found")
    devices = store.devices_of([user["id"]])[user["id"]]
    if not devices:
        raise not_found(10806, "No device found for user")
    return max(devices, key=lambda d: (bool(d["verified"] and d["available"]), bool(d["verified"])))


def _check_device_can_call(store: Store, device: Row) -> None:
    if not device["verified"]:
        raise conflict(10705, "User device is unverified")
    if not device["available"]:
        raise conflict(1012, "User device is unavailable")
    if device["status"] == "busy" or store.active_calls_of([device["user_id"]]):
        raise conflict(10706, "User device is currently busy")


def _exophone(store: Store, account_sid: str, number: str) -> str:
    """An ExoPhone of the account, in E.164 or India's local 0XXXXXXXXXX form."""
    if re.fullmatch(r"0\d{10}", number):
        number = "+91" + number[1:]
    if number not in store.exophones(account_sid):
        raise not_found(10716, "Given virtual_number not found")
    return number


def _create_call(
    store: Store,
    account_sid: str,
    api: str,
    device: Row | None,
    from_uri: str,
    to_uri: str,
    virtual_number: str,
    record: bool,
    options: dict[str, Any],
) -> Row:
    """Store the call and its ringing agent leg, mark the agent busy, and start the progression."""
    now = time.time()
    sid = uuid.uuid4().hex
    user = store.user(account_sid, device["user_id"]) if device else None
    callbacks = options.pop("status_callbacks")
    store.add_call(
        {
            "sid": sid,
            "account_sid": account_sid,
            "api": api,
            "user_id": user and user["id"],
            "device_id": device and device["id"],
            "from_uri": from_uri,
            "to_uri": to_uri,
            "virtual_number": virtual_number,
            "state": "active",
            "status": None,
            "custom_field": options.pop("custom_field"),
            "record": record,
            "status_callbacks": callbacks,
            "options": options,
            "created": now,
            "updated": now,
            "started": now,
        }
    )
    store.add_leg(
        {
            "sid": uuid.uuid4().hex,
            "call_sid": sid,
            "side": "from",
            "name": user and f"{user['first_name']} {user['last_name']}",
            "contact_uri": from_uri,
            "created": now,
            "updated": now,
            "status": "in-progress",
        }
    )
    if device:
        store.update_device(device["id"], status="busy")
    store.schedule(sid, "dial", now)
    return found(store.call(sid))


def _call_options(body: Mapping[str, Any]) -> dict[str, Any]:
    """The optional launch parameters v2 and v3 share."""
    return {
        "max_time_limit": seconds(body, "max_time_limit", default=MAX_TIME_LIMIT, maximum=MAX_TIME_LIMIT),
        "attempt_time_out": seconds(body, "attempt_time_out", default=30, maximum=MAX_TIME_LIMIT),
        "custom_field": text(body, "custom_field", "custom_field"),
        "wait_audio_url": text(body, "wait_audio_url", "wait_audio_url"),
        "status_callbacks": _status_callbacks(body.get("status_callback")),
    }


def _status_callbacks(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid("status_callback must be a list")
    callbacks = []
    for entry in value:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("url"), str)
            or not re.match(r"https?://", entry["url"])
        ):
            raise invalid("status_callback entries need an http(s) url")
        callbacks.append(
            {
                "event": choice(entry.get("event"), CALLBACK_EVENTS, "status_callback.event"),
                "url": entry["url"],
                "method": choice(str(entry.get("method", "POST")).upper(), CALLBACK_METHODS, "status_callback.method"),
                "content_type": choice(
                    entry.get("content_type", "application/json"),
                    CALLBACK_CONTENT_TYPES,
                    "status_callback.content_type",
                ),
            }
        )
    return callbacks


def _playback(value: Any) -> list[dict[str, Any]] | None:
    if value is not None and (not isinstance(value, list) or not all(isinstance(p, dict) for p in value)):
        raise invalid("playback must be a list of {event, to, value}")
    return value


def _streaming(value: Any) -> dict[str, Any] | None:
    if value is not None and (not isinstance(value, dict) or not isinstance(value.get("url"), str)):
        raise invalid("streaming must be {url, begin}")
    return value
