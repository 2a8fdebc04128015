"""Reads for the team pages (admins only: they see every team)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from agents.models import Agent
from teams.models import Team
from teams.services import lead_candidates


def teams_list() -> QuerySet[Team]:
    """Every team with its account, agent count and leads (three queries)."""
    return (
        Team.objects.select_related("account")
        .annotate(agent_count=Count("agents", distinct=True))
        .prefetch_related("leads")
        .order_by("account__name", "name")
    )


def team_by_id(team_id: int) -> Team:
    try:
        return teams_list().get(pk=team_id)
    except (Team.DoesNotExist, ValueError):
        raise Http404("No such team.") from None


def form_choices() -> dict:
    """Every account's agents and supervisor members, for the form's checkboxes (shown per account)."""
    agents = Agent.objects.select_related("account").order_by("account__name", "name")
    leads = lead_candidates().prefetch_related(Prefetch("exotel_accounts"))
    return {
        "agent_choices": list(agents),
        "lead_choices": [(user, sorted(account.pk for account in user.exotel_accounts.all())) for user in leads],
    }
