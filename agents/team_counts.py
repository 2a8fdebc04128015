"""Per-team counts beside the board's summary: how many of each team's agents are available, on a
call or off. Part of agents.selectors.board_counts, so the page and every live push show them."""

from __future__ import annotations

from typing import TypedDict, cast

from django.db.models import Count, Q

from agents.models import Availability
from teams.visible import teams_for_user


class TeamCounts(TypedDict):
    pk: int
    name: str
    account__name: str
    total: int
    available: int
    busy: int
    off: int


def team_counts(user) -> list[TeamCounts]:
    """Every team the user may see, with its agents by state: one query grouped over the team–agent
    table (an agent in two teams counts in both; a team with no agents shows zeros)."""
    state = "agents__availability"
    rows = (
        teams_for_user(user)
        .annotate(
            total=Count("agents"),
            available=Count("agents", filter=Q(**{state: Availability.AVAILABLE})),
            busy=Count("agents", filter=Q(**{state: Availability.BUSY})),
            off=Count("agents", filter=Q(**{state: Availability.OFF})),
        )
        .order_by("account__name", "name", "pk")
        .values("pk", "name", "account__name", "total", "available", "busy", "off")
    )
    return cast(list[TeamCounts], list(rows))
