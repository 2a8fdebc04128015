"""Reads for the KPIs page and the home page's card: totals of placed calls over a date range, and
their breakdowns by hour, agent, ExoPhone, team and outcome, each in a query or two. Who sees which calls is
calls.selectors.visible_calls; what counts as answered is history's "Completed" filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.db.models import Avg, Count, Min, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils import timezone

from calls.models import Call, HistoryStatus, LaunchOutcome
from calls.selectors import STATUS_FILTERS, visible_calls
from teams.visible import teams_for_user


@dataclass
class KpiTotals:
    calls: int
    answered: int
    answer_rate: float | None
    average_talk: float | None


@dataclass
class TeamKpis(KpiTotals):
    team: str  # "" for the calls placed for no team


@dataclass
class OutcomeKpis:
    outcome: str  # "" for the calls with no outcome yet
    calls: int
    answered: int
    share: float | None  # % of all answered calls that are answered calls with this outcome


@dataclass
class Kpis(KpiTotals):
    per_hour: list[tuple[int, int]]
    per_agent: list[tuple[str, int, int]]
    per_exophone: list[tuple[str, int, int]]
    per_team: list[TeamKpis]
    per_outcome: list[OutcomeKpis]


ANSWERED = STATUS_FILTERS[HistoryStatus.COMPLETED]


def kpis_between(user, date_from: datetime, date_to: datetime) -> Kpis:
    """The totals and their breakdowns by hour, agent, ExoPhone and team."""
    calls = _placed_calls(user, date_from, date_to)
    tz = timezone.get_current_timezone()
    hours = dict(
        calls.annotate(hour=ExtractHour("created_at", tzinfo=tz))
        .values("hour")
        .annotate(n=Count("id"))
        .values_list("hour", "n")
    )
    per_agent = [
        (row["agent__name"] or "Placed outside exoadmin", row["n"], row["ok"])
        for row in calls.values("agent__name")
        .annotate(n=Count("id"), ok=Count("id", filter=ANSWERED))
        .order_by("-n")[:20]
    ]
    per_exophone = [
        (row["exophone"] or "unknown", row["n"], row["ok"])
        for row in calls.values("exophone").annotate(n=Count("id"), ok=Count("id", filter=ANSWERED)).order_by("-n")[:20]
    ]
    return Kpis(
        **vars(_totals(calls)),
        per_hour=[(hour, hours.get(hour, 0)) for hour in range(24)],
        per_agent=per_agent,
        per_exophone=per_exophone,
        per_team=per_team(user, calls),
        per_outcome=per_outcome(calls),
    )


def per_team(user, calls: QuerySet[Call]) -> list[TeamKpis]:
    """One row per team the user may see (a team with no calls shows zeros), from the call–team table
    grouped by team (a call in two teams counts in both), then the calls of no team if any: three
    queries however many teams and calls."""
    teams = list(teams_for_user(user).order_by("account__name", "name", "pk").values_list("pk", "name"))
    answered = _over_calls(ANSWERED)
    memberships = Call.teams.through.objects.filter(team__in=[pk for pk, _ in teams], call__in=calls.values("pk"))
    stats = {
        row["team_id"]: row
        for row in memberships.values("team_id")
        .annotate(n=Count("call_id"), ok=Count("call_id", filter=answered))
        .annotate(talk=Avg("call__talk_time", filter=answered))
        .order_by()
    }
    rows = []
    for pk, name in teams:
        row = stats.get(pk, {"n": 0, "ok": 0, "talk": None})
        rows.append(TeamKpis(**vars(_rates(row["n"], row["ok"], row["talk"])), team=name))
    no_team = _totals(calls.filter(teams__isnull=True))
    return rows + ([TeamKpis(**vars(no_team), team="")] if no_team.calls else [])


def per_outcome(calls: QuerySet[Call]) -> list[OutcomeKpis]:
    """`calls` split by outcome, in the outcomes' order, then "no outcome yet": calls, answered, and the
    share of answered calls, in one query. Outcomes are grouped by name, so the same outcome in two
    accounts is one row."""
    rows = list(
        calls.order_by()
        .values("outcome__name")
        .annotate(n=Count("id"), ok=Count("id", filter=ANSWERED), position=Min("outcome__position"))
    )
    answered = sum(row["ok"] for row in rows)
    rows.sort(key=lambda row: (row["outcome__name"] is None, row["position"] or 0, row["outcome__name"] or ""))
    return [
        OutcomeKpis(
            outcome=row["outcome__name"] or "",
            calls=row["n"],
            answered=row["ok"],
            share=round(100 * row["ok"] / answered, 1) if answered else None,
        )
        for row in rows
    ]


def _over_calls(condition: Q) -> Q:
    """A condition on Call's fields, read from the call–team table."""
    over = Q()
    over.connector, over.negated = condition.connector, condition.negated
    over.children = [
        (f"call__{child[0]}", child[1]) if isinstance(child, tuple) else _over_calls(cast(Q, child))
        for child in condition.children
    ]
    return over


def kpi_totals_today(user) -> KpiTotals:
    """Today's totals alone, in one query: what a home page shows."""
    return _totals(_placed_calls(user, *default_range(days=1)))


def _placed_calls(user, date_from: datetime, date_to: datetime) -> QuerySet[Call]:
    """Placed calls in the range (refused launches are not calls)."""
    return (
        visible_calls(user)
        .filter(created_at__gte=date_from, created_at__lt=date_to)
        .exclude(launch_outcome=LaunchOutcome.REFUSED)
        .order_by()
    )


def _totals(calls: QuerySet[Call]) -> KpiTotals:
    totals = calls.aggregate(
        calls=Count("id"), answered=Count("id", filter=ANSWERED), talk=Avg("talk_time", filter=ANSWERED)
    )
    return _rates(totals["calls"], totals["answered"], totals["talk"])


def _rates(calls: int, answered: int, talk: float | None) -> KpiTotals:
    return KpiTotals(
        calls=calls,
        answered=answered,
        answer_rate=round(100 * answered / calls, 1) if calls else None,
        average_talk=round(talk, 1) if talk is not None else None,
    )


def default_range(days: int = 7) -> tuple[datetime, datetime]:
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today - timedelta(days=days - 1), datetime.min.time()))
    return start, start + timedelta(days=days)
