"""Contacts v2, the campaigns address book (seed 003).

Bulk requests answer 200 when every row succeeded and 207 when any failed (even all); each row
gets its own outcome, in input order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .client import ExotelClient
from .errors import user_message_for
from .models import BulkResult, Contact, ContactsPage, Envelope, RowOutcome, records, single_record

MAX_BULK = 5000  # contacts per create or bulk-update request
MAX_PAGE = 20  # Exotel's maximum `limit` when listing contacts


def bulk_update(client: ExotelClient, contacts: Sequence[Mapping[str, Any]]) -> BulkResult:
    """Change up to 5000 contacts, each `{"sid": ..., <fields to change>}`.

    Fields: number (E.164), first_name, last_name, company_name, email, tag, custom_field.
    Reference: seed 003 (PUT /v2/accounts/<sid>/contacts).
    """
    _check_batch(contacts)
    if any(not contact.get("sid") for contact in contacts):
        raise ValueError("every contact to update needs its sid")
    envelope = client.contacts_api.request(
        "PUT", client.account_path("v2", "contacts"), body={"contacts": list(contacts)}
    )
    return _bulk_result(envelope, [contact["sid"] for contact in contacts])


def create(client: ExotelClient, contacts: Sequence[Mapping[str, Any]]) -> BulkResult:
    """Add up to 5000 contacts (`number` required); rows that succeeded carry the new sid.

    Reference: seed 003; exotel-contract.md "Contacts" (POST /v2/accounts/<sid>/contacts).
    """
    _check_batch(contacts)
    envelope = client.contacts_api.request(
        "POST",
        client.account_path("v2", "contacts"),
        body={"contacts": list(contacts)},
        unsure="the contacts may or may not have been created",
    )
    return _bulk_result(envelope, [None] * len(contacts))


def list_page(client: ExotelClient, *, offset: int = 0, limit: int = MAX_PAGE) -> ContactsPage:
    """One page of contacts, oldest first.

    Reference: seed 003 (envelope); exotel-contract.md "Contacts" (GET .../contacts?offset=&limit=).
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
    envelope = client.contacts_api.request(
        "GET", client.account_path("v2", "contacts"), params={"offset": offset, "limit": limit}
    )
    meta = envelope.metadata or {}
    return ContactsPage(
        contacts=[Contact.from_data(data, envelope.request_id) for data in records(envelope.response)],
        total=meta.get("total"),
        offset=int(meta.get("offset", offset)),
        limit=int(meta.get("limit", limit)),
        request_id=envelope.request_id,
    )


def get(client: ExotelClient, sid: str) -> Contact:
    """One contact.

    Reference: seed 003 (envelope); exotel-contract.md "Contacts" (GET .../contacts/<sid>).
    """
    envelope = client.contacts_api.request("GET", client.account_path("v2", "contacts", sid))
    return Contact.from_data(single_record(envelope.response), envelope.request_id)


def update_one(client: ExotelClient, sid: str, **fields: Any) -> Contact:
    """Change one contact's fields; the others stay as they are.

    Reference: seed 003; exotel-contract.md "Contacts" (PUT .../contacts/<sid>).
    """
    if not fields:
        raise ValueError("give at least one field to change")
    envelope = client.contacts_api.request("PUT", client.account_path("v2", "contacts", sid), body=fields)
    return Contact.from_data(single_record(envelope.response), envelope.request_id)


def delete(client: ExotelClient, sid: str) -> str:
    """Delete one contact; returns Exotel's request_id.

    Reference: seed 003 (envelope); exotel-contract.md "Contacts" (DELETE .../contacts/<sid>).
    """
    envelope = client.contacts_api.request(
        "DELETE",
        client.account_path("v2", "contacts", sid),
        unsure="the contact may or may not have been deleted",
    )
    return envelope.request_id or ""


def _check_batch(contacts: Sequence[Mapping[str, Any]]) -> None:
    if not contacts:
        raise ValueError("no contacts given")
    if len(contacts) > MAX_BULK:
        raise ValueError(f"at most {MAX_BULK} contacts per request, got {len(contacts)}: split the batch")


def _bulk_result(envelope: Envelope, sids: list[str | None]) -> BulkResult:
    items = envelope.response if isinstance(envelope.response, list) else []
    rows = [
        _row(index, item, sids[index] if index < len(sids) else None, envelope.request_id)
        for index, item in enumerate(items)
    ]
    meta = envelope.metadata or {}
    failed = sum(not row.ok for row in rows)
    return BulkResult(
        request_id=envelope.request_id,
        http_code=envelope.http_code,
        total=int(meta.get("total", len(rows))),
        success=int(meta.get("success", len(rows) - failed)),
        failed=int(meta.get("failed", failed)),
        rows=rows,
    )


def _row(index: int, item: Any, sid: str | None, request_id: str) -> RowOutcome:
    item = item if isinstance(item, dict) else {}
    code = item.get("code")
    data = item.get("data") if isinstance(item.get("data"), dict) else None
    contact = Contact.from_data(data, request_id) if data else None
    if item.get("status") == "success":
        return RowOutcome(index, contact.sid if contact else sid, True, code, None, None, contact)
    error = item.get("error_data") or {}
    exotel_code = error.get("code")
    message = user_message_for(code or 400, exotel_code, error.get("description"), request_id=request_id)
    return RowOutcome(index, sid, False, code, exotel_code, message, contact)
