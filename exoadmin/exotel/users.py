"""CCM v2 users: who the agents are and which devices they have (seed 000)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .client import ExotelClient
from .models import User, UsersPage, records, single_record

MAX_PAGE = 50  # Exotel's maximum `limit` for users (research 2.2)
_FIELDS = "devices,active_call,last_login"


def list_users(
    client: ExotelClient,
    *,
    offset: int = 0,
    limit: int = MAX_PAGE,
    emails: Sequence[str] = (),
    device_contact_uri: str = "",
) -> UsersPage:
    """One page of users with their devices, active call and last login; only the users with one
    of `emails` when given (Exotel's `email` filter, a comma list), or with a device of that
    contact URI (`devices.contact_uri`: a number in E.164 or a SIP address).

    Reference: seed 000; exotel-contract.md "Agents' devices — model 1"; exotel-api-research.md 2.2
    (filters `email` and `devices.contact_uri`; there is no filter by user id).
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
    if any("," in email or not email for email in emails):
        raise ValueError("an email in a filter can be neither empty nor contain a comma")
    if "," in device_contact_uri:
        raise ValueError("a device's contact URI in a filter cannot contain a comma")
    params: dict[str, str | int] = {"fields": _FIELDS, "offset": offset, "limit": limit}
    if emails:
        params["email"] = ",".join(emails)
    if device_contact_uri:
        params["devices.contact_uri"] = device_contact_uri
    envelope = client.ccm_api.request("GET", client.account_path("v2", "users"), params=params)
    meta = envelope.metadata or {}
    users = [User.from_data(data, envelope.request_id) for data in records(envelope.response)]
    return UsersPage(
        users=users,
        total=int(meta["total"]) if meta.get("total") is not None else None,
        offset=int(meta.get("offset", offset)),
        limit=int(meta.get("limit", limit)),
        request_id=envelope.request_id,
    )


def users_by_email(client: ExotelClient, emails: Sequence[str]) -> list[User]:
    """The users with these emails (at most 50: one request), in Exotel's order; an email no user
    has is simply not answered for. The cheapest way to re-read chosen users: Exotel's listing
    cannot be filtered by user id, and an email, unlike a device's number, never changes once set.

    Reference: exotel-api-research.md 2.2 (`email` filter, comma-separated; `limit` max 50).
    """
    if not 1 <= len(emails) <= MAX_PAGE:
        raise ValueError(f"between 1 and {MAX_PAGE} emails per request")
    return list_users(client, limit=MAX_PAGE, emails=emails).users


def users_by_device(client: ExotelClient, contact_uri: str) -> list[User]:
    """The users with a device of this contact URI (seed 000's first step: find the user by a device).

    Reference: seed 000; exotel-api-research.md 2.2 (`devices.contact_uri` filter).
    """
    if not contact_uri:
        raise ValueError("a device's contact URI is needed")
    return list_users(client, limit=MAX_PAGE, device_contact_uri=contact_uri).users


def iter_all_users(client: ExotelClient, *, page_size: int = MAX_PAGE) -> Iterator[User]:
    """Every user of the account, page by page.

    Reference: seed 000; exotel-contract.md "Agents' devices — model 1" (metadata.total).
    """
    offset = 0
    while True:
        page = list_users(client, offset=offset, limit=page_size)
        yield from page.users
        offset += len(page.users)
        if is_last_page(page, offset, page_size):
            return


def is_last_page(page: UsersPage, read: int, page_size: int) -> bool:
    """Past Exotel's total, or (when it gives none) a page shorter than asked for."""
    if not page.users:
        return True
    return read >= page.total if page.total is not None else len(page.users) < page_size


def get_user(client: ExotelClient, user_id: str) -> User:
    """One user with their devices.

    Reference: seed 000; exotel-api-research.md 2.3 (object or one-element list).
    """
    envelope = client.ccm_api.request("GET", client.account_path("v2", "users", user_id), params={"fields": _FIELDS})
    return User.from_data(single_record(envelope.response), envelope.request_id)
