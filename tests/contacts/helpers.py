"""Building CSV files and sandbox contacts for the contacts tests."""

import csv
import io
import random
import uuid
from typing import Any

from django.utils import timezone

from contacts.models import Contact


def csv_bytes(header: list[str], rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def seed_contacts(sandbox, account, count: int, *, mirrored: bool = True) -> list[str]:
    """`count` new contacts in the sandbox account and, unless told otherwise, in the local copy; their sids."""
    rows: list[dict[str, Any]] = [
        {
            "sid": uuid.uuid4().hex,
            "number": f"+9198{random.randrange(10**8):08d}",
            "first_name": f"First{i}",
            "last_name": "Old",
            "company_name": "",
            "email": f"c{i}@example.com",
            "tag": "lead",
            "custom_field": None,
        }
        for i in range(count)
    ]
    for start in range(0, count, 10_000):
        sandbox.control(
            "POST", "/_sandbox/contacts", {"account_sid": account.account_sid, "contacts": rows[start : start + 10_000]}
        )
    if mirrored:
        Contact.objects.bulk_create(
            [Contact(account=account, synced_at=timezone.now(), **row) for row in rows], batch_size=1000
        )
    return [row["sid"] for row in rows]


def exotel_contact(sandbox, sid: str) -> dict:
    """The contact as the sandbox (Exotel) holds it now; no product code."""
    return sandbox.control("GET", f"/_sandbox/contacts/{sid}")
