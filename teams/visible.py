"""Which teams a person may pick, count and compare: admins every team; a supervisor the teams of
the accounts where they are account-wide and the teams they lead (teams/scope.py's rule, for teams);
agents none (they see only their own things)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from exoadmin.accounts.roles import Role, role_of
from teams.models import Team
from teams.scope import wide_accounts


def teams_for_user(user) -> QuerySet[Team]:
    role = role_of(user)
    if role == Role.ADMIN:
        return Team.objects.all()
    if role != Role.SUPERVISOR:
        return Team.objects.none()
    led = Team.leads.through.objects.filter(user=user, team__account__members=user).values("team_id")
    return Team.objects.filter(Q(account__in=wide_accounts(user)) | Q(pk__in=led))
