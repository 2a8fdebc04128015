"""The sandbox's own control API under /_sandbox/ (not Exotel's): set up worlds, change behaviour,
and look at what the product sent. Never rate-limited or faulted. See README, "Control API"."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from exoadmin.sandbox import callbacks, demo, records, seeding
from exoadmin.sandbox.database import Row, found
from exoadmin.sandbox.rules import devices
from exoadmin.sandbox.rules.errors import SandboxError

if TYPE_CHECKING:
    from exoadmin.sandbox.server import Sandbox

Handler = Callable[["Sandbox", dict[str, str], dict[str, str], Any], Any]
DEVICE_STATUSES = ("free", "busy", None)


def health(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    return {"ok": True, "accounts": sandbox.store.count_accounts()}


def reset(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    body = body or {}
    seed = body.get("seed", "empty")
    if seed not in ("demo", "empty"):
        raise ValueError("seed must be demo or empty")
    contacts = int(body.get("contacts", demo.DEFAULT_CONTACTS if seed == "demo" else 0))
    sandbox.reset(seed, contacts)
    return {"ok": True, "seed": seed, "contacts": contacts}


def put_account(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    seeding.put_account(sandbox.store, body)
    return found(sandbox.store.account(body["sid"])) | {"exophones": sandbox.store.exophones(body["sid"])}


def add_user(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    user_id = seeding.add_user(sandbox.store, body)
    return records.user(
        devices.get_user(sandbox.store, body["account_sid"], user_id), {"devices", "active_call", "last_login"}
    )


def delete_user(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    """A user deleted in Exotel (its devices go with it)."""
    if not sandbox.store.delete_user(args["user_id"]):
        raise LookupError("no such user")
    return {"deleted": args["user_id"]}


def change_device(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    """Change a device behind the product's back: drift, verification, busy."""
    changes = {key: body[key] for key in ("available", "verified", "status") if key in body}
    if changes.get("status") not in DEVICE_STATUSES:
        raise ValueError("status must be free, busy or null")
    if changes.get("verified") is False:
        changes["available"] = False  # an unverified device cannot stay ON
    device = sandbox.store.device(int(args["device_id"]))
    if device is None:
        raise LookupError("no such device")
    sandbox.store.update_device(device["id"], **changes)
    return records.device(found(sandbox.store.device(device["id"])))


def put_integration_user(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    seeding.put_integration_user(sandbox.store, body)
    row = found(sandbox.store.integration_user(body["account_sid"], body["user_id"]))
    return records.integration_devices(row, presence=True)


def change_integration_user(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    rows = [
        row
        for row in sandbox.store.integration_users_named(args["user_id"])
        if body.get("account_sid") in (None, row["account_sid"])
    ]
    if not rows:
        raise LookupError("no such integrations user")
    changes = seeding.integration_user_changes(body)
    for row in rows:
        sandbox.store.update_integration_user(row["account_sid"], row["user_id"], **changes)
    row = found(sandbox.store.integration_user(rows[0]["account_sid"], args["user_id"]))
    return records.integration_devices(row, presence=True)


def add_contacts(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    account_sid = body["account_sid"]
    if "contacts" in body:
        rows = seeding.given_contacts(account_sid, body["contacts"])
    else:
        start = sandbox.store.count_contacts(account_sid)
        rows = list(seeding.generated_contacts(account_sid, int(body["count"]), start))
    sandbox.store.add_contacts(rows)
    return {"created": len(rows), "sids": [row["sid"] for row in rows]}


def get_contact(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    row = sandbox.store.contact(args["contact_sid"])
    if row is None:
        raise LookupError("no such contact")
    return records.contact(row)


def get_config(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    return sandbox.config.snapshot()


def set_config(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    return sandbox.config.update(body or {})


def request_log(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    return [_logged_request(row) for row in sandbox.store.requests(query.get("path"), query.get("method"))]


def get_call(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    call = sandbox.store.call(args["call_sid"])
    if call is None:
        raise LookupError("no such call")
    legs = sandbox.store.legs(call["sid"])
    return {
        "api": call["api"],
        "user_id": call["user_id"],
        "device_id": call["device_id"],
        "options": call["options"],
        "status_callbacks": call["status_callbacks"],
        "call_details": records.v3_call(call, sandbox.links.for_call(call)),
        "leg_details": records.leg_details(call, legs),
        "events": [{"step": e["step"], "due": e["due"]} for e in sandbox.store.events(call["sid"])],
    }


FLOW_FIELDS = {"app_id": str, "app_name": str, "digits": str, "recordings": int, "group_id": str, "group_name": str}


def set_call_flow(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    """What Exotel reports of a call placed through an app flow: its app, the digits the caller
    pressed (a Gather applet), how many recordings (a flow may record several), the customer leg's group."""
    if sandbox.store.call(args["call_sid"]) is None:
        raise LookupError("no such call")
    if not isinstance(body, dict) or any(not isinstance(body.get(k), FLOW_FIELDS.get(k, ())) for k in body):
        raise ValueError(f"a call's flow takes {', '.join(FLOW_FIELDS)} (recordings a number, the rest text)")
    sandbox.store.update_call(args["call_sid"], flow=body)
    return {"ok": True}


def callback_log(sandbox: Sandbox, args: dict[str, str], query: dict[str, str], body: Any) -> Any:
    return [callbacks.log_entry(row) for row in sandbox.store.deliveries(query.get("call_sid"))]


def _logged_request(row: Row) -> dict[str, Any]:
    try:
        body = json.loads(row["body"]) if row["body"] else None
    except ValueError:
        body = row["body"]
    return {
        "method": row["method"],
        "path": row["path"],
        "query": row["query"],
        "body": body,
        "status": row["status"],
        "exotel_code": row["exotel_code"],
        "request_id": row["request_id"],
        "account_sid": row["account_sid"],
        "at": records.iso_time(row["at"], milliseconds=True),
    }


ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, re.compile("/_sandbox/" + pattern), handler)
    for method, pattern, handler in [
        ("GET", "health", health),
        ("POST", "reset", reset),
        ("POST", "accounts", put_account),
        ("POST", "users", add_user),
        ("DELETE", r"users/(?P<user_id>[^/]+)", delete_user),
        ("PATCH", r"devices/(?P<device_id>\d+)", change_device),
        ("POST", "integration-users", put_integration_user),
        ("PATCH", r"integration-users/(?P<user_id>[^/]+)", change_integration_user),
        ("POST", "contacts", add_contacts),
        ("GET", r"contacts/(?P<contact_sid>[^/]+)", get_contact),
        ("GET", "config", get_config),
        ("POST", "config", set_config),
        ("GET", "requests", request_log),
        ("GET", r"calls/(?P<call_sid>[^/]+)", get_call),
        ("PATCH", r"calls/(?P<call_sid>[^/]+)", set_call_flow),
        ("GET", "callbacks", callback_log),
    ]
]


def dispatch(sandbox: Sandbox, method: str, path: str, query: dict[str, str], raw: bytes) -> tuple[int, Any]:
    for route_method, pattern, handler in ROUTES:
        found = pattern.fullmatch(path.rstrip("/"))
        if found and route_method == method:
            try:
                return 200, handler(sandbox, found.groupdict(), query, json.loads(raw) if raw.strip() else None)
            except KeyError as error:
                return 400, {"error": f"{error} is required"}
            except LookupError as error:
                return 404, {"error": str(error)}
            except (TypeError, ValueError, sqlite3.Error, SandboxError) as error:
                return 400, {"error": str(error)}
    return 404, {"error": f"no control endpoint {method} {path}"}
