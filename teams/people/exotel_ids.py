"""Whether Exotel knows the user ids of a people file, asked at bulk priority within the account's
shared rate budget (supervisors' clicks keep their reserve).

CCM users cannot be listed by id, but they can by email, 50 to a request: an id whose row has the
email Exotel holds for it is confirmed that way; the rest are read one by one (404: unknown).
Phone/SIP (integrations) users have no listing at all: one request per distinct id. A 200-row file
of CCM agents with emails costs 4 requests.
"""

from __future__ import annotations

from collections.abc import Iterable

from exoadmin.accounts.clients import exotel_client
from exoadmin.accounts.models import ExotelAccount
from exoadmin.exotel.errors import ExotelError, NotFound, RateLimited
from exoadmin.exotel.integrations import get_devices
from exoadmin.exotel.users import MAX_PAGE, get_user, users_by_email

BUDGET_WAIT = 10.0  # seconds one request may wait for the budget before the rest are left unchecked


def unknown_ccm_users(account: ExotelAccount, ids_and_emails: Iterable[tuple[str, str]]) -> dict[str, str]:
    """{user id: why it is refused} for the ids (with the row's email, or "") Exotel does not confirm."""
    wanted = dict(ids_and_emails)
    if not wanted:
        return {}
    client = exotel_client(account, priority="bulk", budget_wait=BUDGET_WAIT)
    refused: dict[str, str] = {}
    confirmed: set[str] = set()
    emails = sorted({email for email in wanted.values() if email and "," not in email})
    try:
        for start in range(0, len(emails), MAX_PAGE):
            confirmed |= {user.id for user in users_by_email(client, emails[start : start + MAX_PAGE])}
        for user_id in sorted(set(wanted) - confirmed):
            try:
                get_user(client, user_id)
            except NotFound:
                refused[user_id] = f"Exotel has no CCM user “{user_id}” in {account.name}: check the id in Exotel."
    except ExotelError as exc:
        return {user_id: _unchecked(exc) for user_id in wanted if user_id not in confirmed}
    return refused


def unknown_integrations_users(account: ExotelAccount, ids: Iterable[str]) -> dict[str, str]:
    """{user id: why it is refused} for the phone/SIP user ids Exotel's integrations app does not know."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    if not account.has_integrations:
        message = f"{account.name} has no integrations app set up (customer id, app id, app token): add it in admin."
        return dict.fromkeys(wanted, message)
    client = exotel_client(account, priority="bulk", budget_wait=BUDGET_WAIT)
    refused: dict[str, str] = {}
    for index, user_id in enumerate(wanted):
        try:
            get_devices(client, user_id)
        except NotFound:
            refused[user_id] = f"Exotel's integrations app has no user “{user_id}”: check the id in Exotel."
        except ExotelError as exc:
            refused.update(dict.fromkeys(wanted[index:], _unchecked(exc)))
            break
    return refused


def _unchecked(exc: ExotelError) -> str:
    if isinstance(exc, RateLimited):
        return "Not checked: Exotel's rate limit is used up for now; upload the file again in a minute."
    return f"Not checked: Exotel did not answer ({exc.user_message}); upload the file again later."
