"""Contacts (seed 003, research section 5): bulk create and update with one outcome per row, paging,
and one contact at a time."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from exoadmin.sandbox.database import Row
from exoadmin.sandbox.rules.errors import SandboxError, bad_format, invalid, missing, not_found
from exoadmin.sandbox.rules.parameters import json_object, page, paged
from exoadmin.sandbox.store import Store

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
    return rows, paged(rows, store.count_contacts(account_sid), offset, limit)


def get_contact(store: Store, account_sid: str, contact_sid: str) -> Row:
    row = store.contact(contact_sid)
    if row is None or row["account_sid"] != account_sid:
        raise _contact_not_found()
    return row


def update_contact(store: Store, account_sid: str, contact_sid: str, body: Any) -> Row:
    with store.atomic():
        row = get_contact(store, account_sid, contact_sid)
        updated = _updated_contact({contact_sid: row}, {**json_object(body), "sid": contact_sid}, time.time())
        store.replace_contacts([updated])
        return updated


def delete_contact(store: Store, account_sid: str, contact_sid: str) -> Row:
    with store.atomic():
        row = get_contact(store, account_sid, contact_sid)
        store.delete_contact(contact_sid)
        return row


def _contact_not_found() -> SandboxError:
    return not_found(1000, "Contact not found")


def _contact_items(body: Any) -> list[Any]:
    items = body.get("contacts") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise bad_format('Request body must be {"contacts": [...]}')
    if not items:
        raise missing("contacts")
    if len(items) > MAX_CONTACTS_PER_REQUEST:
        raise invalid(f"At most {MAX_CONTACTS_PER_REQUEST} contacts per request")
    return items


def _updated_contact(stored: Mapping[str, Row], item: Any, now: float) -> Row:
    if not isinstance(item, dict):
        raise invalid("Each contact must be an object")
    if not item.get("sid"):
        raise missing("sid")
    row = stored.get(item["sid"]) if isinstance(item["sid"], str) else None
    if row is None:
        raise _contact_not_found()
    return {**row, **_contact_fields(item, creating=False), "updated": now}


def _contact_fields(item: Any, creating: bool) -> dict[str, Any]:
    """The contact fields an item sets, validated; `custom` is accepted as `custom_field`."""
    if not isinstance(item, dict):
        raise invalid("Each contact must be an object")
    if creating and not item.get("number"):
        raise missing("number")
    fields = {name: item[name] for name in CONTACT_TEXT_FIELDS if name in item}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise invalid(f"{name} must be a string")
    if "number" in fields and not E164.fullmatch(fields["number"] or ""):
        raise invalid("number must be in E.164 format, like +919876543210")
    for name in ("custom", "custom_field"):
        if name in item:
            if not isinstance(item[name], dict):
                raise invalid("custom_field must be a JSON object")
            fields["custom_field"] = item[name]
    return fields


def _blank_contact() -> Row:
    return dict.fromkeys((*CONTACT_TEXT_FIELDS, "custom_field"))
