"""Putting accounts, users, devices and contacts into the store from plain dicts.

Used by the demo seed and by the control API; neither goes through Exotel's rules (a test or a
demo sets up a world, it does not ask Exotel for permission).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from exoadmin.sandbox.database import Row
from exoadmin.sandbox.store import Store

FIRST_NAMES = ("Aarav", "Diya", "Kabir", "Ananya", "Ishaan", "Saanvi", "Vihaan", "Myra", "Arjun", "Kiara")
LAST_NAMES = ("Sharma", "Patel", "Reddy", "Nair", "Gupta", "Menon", "Joshi", "Kapoor", "Bose", "Pillai")
TAGS = ("lead", "customer", "vip", "churned")


def put_account(store: Store, spec: Mapping[str, Any]) -> None:
    account = {key: spec.get(key) for key in ("sid", "api_key", "api_token", "customer_id", "app_id", "app_token")}
    for key in ("sid", "api_key", "api_token"):
        if not account[key]:
            raise ValueError(f"{key} is required")
    with store.atomic():
        store.put_account(account, spec.get("exophones", []))
        if spec.get("app_secret"):
            store.put_app_secret(spec["sid"], spec["app_secret"])
        if account["app_token"] and spec.get("app_token_ttl") is not None:
            store.add_app_token(spec["sid"], account["app_token"], time.time() + float(spec["app_token_ttl"]))


def add_user(store: Store, spec: Mapping[str, Any]) -> str:
    """Store a CCM user and its devices; answers the user id."""
    now = time.time()
    user = {
        "id": spec.get("id") or uuid.uuid4().hex,
        "account_sid": spec["account_sid"],
        "first_name": spec["first_name"],
        "last_name": spec["last_name"],
        "email": spec.get("email"),
        "role": spec.get("role", "user"),
        "last_login": timestamp(spec.get("last_login")),
        "created": now,
        "updated": now,
    }
    store.add_user(user, [_device(d) for d in spec.get("devices", [])])
    return user["id"]


def _device(spec: Mapping[str, Any]) -> Row:
    """A device as Exotel keeps it; by default verified, OFF and free."""
    contact_uri = spec["contact_uri"]
    kind = spec.get("type") or ("sip" if contact_uri.startswith("sip:") else "tel")
    verified = spec.get("verified", True)
    device = {
        "name": spec.get("name") or ("Softphone" if kind == "sip" else "Phone"),
        "contact_uri": contact_uri,
        "type": kind,
        "available": bool(spec.get("available", False)) and verified,
        "verified": verified,
        "status": spec.get("status", "free" if verified else None),
    }
    return device | {"id": spec["id"]} if spec.get("id") else device


def put_integration_user(store: Store, spec: Mapping[str, Any]) -> None:
    phone, sip = spec.get("phone", {}), spec.get("sip", {})
    store.put_integration_user(
        {
            "account_sid": spec["account_sid"],
            "user_id": spec["user_id"],
            "phone_enabled": phone.get("enabled", True),
            "phone_number": phone.get("number"),
            "sip_enabled": sip.get("enabled", False),
            "sip_username": sip.get("username"),
            "sip_registered": sip.get("registered", False),
            "sip_last_seen": timestamp(sip.get("last_seen")),
            "updated": time.time(),
        }
    )


def integration_user_changes(spec: Mapping[str, Any]) -> Row:
    """The columns a `{phone: {...}, sip: {...}}` patch changes."""
    phone, sip = spec.get("phone", {}), spec.get("sip", {})
    columns = {
        ("phone", "enabled"): "phone_enabled",
        ("phone", "number"): "phone_number",
        ("sip", "enabled"): "sip_enabled",
        ("sip", "username"): "sip_username",
        ("sip", "registered"): "sip_registered",
        ("sip", "last_seen"): "sip_last_seen",
    }
    blocks = {"phone": phone, "sip": sip}
    changes = {column: blocks[block][key] for (block, key), column in columns.items() if key in blocks[block]}
    if "sip_last_seen" in changes:
        changes["sip_last_seen"] = timestamp(changes["sip_last_seen"])
    return changes


def generated_contacts(account_sid: str, count: int, start: int = 0) -> Iterator[Row]:
    """Deterministic contacts: the same account and index always give the same sid and fields."""
    now = time.time()
    # An account prefix, then the index: unique, and in index order, so a million rows seed quickly.
    prefix = hashlib.md5(account_sid.encode()).hexdigest()[:8]
    for index in range(start, start + count):
        yield {
            "sid": f"{prefix}{index:024x}",
            "account_sid": account_sid,
            "number": f"+9198{index % 100_000_000:08d}",
            "first_name": FIRST_NAMES[index % len(FIRST_NAMES)],
            "last_name": LAST_NAMES[index // len(FIRST_NAMES) % len(LAST_NAMES)],
            "company_name": None,
            "email": f"contact{index}@example.com",
            "tag": TAGS[index % len(TAGS)],
            "custom_field": None,
            "created": now,
            "updated": now,
        }


def given_contacts(account_sid: str, specs: list[Mapping[str, Any]]) -> list[Row]:
    now = time.time()
    fields = ("number", "first_name", "last_name", "company_name", "email", "tag", "custom_field")
    return [
        {
            "sid": spec.get("sid") or uuid.uuid4().hex,
            "account_sid": account_sid,
            **{name: spec.get(name) for name in fields},
            "created": now,
            "updated": now,
        }
        for spec in specs
    ]


def timestamp(value: float | str | None) -> float | None:
    """Epoch seconds from a number or an ISO 8601 string."""
    if value is None or isinstance(value, int | float):
        return value
    return datetime.fromisoformat(value).timestamp()
