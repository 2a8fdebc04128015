"""Writes for teams: who is in a team and who leads it. Each write checks that the team's agents and
leads belong to its account, and tells every open screen of that account that who supervises whom
changed (a supervisor's live stream gets its scope again at once; their next request already has it)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from agents.models import Agent
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.roles import GROUP_NAMES, Role
from exoadmin.live.publish import Topic, changed
from exoadmin.refusals import Refused
from teams.models import Team

log = logging.getLogger("exoadmin.teams")


class TeamRefused(Refused):
    """A team that cannot be saved as asked; `field` is the input it is about."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def lead_candidates(account: ExotelAccount | None = None):
    """Who may lead a team: supervisors (not admins, who see everything) who are members of its account."""
    users = User.objects.filter(groups__name=GROUP_NAMES[Role.SUPERVISOR], is_staff=False, is_active=True)
    if account is not None:
        users = users.filter(exotel_accounts=account)
    return users.distinct().order_by("username")


def _names(items: list, limit: int = 3) -> str:
    names = [str(item) for item in items]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


@transaction.atomic
def team_save(
    *,
    team: Team | None = None,
    name: str,
    account: ExotelAccount,
    agents: Iterable[Agent],
    leads: Iterable[User],
    by: User,
) -> Team:
    """Create or change a team. Refused (nothing saved) when an agent is of another account, a lead is
    not a supervisor member of the account, or the account already has a team of that name."""
    agents, leads = list(agents), list(leads)
    name = name.strip()
    if not name:
        raise TeamRefused("Give the team a name, e.g. the client it works for.", field="name")
    same_name = Team.objects.filter(account=account, name__iexact=name)
    if team is not None and team.pk:
        same_name = same_name.exclude(pk=team.pk)
    if same_name.exists():
        raise TeamRefused(f"{account.name} already has a team called “{name}”: choose another name.", field="name")
    strangers = [agent for agent in agents if agent.account_id != account.pk]
    if strangers:
        raise TeamRefused(
            f"{_names(strangers)} {'is' if len(strangers) == 1 else 'are'} not in {account.name}: "
            "a team holds agents of its own account only.",
            field="agents",
        )
    allowed = set(lead_candidates(account).filter(pk__in=[user.pk for user in leads]).values_list("pk", flat=True))
    not_leads = [user for user in leads if user.pk not in allowed]
    if not_leads:
        raise TeamRefused(
            f"{_names(not_leads)} cannot lead it: a lead is a supervisor who is a member of {account.name}.",
            field="leads",
        )
    before = team.account_id if team and team.pk else None
    team = team or Team()
    team.name, team.account = name, account
    team.save()
    team.agents.set(agents)
    team.leads.set(leads)
    log.info("team %s (%s) saved by %s", team.pk, team.name, by.username, extra={"team_id": team.pk})
    team_changed(team, also_account_id=before)
    return team


@transaction.atomic
def team_delete(*, team: Team, by: User) -> None:
    """Its agents stay; its leads stop seeing them (unless another team or account-wide gives them)."""
    log.info("team %s (%s) deleted by %s", team.pk, team.name, by.username, extra={"team_id": team.pk})
    pk, account_id = team.pk, team.account_id
    team.delete()
    changed(Topic.TEAM, pk, account_id=account_id)


def team_changed(team: Team, *, also_account_id: int | None = None) -> None:
    """Tell open screens of the team's account (and of the account it left) that scopes changed."""
    changed(Topic.TEAM, team.pk, account_id=team.account_id)
    if also_account_id is not None and also_account_id != team.account_id:
        changed(Topic.TEAM, team.pk, account_id=also_account_id)


def account_scopes_changed(account_id: int) -> None:
    """Who supervises whom in this account changed outside the team pages (a people import): its
    supervisors' open screens get their scope again."""
    changed(Topic.TEAM, f"account-{account_id}", account_id=account_id)
