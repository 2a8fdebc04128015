"""Exotel's record shapes (device, user, call details, legs, contact...) built from stored rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from exoadmin.sandbox.database import Row

IST = timezone(timedelta(hours=5, minutes=30), "IST")
# What v3 call details show as end_time while a call is still active (seed 002).
ACTIVE_END_TIME = "1970-01-01 05:30:00+05:30"

# Calls store v3's terminal vocabulary; v2 launches report it in v2's words (seed 004, contract).
V2_STATUS = {
    "completed": "completed",
    "from_leg_unanswered": "agent_unanswered",
    "to_leg_unanswered": "customer_unanswered",
    "from_leg_cancelled": "agent_canceled",
    "to_leg_no_dial": "customer_no_dial",
    "from_leg_no_dial": "agent_no_dial",
}


def exotel_time(ts: float | None) -> str | None:
    """CCM v3 time: `YYYY-MM-DD HH:mm:ss+05:30`."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, IST).isoformat(sep=" ", timespec="seconds")


def iso_time(ts: float | None, milliseconds: bool = False) -> str | None:
    """v2/contacts/integrations time: `2024-06-15T10:30:00Z` (with `.000` when asked)."""
    if ts is None:
        return None
    text = datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds" if milliseconds else "seconds")
    return text.replace("+00:00", "Z")


def _seconds_between(start: float | None, end: float | None) -> int | None:
    return None if start is None or end is None else round(end - start)


# -- users and devices ---------------------------------------------------------------------


def device(row: Row) -> dict[str, Any]:
    verified = bool(row["verified"])
    return {
        "id": row["id"],
        "name": row["name"],
        "contact_uri": row["contact_uri"],
        "type": row["type"],
        "available": bool(row["available"]) if verified else None,
        "verified": verified,
        "status": row["status"],
    }


def active_call(call: Row | None) -> dict[str, Any] | None:
    if call is None:
        return None
    return {
        "call_sid": call["sid"],
        "direction": "outbound",
        "state": call["state"],
        "device_id": call["device_id"],
        "contact_uri": call["to_uri"],
        "virtual_number": call["virtual_number"],
        "created_time": exotel_time(call["created"]),
    }


def user(row: Row, fields: set[str]) -> dict[str, Any]:
    """A user record; `devices`, `active_call`, `last_login` only when `fields` asks for them."""
    record = {
        "id": row["id"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "email": row["email"],
        "email_verified": bool(row["email"]),
        "role": row["role"],
        "date_created": iso_time(row["created"]),
        "date_updated": iso_time(row["updated"]),
    }
    if "devices" in fields:
        record["devices"] = [device(d) for d in row["devices"]]
    if "active_call" in fields:
        record["active_call"] = active_call(row["active_call"])
    if "last_login" in fields:
        record["last_login"] = iso_time(row["last_login"])
    return record


def integration_devices(row: Row, presence: bool) -> dict[str, Any]:
    """Seed 001's `data`: GET adds SIP presence (`registered`, `last_seen`), PUT adds `updated_at`."""
    sip = {"enabled": bool(row["sip_enabled"]), "username": row["sip_username"]}
    if presence:
        sip |= {
            "registered": bool(row["sip_registered"]),
            "last_seen": iso_time(row["sip_last_seen"], milliseconds=True),
        }
    data = {
        "user_id": row["user_id"],
        "devices": {"phone": {"enabled": bool(row["phone_enabled"]), "number": row["phone_number"]}, "sip": sip},
    }
    if not presence:
        data["updated_at"] = iso_time(row["updated"], milliseconds=True)
    return data


# -- calls ---------------------------------------------------------------------------------


def v3_call(call: Row, recordings: list[dict[str, str]] | None, launching: bool = False) -> dict[str, Any]:
    """Seed 002's call_details. The launch answer has end_time null; later reads the 1970 placeholder."""
    active = call["state"] == "active"
    flow = call.get("flow") or {}
    return {
        "sid": call["sid"],
        "direction": "outbound",
        "virtual_number": call["virtual_number"],
        "state": call["state"],
        "status": call["status"],
        "legs": f"/v3/accounts/{call['account_sid']}/calls/{call['sid']}/legs",
        "created_time": exotel_time(call["created"]),
        "updated_time": exotel_time(call["updated"]),
        "start_time": exotel_time(call["started"]),
        "end_time": None if launching else ACTIVE_END_TIME if active else exotel_time(call["ended"]),
        "total_duration": _seconds_between(call["started"], call["ended"]),
        "total_talk_time": _seconds_between(call["answered"], call["ended"]),
        "custom_field": call["custom_field"],
        "app_id": flow.get("app_id"),
        "app_name": flow.get("app_name"),
        "digits": flow.get("digits"),
        "recordings": recordings,
    }


def v2_call_summary(call: Row) -> dict[str, Any]:
    """Seed 004's launch response."""
    return {
        "call_sid": call["sid"],
        "call_state": call["state"],
        "call_status": V2_STATUS.get(call["status"]),
        "assigned_agent_details": {"user_id": call["user_id"], "contact_uri": call["from_uri"]},
        "customer_details": {"number": call["to_uri"]},
        "virtual_number": call["virtual_number"],
        "recording": bool(call["record"]),
        "created_time": iso_time(call["created"], milliseconds=True),
    }


def v2_call(call: Row, recordings: list[dict[str, str]] | None) -> dict[str, Any]:
    """The launch response plus the call's progress, as v2 status callbacks carry it."""
    return v2_call_summary(call) | {
        "direction": "outbound",
        "updated_time": iso_time(call["updated"], milliseconds=True),
        "start_time": iso_time(call["started"], milliseconds=True),
        "end_time": iso_time(call["ended"], milliseconds=True),
        "total_duration": _seconds_between(call["started"], call["ended"]),
        "total_talk_time": _seconds_between(call["answered"], call["ended"]),
        "custom_field": call["custom_field"],
        "recordings": recordings,
    }


def callback(call: Row, event: str, recordings: list[dict[str, str]] | None) -> dict[str, Any]:
    details = v2_call(call, recordings) if call["api"] == "v2" else v3_call(call, recordings)
    return {"event_details": {"event_type": event}, "call_details": details}


def leg(row: Row, flow: dict[str, Any]) -> dict[str, Any]:
    record = {
        "sid": row["sid"],
        "name": row["name"],
        "contact_uri": row["contact_uri"],
        "date_created": exotel_time(row["created"]),
        "date_updated": exotel_time(row["updated"]),
        "status": row["status"],
    }
    if row["side"] == "to":
        record |= {"group_id": flow.get("group_id"), "group_name": flow.get("group_name")}
    return record


def leg_details(call: Row, legs: list[Row]) -> dict[str, Any]:
    flow = call.get("flow") or {}
    return {
        "call_sid": call["sid"],
        "account_sid": call["account_sid"],
        "from": [leg(row, flow) for row in legs if row["side"] == "from"],
        "to": [leg(row, flow) for row in legs if row["side"] == "to"],
    }


# -- contacts ------------------------------------------------------------------------------


def contact(row: Row) -> dict[str, Any]:
    return {
        "sid": row["sid"],
        "date_created": iso_time(row["created"]),
        "date_updated": iso_time(row["updated"]),
        "account_sid": row["account_sid"],
        "number": row["number"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "company_name": row["company_name"],
        "email": row["email"],
        "tag": row["tag"],
        "custom_field": row["custom_field"],
        "uri": f"/v2/accounts/{row['account_sid']}/contacts/{row['sid']}",
    }
