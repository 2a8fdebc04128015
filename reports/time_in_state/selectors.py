"""Reads for time in state: seconds per state by agent, team and day over a ReportRange.

Closed intervals are stored one row per local day, so every total is a SQL `Sum(seconds)` grouped by
agent or day; only each agent's open interval (its current state) is added in Python, clipped to the
range and to now. Nothing loads the intervals of a range to add them up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from agents.models import Agent, StateInterval
from agents.selectors import agents_for_user
from agents.state_intervals import day_pieces
from exoadmin.accounts.roles import Role, role_of
from exoadmin.text import database_id
from reports.ranges import ReportRange
from reports.time_in_state.states import STATES
from teams.models import Team
from teams.visible import teams_for_user

Seconds = dict[str, int]  # state -> seconds


@dataclass(frozen=True)
class Interval:
    """One stretch of one state within one day, closed or (ended_at None) still going on."""

    agent_id: int
    state: str
    started_at: datetime
    ended_at: datetime | None
    day: date
    seconds: int
    changed_by: str


def _closed(report_range: ReportRange, agents: QuerySet[Agent]) -> QuerySet[StateInterval]:
    return StateInterval.objects.filter(
        agent__in=agents.values("pk"), day__gte=report_range.first_day, day__lte=report_range.last_day
    )


def open_intervals(report_range: ReportRange, agents: QuerySet[Agent]) -> Iterator[Interval]:
    """Each agent's current state, from its start (or the range's) to now (or the range's end), by day."""
    now = timezone.now()
    end = min(now, report_range.end)
    rows = agents.filter(state_since__lt=end).values_list("pk", "state", "state_since", "state_by")
    for agent_id, state, since, by in rows:
        assert since is not None  # filtered on above
        for day, start, stop in day_pieces(max(since, report_range.start), end, report_range.account.zone):
            seconds = round((stop - start).total_seconds())
            yield Interval(agent_id, state, start, None if stop == now else stop, day, seconds, by)


def seconds_by_agent(report_range: ReportRange, agents: QuerySet[Agent]) -> dict[int, Seconds]:
    """Agent id -> state -> seconds over the range (agents with no time at all are left out)."""
    totals: dict[int, Seconds] = defaultdict(lambda: defaultdict(int))
    sums = _closed(report_range, agents).values("agent_id", "state").annotate(total=Sum("seconds"))
    for row in sums.order_by():
        totals[row["agent_id"]][row["state"]] += row["total"]
    for piece in open_intervals(report_range, agents):
        totals[piece.agent_id][piece.state] += piece.seconds
    return {agent_id: dict(states) for agent_id, states in totals.items()}


def seconds_by_day(report_range: ReportRange, agents: QuerySet[Agent]) -> dict[date, Seconds]:
    """Day -> state -> seconds, every day of the range present."""
    totals: dict[date, Seconds] = {day: defaultdict(int) for day in report_range.days}
    sums = _closed(report_range, agents).values("day", "state").annotate(total=Sum("seconds"))
    for row in sums.order_by():
        totals[row["day"]][row["state"]] += row["total"]
    for piece in open_intervals(report_range, agents):
        totals[piece.day][piece.state] += piece.seconds
    return {day: dict(states) for day, states in totals.items()}


def added_up(many: Iterator[Seconds] | list[Seconds]) -> Seconds:
    total: Seconds = {style.key: 0 for style in STATES}
    for seconds in many:
        for state, value in seconds.items():
            total[state] += value
    return total


def team_members(agents: QuerySet[Agent], team_ids: list[int]) -> dict[int, list[int]]:
    """Team id -> the ids of these agents in it (one query)."""
    members: dict[int, list[int]] = defaultdict(list)
    rows = Agent.teams.through.objects.filter(team_id__in=team_ids, agent__in=agents.values("pk"))
    for team_id, agent_id in rows.values_list("team_id", "agent_id"):
        members[team_id].append(agent_id)
    return members


def agent_intervals(report_range: ReportRange, agent: Agent) -> list[Interval]:
    """The agent's intervals in the range, oldest first, the one going on now last."""
    agents = Agent.objects.filter(pk=agent.pk)
    rows = _closed(report_range, agents).order_by("started_at")
    closed = [
        Interval(agent.pk, row.state, row.started_at, row.ended_at, row.day, row.seconds, row.changed_by)
        for row in rows
    ]
    return closed + list(open_intervals(report_range, agents))


def interval_rows(report_range: ReportRange, agents: QuerySet[Agent]) -> Iterator[Interval]:
    """Every interval of these agents in the range, by agent then time, streamed (for the CSV)."""
    rows = _closed(report_range, agents).order_by("agent_id", "started_at")
    for row in rows.values_list("agent_id", "state", "started_at", "ended_at", "day", "seconds", "changed_by").iterator(
        chunk_size=2000
    ):
        yield Interval(*row)
    yield from open_intervals(report_range, agents)


# -- who may see whose time --------------------------------------------------------------------


def report_agents(user, report_range: ReportRange, team: Team | None = None) -> QuerySet[Agent]:
    """The agents of the range's account this person may see (teams/scope.py), of one team if given."""
    agents = agents_for_user(user).filter(account=report_range.account)
    return agents.filter(teams=team) if team else agents


def timeline_agent(user, agent_id: int) -> Agent:
    """An agent whose timeline this person may open: an agent only their own; else 404."""
    agents = Agent.objects.filter(user=user) if role_of(user) == Role.AGENT else agents_for_user(user)
    pk = database_id(agent_id)
    agent = agents.select_related("account").filter(pk=pk).first() if pk is not None else None
    if agent is None:
        raise Http404("No such agent in your accounts.")
    return agent


def team_rows(
    user, report_range: ReportRange, agents: QuerySet[Agent], by_agent: dict[int, Seconds], team: Team | None
) -> list[tuple[Team, Seconds]]:
    """(team, seconds) for the chosen team, or for every team of the account this person may pick."""
    teams = [team] if team else list(teams_for_user(user).filter(account=report_range.account).order_by("name"))
    members = team_members(agents, [t.pk for t in teams])
    return [(t, added_up(by_agent.get(agent_id, {}) for agent_id in members.get(t.pk, []))) for t in teams]


def teams_by_agent(agents: QuerySet[Agent]) -> dict[int, str]:
    """Agent id -> the names of its teams, "; "-separated (for the CSV)."""
    names: dict[int, list[str]] = defaultdict(list)
    rows = Agent.teams.through.objects.filter(agent__in=agents.values("pk")).order_by("team__name")
    for agent_id, name in rows.values_list("agent_id", "team__name"):
        names[agent_id].append(name)
    return {agent_id: "; ".join(team_names) for agent_id, team_names in names.items()}
