"""CCM v2 users: who the agents are and which devices they have (seed 000)."""

from __future__ import annotations

from collections.abc import Iterator

from .client import ExotelClient
from .models import User, UsersPage, records, single_record

MAX_PAGE = 50  # Exotel's maximum `limit` for users (research 2.2)
_FIELDS = "devices,active_call,last_login"


def list_users(client: ExotelClient, *, offset: int = 0, limit: int = MAX_PAGE) -> UsersPage:
    """One page of users with their devices, active call and last login.

    Reference: seed 000; exotel-contract.md "Agents' devices — model 1".
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
    envelope = client.ccm_api.request(
        "GET",
        client.account_path("v2", "users"),
        params={"fields": _FIELDS, "offset": offset, "limit": limit},
    )
    meta = envelope.metadata or {}
    users = [User.from_data(data, envelope.request_id) for data in records(envelope.response)]
    return UsersPage(
        users=users,
        total=int(meta["total"]) if meta.get("total") is not None else None,
        offset=int(meta.get("offset", offset)),
        limit=int(meta.get("limit", limit)),
        request_id=envelope.request_id,
    )


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
