"""Every Exotel rule the sandbox enforces, as functions over the store.

Each function validates its input, checks the rule against stored state and writes the outcome
inside one transaction, or raises `SandboxError` with Exotel's HTTP status and error code.
Sources: the seeds in shared/seeds (000 devices, 001 integrations, 002 v3 calls, 003 contacts,
004 v2 calls) and shared/exotel-contract.md.
"""

from __future__ import annotations

import hmac
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from exoadmin.sandbox.store import Row, Store, found


class SandboxError(Exception):
    def __init__(self, http_status: int, exotel_code: int, message: str, description: str) -> None:
        super().__init__(f"{http_status}/{exotel_code} {description}")
        self.http_status = http_status
        self.exotel_code = exotel_code
        self.message = message
        self.description = description

    def error_data(self) -> dict[str, Any]:
        return {"code": self.exotel_code, "message": self.message, "description": self.description}


def _missing(name: str) -> SandboxError:
    return SandboxError(400, 1001, "Mandatory parameter missing", f"{name} is mandatory")


def _invalid(description: str) -> SandboxError:
    return SandboxError(400, 1002, "Invalid parameter", description)


def _bad_format(description: str) -> SandboxError:
    return SandboxError(400, 1007, "Invalid request format", description)


def _not_found(code: int, description: str) -> SandboxError:
    return SandboxError(404, code, "Not Found", description)


def _conflict(code: int, description: str) -> SandboxError:
    return SandboxError(409, code, "Conflict", description)


# -- authentication ------------------------------------------------------------------------


def authenticate(store: Store, api_key: str, api_token: str, path_sid: str) -> Row:
    """Basic key:token for CCM and contacts; the path's account must be the credentials' one."""
    account = store.account_by_key(api_key) if api_key else None
    if account is None or not hmac.compare_digest(account["api_token"], api_token):
        raise SandboxError(401, 1010, "Authentication failed", "Authentication failed")
    if account["sid"] != path_sid:
        raise _not_found(1017, "AccountSid not found")
    return account


def authenticate_app(store: Store, app_token: str, customer_id: str, app_id: str) -> Row:
    """Integrations: the app token picks the account; the path must name its customer and app."""
    account = store.account_by_app_token(app_token) if app_token else None
    if account is None:
        raise SandboxError(401, 401, "Unauthorized", "Invalid or expired token")
    if (account["customer_id"], account["app_id"]) != (customer_id, app_id):
        raise SandboxError(404, 404, "Not Found", "Customer or app not found")
    return account


# -- paging --------------------------------------------------------------------------------


def page(query: Mapping[str, str], max_limit: int, default_limit: int = 20) -> tuple[int, int]:
    offset = _whole_number(query.get("offset", "0"), "offset", minimum=0)
    limit = _whole_number(query.get("limit", str(default_limit)), "limit", minimum=1)
    if limit > max_limit:
        raise _invalid(f"limit cannot be more than {max_limit}")
    return offset, limit


def _whole_number(text: str, name: str, minimum: int) -> int:
    if not text.isdigit() or int(text) < minimum:
        raise _invalid(f"{name} must be a whole number >= {minimum}")
    return int(text)


def _paged(rows: list[Any], total: int, offset: int, limit: int) -> dict[str, int]:
    return {"total": total, "count": len(rows), "offset": offset, "limit": limit}


# -- CCM users and the single-ON device model (seed 000) -----------------------------------

USER_LIST_MAX = 50


def list_users(store: Store, account_sid: str, query: Mapping[str, str]) -> tuple[list[Row], dict[str, int]]:
    offset, limit = page(query, USER_LIST_MAX)
    users = _with_devices(store, store.users(account_sid))
    if "email" in query:
        emails = set(query["email"].split(","))
        users = [u for u in users if u["email"] in emails]
    if "devices.contact_uri" in query:
        uris = set(query["devices.contact_uri"].split(","))
        users = [u for u in users if uris & {d["contact_uri"] for d in u["devices"]}]
    selected = users[offset : offset + limit]
    return selected, _paged(selected, len(users), offset, limit)


def get_user(store: Store, account_sid: str, user_id: str) -> Row:
    return _with_devices(store, [_user(store, account_sid, user_id)])[0]


def set_device_availability(store: Store, account_sid: str, user_id: str, device_id: str, body: Any) -> Row:
    """Turn a device ON or OFF. One device ON per user; Exotel never switches over by itself."""
    available = body.get("available") if isinstance(body, dict) else None
    if not isinstance(available, bool):
        raise _bad_format('Request body must be {"available": true|false}')
    with store.atomic():
        user = _user(store, account_sid, user_id)
        devices = store.devices_of([user["id"]])[user["id"]]
        device = next((d for d in devices if str(d["id"]) == device_id), None)
        if device is None:
            raise _not_found(10702, "User Device not found")
        if available and not device["verified"]:
            raise _conflict(10809, "Device is unverified")
        if available and any(d["available"] and d["verified"] and d["id"] != device["id"] for d in devices):
            raise SandboxError(403, 10810, "Forbidden", "Another device is ON. Only one device can be ON at a time")
        if device["verified"]:
            store.update_device(device["id"], available=available)
        return found(store.device(device["id"]))


def _user(store: Store, account_sid: str, user_id: str) -> Row:
    user = store.user(account_sid, user_id)
    if user is None:
        raise _not_found(10801, "User not found")
    return user


def _with_devices(store: Store, users: list[Row]) -> list[Row]:
    ids = [u["id"] for u in users]
    devices, calls = store.devices_of(ids), store.active_calls_of(ids)
    return [u | {"devices": devices[u["id"]], "active_call": calls.get(u["id"])} for u in users]


# -- integrations phone/SIP model (seed 001) -----------------------------------------------


def integration_devices(store: Store, account_sid: str, user_id: str) -> Row:
    row = store.integration_user(account_sid, user_id)
    if row is None:
        raise SandboxError(404, 404, "Not Found", "User doesn't exist")
    return row


def set_integration_devices(store: Store, account_sid: str, user_id: str, body: Any) -> Row:
    """Enable or disable phone and SIP; at least one must stay enabled."""
    if not isinstance(body, dict):
        raise SandboxError(400, 400, "Bad Request", 'Request body must be {"phone": bool, "sip": bool}')
    for name in ("phone", "sip"):
        if name in body and not isinstance(body[name], bool):
            raise SandboxError(400, 400, "Bad Request", f"{name} must be true or false")
    with store.atomic():
        row = integration_devices(store, account_sid, user_id)
        phone = body.get("phone", bool(row["phone_enabled"]))
        sip = body.get("sip", bool(row["sip_enabled"]))
        if not (phone or sip):
            raise SandboxError(400, 400, "Bad Request", "At least one device must remain enabled")
        store.update_integration_user(account_sid, user_id, phone_enabled=phone, sip_enabled=sip, updated=time.time())
        return integration_devices(store, account_sid, user_id)


# -- calls (seeds 002 and 004) -------------------------------------------------------------

MAX_TIME_LIMIT = 14400
CALLBACK_EVENTS = ("answered", "terminal")
CALLBACK_METHODS = ("POST", "GET")
CALLBACK_CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
RECORDING_CHANNELS = ("single", "dual")
RECORDING_FORMATS = ("mp3", "mp3-hq")


def launch_v3_call(store: Store, account_sid: str, body: Any) -> Row:
    body = _object(body)
    caller, callee = _block(body, "from"), _block(body, "to")
    from_uri = _required_text(caller, "contact_uri", "from.contact_uri")
    to_uri = _required_text(callee, "contact_uri", "to.contact_uri")
    virtual_number = _required_text(body, "virtual_number", "virtual_number")
    state_management = _flag(caller.get("state_management", False), "from.state_management")
    recording = body.get("recording") or {}
    if not isinstance(recording, dict):
        raise _invalid("recording must be an object")
    record = _flag(recording.get("record", False), "recording.record")
    options = _call_options(body) | {
        "state_management": state_management,
        "recording_channels": _choice(recording.get("channels", "single"), RECORDING_CHANNELS, "RecordingChannels"),
        "recording_format": _choice(recording.get("format", "mp3"), RECORDING_FORMATS, "recording.format"),
        "playback": _playback(body.get("playback")),
        "streaming": _streaming(body.get("streaming")),
    }
    with store.atomic():
        virtual_number = _exophone(store, account_sid, virtual_number)
        device = store.device_by_uri(account_sid, from_uri)
        if device is not None:
            _check_device_can_call(store, device)
        elif state_management and store.active_call_from(account_sid, from_uri):
            raise _conflict(10706, "User device is currently busy")
        return _create_call(store, account_sid, "v3", device, from_uri, to_uri, virtual_number, record, options)


def launch_v2_call(store: Store, account_sid: str, body: Any) -> Row:
    body = _object(body)
    agent, customer = _block(body, "from"), _block(body, "to")
    if not agent.get("user_contact_uri") and not agent.get("user_id"):
        raise _missing("from.user_contact_uri or from.user_id")
    to_uri = customer.get("number") or customer.get("customer_contact_uri")
    if not isinstance(to_uri, str) or not to_uri:
        raise _missing("to.number")
    virtual_number = _required_text(body, "virtual_number", "virtual_number")
    record = _flag(body.get("recording", False), "recording")
    options = _call_options(body) | {
        "recording_channels": _choice(
            body.get("recording_channels", "single"), RECORDING_CHANNELS, "RecordingChannels"
        ),
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
        raise _not_found(missing_code, "Call not found")
    return call


def _agent_device(store: Store, account_sid: str, agent: Mapping[str, Any]) -> Row:
    """The device a v2 launch rings: the named one, or the user's ON (else most usable) device."""
    if agent.get("user_contact_uri"):
        device = store.device_by_uri(account_sid, str(agent["user_contact_uri"]))
        if device is None:
            raise _not_found(10731, "User not found")
        return device
    user = store.user(account_sid, str(agent["user_id"]))
    if user is None:
        raise _not_found(10731, "User not found")
    devices = store.devices_of([user["id"]])[user["id"]]
    if not devices:
        raise _not_found(10806, "No device found for user")
    return max(devices, key=lambda d: (bool(d["verified"] and d["available"]), bool(d["verified"])))


def _check_device_can_call(store: Store, device: Row) -> None:
    if not device["verified"]:
        raise _conflict(10705, "User device is unverified")
    if not device["available"]:
        raise _conflict(1012, "User device is unavailable")
    if device["status"] == "busy" or store.active_calls_of([device["user_id"]]):
        raise _conflict(10706, "User device is currently busy")


def _exophone(store: Store, account_sid: str, number: str) -> str:
    """An ExoPhone of the account, in E.164 or India's local 0XXXXXXXXXX form."""
    if re.fullmatch(r"0\d{10}", number):
        number = "+91" + number[1:]
    if number not in store.exophones(account_sid):
        raise _not_found(10716, "Given virtual_number not found")
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
        "max_time_limit": _seconds(body, "max_time_limit", default=MAX_TIME_LIMIT, maximum=MAX_TIME_LIMIT),
        "attempt_time_out": _seconds(body, "attempt_time_out", default=30, maximum=MAX_TIME_LIMIT),
        "custom_field": _text(body, "custom_field", "custom_field"),
        "wait_audio_url": _text(body, "wait_audio_url", "wait_audio_url"),
        "status_callbacks": _status_callbacks(body.get("status_callback")),
    }


def _status_callbacks(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid("status_callback must be a list")
    callbacks = []
    for entry in value:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("url"), str)
            or not re.match(r"https?://", entry["url"])
        ):
            raise _invalid("status_callback entries need an http(s) url")
        callbacks.append(
            {
                "event": _choice(entry.get("event"), CALLBACK_EVENTS, "status_callback.event"),
                "url": entry["url"],
                "method": _choice(str(entry.get("method", "POST")).upper(), CALLBACK_METHODS, "status_callback.method"),
                "content_type": _choice(
                    entry.get("content_type", "application/json"),
                    CALLBACK_CONTENT_TYPES,
                    "status_callback.content_type",
                ),
            }
        )
    return callbacks


def _playback(value: Any) -> list[dict[str, Any]] | None:
    if value is not None and (not isinstance(value, list) or not all(isinstance(p, dict) for p in value)):
        raise _invalid("playback must be a list of {event, to, value}")
    return value


def _streaming(value: Any) -> dict[str, Any] | None:
    if value is not None and (not isinstance(value, dict) or not isinstance(value.get("url"), str)):
        raise _invalid("streaming must be {url, begin}")
    return value


# -- contacts (seed 003, research section 5) -----------------------------------------------

MAX_CONTACTS_PER_REQUEST = 5000
CONTACT_LIST_MAX = 20
CONTACT_TEXT_FIELDS = ("number", "first_name", "last_name", "company_name", "email", "tag")
E164 = re.compile(r"\+[1-9]\d{6,14}")


def create_contacts(store: Store, account_sid: str, body: Any) -> list[Row | SandboxError]:
    now = time.time()
    outcomes: list[Row | SandboxError] = []
    for item in _contact_items(body):
        try:
            fields = _contact_fields(item, creating=True)
        except SandboxError as error:
            outcomes.append(error)
            continue
        outcomes.append(
            {
                **_blank_contact(),
                **fields,
                "sid": uuid.uuid4().hex,
                "account_sid": account_sid,
                "created": now,
                "updated": now,
            }
        )
    store.add_contacts(row for row in outcomes if isinstance(row, dict))
    return outcomes


def update_contacts(store: Store, account_sid: str, body: Any) -> list[Row | SandboxError]:
    """Bulk update by sid: one outcome per item, in input order (200, 400/1002 or 404/1000)."""
    items = _contact_items(body)
    now = time.time()
    sids = [item["sid"] for item in items if isinstance(item, dict) and isinstance(item.get("sid"), str)]
    with store.atomic():
        stored = store.contacts_by_sid(account_sid, sids)
        outcomes: list[Row | SandboxError] = []
        for item in items:
            try:
                outcomes.append(_updated_contact(stored, item, now))
            except SandboxError as error:
                outcomes.append(error)
        store.replace_contacts([row for row in outcomes if isinstance(row, dict)])
    return outcomes


def list_contacts(store: Store, account_sid: str, query: Mapping[str, str]) -> tuple[list[Row], dict[str, int]]:
    offset, limit = page(query, CONTACT_LIST_MAX)
    rows = store.contacts_page(account_sid, offset, limit)
    return rows, _paged(rows, store.count_contacts(account_sid), offset, limit)


def get_contact(store: Store, account_sid: str, contact_sid: str) -> Row:
    row = store.contact(contact_sid)
    if row is None or row["account_sid"] != account_sid:
        raise _contact_not_found()
    return row


def update_contact(store: Store, account_sid: str, contact_sid: str, body: Any) -> Row:
    with store.atomic():
        row = get_contact(store, account_sid, contact_sid)
        updated = _updated_contact({contact_sid: row}, {**_object(body), "sid": contact_sid}, time.time())
        store.replace_contacts([updated])
        return updated


def delete_contact(store: Store, account_sid: str, contact_sid: str) -> Row:
    with store.atomic():
        row = get_contact(store, account_sid, contact_sid)
        store.delete_contact(contact_sid)
        return row


def _contact_not_found() -> SandboxError:
    return _not_found(1000, "Contact not found")


def _contact_items(body: Any) -> list[Any]:
    items = body.get("contacts") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise _bad_format('Request body must be {"contacts": [...]}')
    if not items:
        raise _missing("contacts")
    if len(items) > MAX_CONTACTS_PER_REQUEST:
        raise _invalid(f"At most {MAX_CONTACTS_PER_REQUEST} contacts per request")
    return items


def _updated_contact(stored: Mapping[str, Row], item: Any, now: float) -> Row:
    if not isinstance(item, dict):
        raise _invalid("Each contact must be an object")
    if not item.get("sid"):
        raise _missing("sid")
    row = stored.get(item["sid"]) if isinstance(item["sid"], str) else None
    if row is None:
        raise _contact_not_found()
    return {**row, **_contact_fields(item, creating=False), "updated": now}


def _contact_fields(item: Any, creating: bool) -> dict[str, Any]:
    """The contact fields an item sets, validated; `custom` is accepted as `custom_field`."""
    if not isinstance(item, dict):
        raise _invalid("Each contact must be an object")
    if creating and not item.get("number"):
        raise _missing("number")
    fields = {name: item[name] for name in CONTACT_TEXT_FIELDS if name in item}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise _invalid(f"{name} must be a string")
    if "number" in fields and not E164.fullmatch(fields["number"] or ""):
        raise _invalid("number must be in E.164 format, like +919876543210")
    for name in ("custom", "custom_field"):
        if name in item:
            if not isinstance(item[name], dict):
                raise _invalid("custom_field must be a JSON object")
            fields["custom_field"] = item[name]
    return fields


def _blank_contact() -> Row:
    return dict.fromkeys((*CONTACT_TEXT_FIELDS, "custom_field"))


# -- request validation helpers ------------------------------------------------------------


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _bad_format("Request body must be a JSON object")
    return body


def _block(body: Mapping[str, Any], name: str) -> dict[str, Any]:
    block = body.get(name)
    if block is None:
        raise _missing(name)
    if not isinstance(block, dict):
        raise _invalid(f"{name} must be an object")
    return block


def _text(body: Mapping[str, Any], key: str, name: str) -> str | None:
    value = body.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _invalid(f"{name} must be a string")
    return value


def _required_text(body: Mapping[str, Any], key: str, name: str) -> str:
    value = _text(body, key, name)
    if value is None:
        raise _missing(name)
    return value


def _flag(value: Any, name: str) -> bool:
    """Exotel takes booleans and the strings "true"/"false" alike (seed 002 shows both)."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise _invalid(f"{name} must be true or false")


def _choice(value: Any, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise _invalid(f"Valid values for {name} are {', '.join(allowed)}")
    return value


def _seconds(body: Mapping[str, Any], name: str, default: int, maximum: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise _invalid(f"{name} must be a whole number of seconds between 1 and {maximum}")
    return value
