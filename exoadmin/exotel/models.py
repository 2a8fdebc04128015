"""Typed results of the Exotel client. Every top-level result keeps Exotel's request_id.

Parsing is tolerant of nulls and missing keys: Exotel omits fields freely (a call that is still
active has no status, no end time, no recordings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

# Exotel writes "not ended yet" as the epoch in IST.
_NOT_SET = datetime(1970, 1, 1, tzinfo=UTC)
# Exotel's clocks are IST; a time without an offset is read as IST.
IST = timezone(timedelta(hours=5, minutes=30), "IST")


def parse_time(value: str | None) -> datetime | None:
    """ "YYYY-MM-DD HH:mm:ss+hh:mm" or ISO 8601 with Z → aware datetime; null/epoch/garbage → None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=IST)
    return None if parsed == _NOT_SET else parsed


def records(response: Any) -> list[dict[str, Any]]:
    """The `data` of every item of a v2 list response (`[{code, status, error_data, data}]`)."""
    items = response if isinstance(response, list) else [response]
    return [item["data"] for item in items if isinstance(item, dict) and isinstance(item.get("data"), dict)]


def single_record(response: Any, key: str = "data") -> dict[str, Any]:
    """The one record of a response that Exotel sends as an object or as a one-element list."""
    item = response[0] if isinstance(response, list) and response else response
    record = item.get(key) if isinstance(item, dict) else None
    return record if isinstance(record, dict) else {}


@dataclass(frozen=True)
class Envelope:
    """Exotel's response envelope, parsed once by the transport."""

    request_id: str
    http_code: int
    method: str
    metadata: dict[str, Any] | None
    response: Any


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    contact_uri: str
    type: str  # "tel" | "sip"
    available: bool | None  # None while unverified
    verified: bool
    status: str | None  # "free" | "busy" | None
    request_id: str = ""

    @classmethod
    def from_data(cls, data: dict[str, Any], request_id: str) -> Device:
        return cls(
            id=str(data.get("id", "")),
            name=data.get("name") or "",
            contact_uri=data.get("contact_uri") or "",
            type=data.get("type") or "",
            available=data.get("available"),
            verified=bool(data.get("verified")),
            status=data.get("status"),
            request_id=request_id,
        )


@dataclass(frozen=True)
class User:
    id: str
    first_name: str
    last_name: str
    email: str | None
    role: str | None
    devices: list[Device]
    active_call: Any
    last_login: datetime | None
    request_id: str

    @classmethod
    def from_data(cls, data: dict[str, Any], request_id: str) -> User:
        return cls(
            id=str(data.get("id", "")),
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
            email=data.get("email"),
            role=data.get("role"),
            devices=[Device.from_data(d, request_id) for d in data.get("devices") or []],
            active_call=data.get("active_call"),
            last_login=parse_time(data.get("last_login")),
            request_id=request_id,
        )


@dataclass(frozen=True)
class UsersPage:
    users: list[User]
    total: int | None  # None when Exotel's metadata does not say
    offset: int
    limit: int
    request_id: str


@dataclass(frozen=True)
class PhoneDevice:
    enabled: bool
    number: str | None


@dataclass(frozen=True)
class SipDevice:
    enabled: bool
    username: str | None
    registered: bool | None
    last_seen: datetime | None


@dataclass(frozen=True)
class IntegrationDevices:
    user_id: str
    phone: PhoneDevice
    sip: SipDevice
    updated_at: datetime | None
    request_id: str

    @classmethod
    def from_data(cls, data: dict[str, Any], request_id: str) -> IntegrationDevices:
        devices = data.get("devices") or {}
        phone, sip = devices.get("phone") or {}, devices.get("sip") or {}
        return cls(
            user_id=str(data.get("user_id", "")),
            phone=PhoneDevice(enabled=bool(phone.get("enabled")), number=phone.get("number")),
            sip=SipDevice(
                enabled=bool(sip.get("enabled")),
                username=sip.get("username"),
                registered=sip.get("registered"),
                last_seen=parse_time(sip.get("last_seen")),
            ),
            updated_at=parse_time(data.get("updated_at")),
            request_id=request_id,
        )


@dataclass(frozen=True)
class IssuedToken:
    """An integrations app token from POST /v2/integrations/token; Exotel says it lives 90 days."""

    token: str = field(repr=False)
    request_id: str

    LIFETIME_DAYS = 90


@dataclass(frozen=True)
class CallDetails:
    """A v3 call (seed 002). `status` is None while the call is active."""

    sid: str
    direction: str | None
    virtual_number: str | None
    state: str | None  # "active" | "terminal"
    status: str | None
    legs_path: str | None
    created_time: datetime | None
    updated_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    total_duration: int | None
    total_talk_time: int | None
    custom_field: str | None
    app_id: str | None
    app_name: str | None
    digits: str | None
    recording_urls: list[str]
    request_id: str

    @property
    def is_terminal(self) -> bool:
        return self.state == "terminal"

    @classmethod
    def from_data(cls, data: dict[str, Any], request_id: str) -> CallDetails:
        return cls(
            sid=data.get("sid") or "",
            direction=data.get("direction"),
            virtual_number=data.get("virtual_number"),
            state=data.get("state"),
            status=data.get("status"),
            legs_path=data.get("legs"),
            created_time=parse_time(data.get("created_time")),
            updated_time=parse_time(data.get("updated_time")),
            start_time=parse_time(data.get("start_time")),
            end_time=parse_time(data.get("end_time")),
            total_duration=data.get("total_duration"),
            total_talk_time=data.get("total_talk_time"),
            custom_field=data.get("custom_field"),
            app_id=data.get("app_id"),
            app_name=data.get("app_name"),
            digits=data.get("digits"),
            recording_urls=[r["url"] for r in data.get("recordings") or [] if r.get("url")],
            request_id=request_id,
        )


@dataclass(frozen=True)
class LaunchedCall:
    """The answer to a v2 launch (seed 004): accepted by Exotel, not yet connected."""

    call_sid: str
    state: str | None
    status: str | None
    agent_user_id: str | None
    agent_contact_uri: str | None
    customer_number: str | None
    virtual_number: str | None
    recording: bool | None
    created_time: datetime | None
    request_id: str

    @classmethod
    def from_data(cls, data: dict[str, Any], request_id: str) -> LaunchedCall:
        agent, customer = data.get("assigned_agent_details") or {}, data.get("customer_details") or {}
        return cls(
            call_sid=data.get("call_sid") or "",
            state=data.get("call_state"),
            status=data.get("call_status"),
            agent_user_id=agent.get("user_id"),
            agent_contact_uri=agent.get("contact_uri"),
            customer_number=customer.get("number"),
            virtual_number=data.get("virtual_number"),
            recording=data.get("recording"),
            created_time=parse_time(data.get("created_time")),
            request_id=request_id,
        )


@dataclass(frozen=True)
class CallLeg:
    sid: str
    name: str | None
    contact_uri: str | None
    date_created: datetime | None
    date_updated: datetime | None
    status: str | None  # in-progress | completed | failed | no-answer | busy
    group_id: Any = None
    group_name: str | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CallLeg:
        return cls(
            sid=data.get("sid") or "",
            name=data.get("name"),
            contact_uri=data.get("contact_uri"),
            date_created=parse_time(data.get("date_created")),
            date_updated=parse_time(data.get("date_updated")),
            status=data.get("status"),
            group_id=data.get("group_id"),
            group_name=data.get("group_name"),
        )


@dataclass(frozen=True)
class CallLegs:
    call_sid: str
    account_sid: str | None
    from_legs: list[CallLeg]
    to_legs: list[CallLeg]
    request_id: str

    @classmethod
    def from_data(cls, data: dict[str, Any], request_id: str) -> CallLegs:
        return cls(
            call_sid=data.get("call_sid") or "",
            account_sid=data.get("account_sid"),
            from_legs=[CallLeg.from_data(leg) for leg in data.get("from") or []],
            to_legs=[CallLeg.from_data(leg) for leg in data.get("to") or []],
            request_id=request_id,
        )


@dataclass(frozen=True)
class Contact:
    sid: str
    number: str | None
    first_name: str | None
    last_name: str | None
    company_name: str | None
    email: str | None
    tag: str | None
    custom_field: Any
    date_created: datetime | None
    date_updated: datetime | None
    request_id: str

    @classmethod
    def from_data(cls, data: dict[str, Any], request_id: str) -> Contact:
        return cls(
            sid=data.get("sid") or "",
            number=data.get("number"),
            first_name=data.get("first_name"),
            last_name=data.get("last_name"),
            company_name=data.get("company_name"),
            email=data.get("email"),
            tag=data.get("tag"),
            custom_field=data.get("custom_field", data.get("custom")),
            date_created=parse_time(data.get("date_created")),
            date_updated=parse_time(data.get("date_updated")),
            request_id=request_id,
        )


@dataclass(frozen=True)
class ContactsPage:
    contacts: list[Contact]
    total: int | None
    offset: int
    limit: int
    request_id: str


@dataclass(frozen=True)
class RowOutcome:
    """One input row of a bulk request, in input order."""

    index: int
    sid: str | None
    ok: bool
    code: int | None  # the row's HTTP-like code (200, 404...)
    exotel_code: int | None
    message: str | None  # supervisor-facing, from the error table
    data: Contact | None = None


@dataclass(frozen=True)
class BulkResult:
    request_id: str
    http_code: int  # 200 when every row succeeded, 207 otherwise
    total: int
    success: int
    failed: int
    rows: list[RowOutcome] = field(default_factory=list)

    @property
    def failed_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if not row.ok]
