"""Which teams a person may pick, count and compare: admins every team; a supervisor the teams of
the accounts where they are account-wide and the teams they lead (teams/scope.py's rule, for teams);
agents none (they see only their own things)."""

from __future__ import annotations

from django.db.models import QuerySet

from exoadmin.accounts.roles import Role, role_of
from teams.models import Team
from teams.scope import supervised_teams


def teams_for_user(user) -> QuerySet[Team]:
    role = role_of(user)
    if role == Role.ADMIN:
        return Team.objects.all()
    if role != Role.SUPERVISOR:
        return Team.objects.none()
    return Team.objects.filter(supervised_teams(user))
