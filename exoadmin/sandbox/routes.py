"""Exotel's endpoints: each handler calls one rule and shapes its result into the family's envelope."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exoadmin.sandbox import envelopes, records
from exoadmin.sandbox.database import Row, found
from exoadmin.sandbox.recordings import tone_wav
from exoadmin.sandbox.rules import authentication, calls, contacts, devices
from exoadmin.sandbox.rules.errors import SandboxError
from exoadmin.sandbox.store import Store

if TYPE_CHECKING:
    from exoadmin.sandbox.server import Sandbox

USER_FIELDS = {"devices", "active_call", "last_login"}


@dataclass
class Reply:
    status: int
    body: dict[str, Any] | bytes
    content_type: str = "application/json"


@dataclass
class Request:
    sandbox: Sandbox
    method: str
    args: dict[str, str]
    query: dict[str, str]
    body: Any
    account: Row | None
    request_id: str

    @property
    def store(self) -> Store:
        return self.sandbox.store

    @property
    def sid(self) -> str:
        return str(found(self.account)["sid"])

    def ok(self, response: Any, metadata: dict[str, Any] | None = None) -> Reply:
        return Reply(200, envelopes.ccm(self.method, self.request_id, 200, response, metadata))

    def ok_call(self, key: str, payload: dict[str, Any]) -> Reply:
        return Reply(200, envelopes.call_object(self.method, self.request_id, key, payload))


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    family: str
    handler: Callable[[Request], Reply]


# -- CCM users and devices -----------------------------------------------------------------


def list_users(req: Request) -> Reply:
    users, metadata = devices.list_users(req.store, req.sid, req.query)
    fields = set(req.query.get("fields", "").split(","))
    return req.ok([envelopes.record(records.user(u, fields)) for u in users], metadata)


def get_user(req: Request) -> Reply:
    user = devices.get_user(req.store, req.sid, req.args["user_id"])
    return req.ok([envelopes.record(records.user(user, USER_FIELDS))])


def set_device(req: Request) -> Reply:
    device = devices.set_device_availability(req.store, req.sid, req.args["user_id"], req.args["device_id"], req.body)
    return req.ok([envelopes.record(records.device(device))])


# -- calls ---------------------------------------------------------------------------------


def launch_v3_call(req: Request) -> Reply:
    call = calls.launch_v3_call(req.store, req.sid, req.body)
    return req.ok_call("call_details", records.v3_call(call, None, launching=True))


def launch_v2_call(req: Request) -> Reply:
    return req.ok(records.v2_call_summary(calls.launch_v2_call(req.store, req.sid, req.body)))


def call_details(req: Request) -> Reply:
    call = calls.find_call(req.store, req.sid, req.args["call_sid"], missing_code=1021)
    return req.ok_call("call_details", records.v3_call(call, req.sandbox.links.for_call(call)))


def call_legs(req: Request) -> Reply:
    call = calls.find_call(req.store, req.sid, req.args["call_sid"], missing_code=10744)
    return req.ok_call("leg_details", records.leg_details(call, req.store.legs(call["sid"])))


def recording(req: Request) -> Reply:
    call_sid = req.args["call_sid"]
    if not req.sandbox.links.is_valid(call_sid, req.query.get("expires", ""), req.query.get("signature", "")):
        raise SandboxError(403, 403, "Forbidden", "Recording link is invalid or has expired")
    call = req.store.call(call_sid)
    part = int(req.args.get("part") or 1)
    if call is None or part > len(req.sandbox.links.for_call(call) or []):
        raise SandboxError(404, 404, "Not Found", "Recording not found")
    return Reply(200, tone_wav(frequency=440.0 * part), "audio/wav")  # each part sounds different


# -- contacts ------------------------------------------------------------------------------


def _bulk_reply(req: Request, outcomes: list[Row | SandboxError]) -> Reply:
    shaped = [records.contact(o) if isinstance(o, dict) else o for o in outcomes]
    return Reply(*envelopes.bulk(req.method, req.request_id, shaped))


def create_contacts(req: Request) -> Reply:
    return _bulk_reply(req, contacts.create_contacts(req.store, req.sid, req.body))


def update_contacts(req: Request) -> Reply:
    return _bulk_reply(req, contacts.update_contacts(req.store, req.sid, req.body))


def list_contacts(req: Request) -> Reply:
    rows, metadata = contacts.list_contacts(req.store, req.sid, req.query)
    return req.ok([envelopes.record(records.contact(row)) for row in rows], metadata)


def get_contact(req: Request) -> Reply:
    return req.ok(envelopes.record(records.contact(contacts.get_contact(req.store, req.sid, req.args["contact_sid"]))))


def update_contact(req: Request) -> Reply:
    row = contacts.update_contact(req.store, req.sid, req.args["contact_sid"], req.body)
    return req.ok(envelopes.record(records.contact(row)))


def delete_contact(req: Request) -> Reply:
    row = contacts.delete_contact(req.store, req.sid, req.args["contact_sid"])
    return req.ok(envelopes.record(records.contact(row)))


# -- integrations --------------------------------------------------------------------------


def get_integration_devices(req: Request) -> Reply:
    row = devices.integration_devices(req.store, req.sid, req.args["user_id"])
    return Reply(200, envelopes.integrations(records.integration_devices(row, presence=True)))


def set_integration_devices(req: Request) -> Reply:
    row = devices.set_integration_devices(req.store, req.sid, req.args["user_id"], req.body)
    return Reply(200, envelopes.integrations(records.integration_devices(row, presence=False)))


def issue_integrations_token(req: Request) -> Reply:
    ttl = req.sandbox.config.snapshot()["app_token_ttl_seconds"]
    token = authentication.issue_app_token(req.store, req.body, ttl)
    return Reply(200, envelopes.integrations_token(req.request_id, token))


# -- the table -----------------------------------------------------------------------------

V2 = r"/v2/accounts/(?P<sid>[^/]+)"
V3 = r"/v3/accounts/(?P<sid>[^/]+)"
APP_USER = r"/v2/integrations/(?P<customer_id>[^/]+)/apps/(?P<app_id>[^/]+)/users/(?P<user_id>[^/]+)"


def _route(method: str, pattern: str, family: str, handler: Callable[[Request], Reply]) -> Route:
    return Route(method, re.compile(pattern + "/?"), family, handler)


ROUTES = [
    _route("GET", rf"{V2}/users", "users", list_users),
    _route("GET", rf"{V2}/users/(?P<user_id>[^/]+)", "users", get_user),
    _route("PUT", rf"{V2}/users/(?P<user_id>[^/]+)/devices/(?P<device_id>[^/]+)", "users", set_device),
    _route("POST", rf"{V2}/calls", "calls", launch_v2_call),
    _route("POST", rf"{V3}/calls", "calls", launch_v3_call),
    _route("GET", rf"{V3}/calls/(?P<call_sid>[^/]+)", "calls", call_details),
    _route("GET", rf"{V3}/calls/(?P<call_sid>[^/]+)/legs", "legs", call_legs),
    _route("POST", rf"{V2}/contacts", "contacts", create_contacts),
    _route("PUT", rf"{V2}/contacts", "contacts", update_contacts),
    _route("GET", rf"{V2}/contacts", "contacts", list_contacts),
    _route("GET", rf"{V2}/contacts/(?P<contact_sid>[^/]+)", "contacts", get_contact),
    _route("PUT", rf"{V2}/contacts/(?P<contact_sid>[^/]+)", "contacts", update_contact),
    _route("DELETE", rf"{V2}/contacts/(?P<contact_sid>[^/]+)", "contacts", delete_contact),
    _route("POST", r"/v2/integrations/token", "integrations_token", issue_integrations_token),
    _route("GET", rf"{APP_USER}/devices", "integrations", get_integration_devices),
    _route("PUT", rf"{APP_USER}/devices", "integrations", set_integration_devices),
    _route("GET", r"/recordings/(?P<call_sid>[0-9a-f]+)(?:-(?P<part>[0-9]+))?\.wav", "recordings", recording),
]


def match(method: str, path: str) -> tuple[Route | None, dict[str, str]]:
    for route in ROUTES:
        found = route.pattern.fullmatch(path)
        if found and route.method == method:
            return route, found.groupdict()
    return None, {}
