"""What a checked row would do: the person as the database holds them now and as the row wants them,
compared field by field (old → new), and the checks that need the database.

The same comparison is the preview, the idempotency rule (a row equal to the database is
"unchanged" and nothing is written for it) and, repeated inside the apply transaction, the guard
against anything having changed since the preview.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from agents.models import Agent
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.roles import role_of
from teams.models import Team
from teams.people.csvfile import ID_COLUMN, PersonRow

NONE = "—"


@dataclass
class Directory:
    """Accounts and their teams by name, read once per file."""

    accounts: dict[str, ExotelAccount]
    teams: dict[tuple[int, str], Team]

    @classmethod
    def load(cls) -> Directory:
        accounts: dict[str, ExotelAccount] = {}
        for account in ExotelAccount.objects.all():
            accounts[account.name] = account
            accounts.setdefault(account.account_sid, account)
        teams = {(team.account_id, team.name): team for team in Team.objects.all()}
        return cls(accounts, teams)

    def account(self, row: PersonRow) -> ExotelAccount | None:
        return self.accounts.get(row.cells["exotel_account"])


def normal_name(name: str) -> str:
    return " ".join(name.split())


def check_against_database(row: PersonRow, directory: Directory) -> None:
    """Unknown account or team, an admin's login, ids that belong to someone else."""
    cells = row.cells
    account = directory.account(row)
    if cells["exotel_account"] and account is None:
        known = ", ".join(sorted({a.name for a in directory.accounts.values()})) or "none yet"
        row.refuse(
            "exotel_account", f"No Exotel account “{cells['exotel_account'][:60]}” in exoadmin (accounts: {known})."
        )
    if account is not None:
        for name in row.teams:
            if (account.pk, name) not in directory.teams:
                row.refuse("teams", f"No team “{name[:60]}” in {account.name}: create it first or fix the name.")
    user = User.objects.filter(username=cells["login"]).first() if cells["login"] else None
    if user is not None and user.is_staff:
        row.refuse("login", f"“{user.username}” is an admin: change admins in Django admin, not by import.")
    if account is not None and cells["role"] == "agent" and cells["device_model"] in ID_COLUMN:
        _check_agent_identity(row, account, user)


def _check_agent_identity(row: PersonRow, account: ExotelAccount, user: User | None) -> None:
    target = agent_for(row, account, user)
    if target is not None and target.account_id != account.pk:
        row.refuse(
            "exotel_account",
            f"“{row.cells['login']}” is an agent of {target.account.name}: an agent works in one account.",
        )
        return
    for column, field in (("ccm_user_id", "exotel_user_id"), ("integrations_user_id", "integrations_user_id")):
        user_id = row.cells[column]
        if not user_id:
            continue
        holder = Agent.objects.filter(account=account, **{field: user_id}).select_related("user").first()
        if holder is None or holder == target:
            continue
        who = f"login “{holder.user.username}”" if holder.user else "no login"
        row.refuse(
            column, f"{column} “{user_id}” already belongs to the agent {holder.name} ({who}) in {account.name}."
        )


def agent_for(row: PersonRow, account: ExotelAccount, user: User | None) -> Agent | None:
    """The agent this row is about: the login's own, else the account's agent with the row's id and no login
    (an agent the sync brought in from Exotel), else none (one will be created)."""
    if user is not None and (own := Agent.objects.filter(user=user).first()) is not None:
        return own
    for column, field in (("ccm_user_id", "exotel_user_id"), ("integrations_user_id", "integrations_user_id")):
        if row.cells[column]:
            found = Agent.objects.filter(account=account, user=None, **{field: row.cells[column]}).first()
            if found is not None:
                return found
    return None


def current(row: PersonRow, account: ExotelAccount) -> dict[str, str]:
    """The person as the database holds them now, in the row's terms."""
    user = User.objects.filter(username=row.cells["login"]).first()
    state = {
        "name": user.get_full_name() if user else NONE,
        "email": user.email if user else NONE,
        "role": (role.value if (role := role_of(user)) else NONE) if user else NONE,
        "exotel_account": account.name if user and account.members.filter(pk=user.pk).exists() else NONE,
    }
    if row.cells["role"] == "agent":
        agent = agent_for(row, account, user)
        teams = agent.teams.filter(account=account) if agent else Team.objects.none()
        state |= {
            "agent": f"{agent.name} <{agent.email}>" if agent and agent.email else (agent.name if agent else NONE),
            "device_model": agent.device_model if agent else NONE,
            "ccm_user_id": agent.exotel_user_id if agent else NONE,
            "integrations_user_id": agent.integrations_user_id if agent else NONE,
        }
    else:
        teams = user.led_teams.filter(account=account) if user else Team.objects.none()
    state["teams"] = "; ".join(sorted(team.name for team in teams)) or NONE
    return state


def wanted(row: PersonRow, account: ExotelAccount) -> dict[str, str]:
    """The person as the row wants them, in the same terms as `current`."""
    cells = row.cells
    name = normal_name(cells["name"])
    state = {"name": name, "email": cells["email"], "role": cells["role"], "exotel_account": account.name}
    if cells["role"] == "agent":
        state |= {
            "agent": f"{name} <{cells['email']}>" if cells["email"] else name,
            "device_model": cells["device_model"],
            "ccm_user_id": cells["ccm_user_id"],
            "integrations_user_id": cells["integrations_user_id"],
        }
    state["teams"] = "; ".join(row.teams) or NONE
    return state


def changes(row: PersonRow, account: ExotelAccount) -> tuple[str, list[tuple[str, str, str]]]:
    """("create" | "update" | "unchanged", [(field, old, new), ...] for the fields that differ)."""
    old, new = current(row, account), wanted(row, account)
    differing = [(name, old[name], new[name]) for name in new if (old[name] or NONE) != (new[name] or NONE)]
    if not User.objects.filter(username=row.cells["login"]).exists():
        return "create", differing
    return ("update" if differing else "unchanged"), differing
