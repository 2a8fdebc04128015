"""Agents' devices: CCM users with the single-ON device model (seed 000) and the integrations
phone/SIP model (seed 001)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from exoadmin.sandbox.database import Row, found
from exoadmin.sandbox.rules.errors import SandboxError, bad_format, conflict, not_found
from exoadmin.sandbox.rules.parameters import page, paged
from exoadmin.sandbox.store import Store

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
    return selected, paged(selected, len(users), offset, limit)


def get_user(store: Store, account_sid: str, user_id: str) -> Row:
    return _with_devices(store, [_user(store, account_sid, user_id)])[0]


def set_device_availability(store: Store, account_sid: str, user_id: str, device_id: str, body: Any) -> Row:
    """Turn a device ON or OFF. One device ON per user; Exotel never switches over by itself."""
    available = body.get("available") if isinstance(body, dict) else None
    if not isinstance(available, bool):
        raise bad_format('Request body must be {"available": true|false}')
    with store.atomic():
        user = _user(store, account_sid, user_id)
        devices = store.devices_of([user["id"]])[user["id"]]
        device = next((d for d in devices if str(d["id"]) == device_id), None)
        if device is None:
            raise not_found(10702, "User Device not found")
        if available and not device["verified"]:
            raise conflict(10809, "Device is unverified")
        if available and any(d["available"] and d["verified"] and d["id"] != device["id"] for d in devices):
            raise SandboxError(403, 10810, "Forbidden", "Another device is ON. Only one device can be ON at a time")
        if device["verified"]:
            store.update_device(device["id"], available=available)
        return found(store.device(device["id"]))


def _user(store: Store, account_sid: str, user_id: str) -> Row:
    user = store.user(account_sid, user_id)
    if user is None:
        raise not_found(10801, "User not found")
    return user


def _with_devices(store: Store, users: list[Row]) -> list[Row]:
    ids = [u["id"] for u in users]
    devices, calls = store.devices_of(ids), store.active_calls_of(ids)
    return [u | {"devices": devices[u["id"]], "active_call": calls.get(u["id"])} for u in users]


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
