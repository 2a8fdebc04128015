"""Finding an agent by one of their devices. The board's search takes any phone number (in any common
writing: "+91 98765 00001", "098765 00001") or SIP address; when no agent here has that device, Exotel
is asked (seed 000's users filter by device, one request within the budget) and the user it names can
be added at once, as the next sync would. Asking Exotel is for admins and account-wide supervisors: a
team lead sees only their teams' agents, and Exotel's answer names anyone of the account."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from agents.device_address import device_address
from agents.models import Agent
from agents.sync import SyncResult, ccm_users_store
from exoadmin.accounts.clients import exotel_client
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.roles import Role, role_of
from exoadmin.exotel import users
from exoadmin.exotel.errors import ExotelError, NotFound
from exoadmin.exotel.models import User
from exoadmin.refusals import Refused
from teams.scope import wide_accounts


@dataclass(frozen=True)
class FoundInExotel:
    account: ExotelAccount
    user: User
    agent: Agent | None  # the agent exoadmin already has for this user

    @property
    def name(self) -> str:
        return f"{self.user.first_name} {self.user.last_name}".strip() or self.user.id


def accounts_that_may_ask(user) -> list[ExotelAccount]:
    accounts = ExotelAccount.objects.order_by("name")
    if role_of(user) == Role.ADMIN:
        return list(accounts)
    return list(accounts.filter(pk__in=wide_accounts(user)))


def ask_exotel_for_device(*, user, text: str) -> tuple[str, list[FoundInExotel]]:
    """(the device address asked for, Exotel's users with that device in each account the person may
    ask about); Refused with what to do when it is not a device or Exotel cannot answer."""
    accounts = accounts_that_may_ask(user)
    if not accounts:
        raise Refused("Only admins and account-wide supervisors can look people up in Exotel.")
    found: list[FoundInExotel] = []
    address = ""
    for account in accounts:
        address = device_address(text, account.region)
        if not address:
            raise Refused(f"“{text}” is not a phone number or a SIP address (e.g. +919876500001 or sip:asha.rao).")
        try:
            remote = users.users_by_device(exotel_client(account), address)
        except ExotelError as exc:
            raise Refused.from_exotel(exc) from exc
        ids = [remote_user.id for remote_user in remote]
        known = {a.exotel_user_id: a for a in Agent.objects.filter(account=account, exotel_user_id__in=ids)}
        found += [FoundInExotel(account, remote_user, known.get(remote_user.id)) for remote_user in remote]
    return address, found


def agent_add_from_exotel(*, user, account_id: int, exotel_user_id: str) -> Agent:
    """Read this Exotel user again and store them as the sync would (devices, availability, login)."""
    account = next((a for a in accounts_that_may_ask(user) if a.pk == account_id), None)
    if account is None:
        raise Refused("Only admins and account-wide supervisors of that account can add its people.")
    try:
        remote = users.get_user(exotel_client(account), exotel_user_id)
    except NotFound as exc:
        raise Refused("Exotel no longer has this user: search again.", request_id=exc.request_id) from exc
    except ExotelError as exc:
        raise Refused.from_exotel(exc) from exc
    ccm_users_store(account, [remote], timezone.now(), SyncResult())
    return Agent.objects.get(account=account, exotel_user_id=remote.id)
