"""Daily trends: calls placed, answered, answer rate and average talk time per day of a range, per team,
per agent and per outcome, each beside the previous period of the same length.

Both periods come from the same few grouped queries (a condition on the call's time says which period
a row counts in), so a year costs the same queries as a day. Days are the account's (TruncDate in its
zone, in SQL). Who sees which calls is calls.selectors.visible_calls; answered is what KPIs count."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncDate

from agents.models import Agent
from calls.kpis import ANSWERED
from calls.models import Call, LaunchOutcome
from calls.selectors import visible_calls_of_account
from reports.ranges import ReportRange
from teams.models import Team
from teams.visible import teams_for_user

NO_AGENT = "Placed outside exoadmin"
NO_TEAM = "No team"
NO_OUTCOME = "No outcome yet"


@dataclass(frozen=True)
class Change:
    """How a figure moved since the previous period, in words: "+12 %", "-5 %", "new" when there was
    nothing before, "—" when there is nothing to compare. Rates move in points, not in %."""

    now: float | None
    before: float | None
    in_points: bool = False

    @property
    def in_words(self) -> str:
        if self.now is None or self.before is None:
            return "—"
        if self.in_points:
            return f"{self.now - self.before:+.1f} pts"
        if not self.before:
            return "new" if self.now else "—"
        percent = round(100 * (self.now - self.before) / self.before)
        return f"{percent:+d} %" if percent else "0 %"

    @property
    def direction(self) -> str:
        if self.now is None or self.before is None or self.now == self.before:
            return "same"
        return "up" if self.now > self.before else "down"


@dataclass(frozen=True)
class Figures:
    calls: int = 0
    answered: int = 0
    average_talk: float | None = None  # seconds, over answered calls

    @property
    def answer_rate(self) -> float | None:
        return round(100 * self.answered / self.calls, 1) if self.calls else None


@dataclass(frozen=True)
class Compared:
    """One row of a trend: this period's figures beside the previous period's."""

    label: str
    now: Figures
    before: Figures

    @property
    def calls_change(self) -> Change:
        return Change(self.now.calls, self.before.calls)

    @property
    def answered_change(self) -> Change:
        return Change(self.now.answered, self.before.answered)

    @property
    def answer_rate_change(self) -> Change:
        return Change(self.now.answer_rate, self.before.answer_rate, in_points=True)

    @property
    def average_talk_change(self) -> Change:
        return Change(self.now.average_talk, self.before.average_talk)


@dataclass(frozen=True)
class OutcomeCount:
    outcome: str
    now: int
    before: int

    @property
    def change(self) -> Change:
        return Change(self.now, self.before)


@dataclass(frozen=True)
class Trends:
    report_range: ReportRange
    totals: Compared
    per_day: list[Compared]  # label: the day; before: the matching day of the previous period
    per_team: list[Compared]
    per_agent: list[Compared]
    per_outcome: list[OutcomeCount]  # the answered calls, by outcome


def calls_in_both_periods(
    user, report_range: ReportRange, *, team: Team | None = None, agent: Agent | None = None
) -> QuerySet[Call]:
    """The placed calls the user may see, of the range and of the period before it."""
    calls = (
        visible_calls_of_account(user, report_range.account.pk)
        .filter(created_at__gte=report_range.previous().start, created_at__lt=report_range.end)
        .exclude(launch_outcome=LaunchOutcome.REFUSED)
        .order_by()
    )
    if team is not None:
        calls = calls.filter(pk__in=Call.teams.through.objects.filter(team=team).values("call_id"))
    if agent is not None:
        calls = calls.filter(agent=agent)
    return calls


def trends_for(user, report_range: ReportRange, *, team: Team | None = None, agent: Agent | None = None) -> Trends:
    """Seven queries whatever the range's length."""
    calls = calls_in_both_periods(user, report_range, team=team, agent=agent)
    periods = _both_periods(report_range)
    return Trends(
        report_range=report_range,
        totals=_compared("Total", calls.aggregate(**periods)),
        per_day=_per_day(calls, report_range),
        per_team=_per_team(user, calls, report_range, periods),
        per_agent=sorted(
            (
                _compared(row["agent__name"] or NO_AGENT, row)
                for row in calls.values("agent_id", "agent__name").annotate(**periods)
            ),
            key=lambda row: (-row.now.calls, row.label),
        ),
        per_outcome=_per_outcome(calls, report_range),
    )


def _both_periods(report_range: ReportRange) -> dict:
    """Aggregates of this period and of the previous one, over calls of both."""
    now = Q(created_at__gte=report_range.start)
    before = ~now
    return {
        "calls": Count("id", filter=now),
        "answered": Count("id", filter=now & ANSWERED),
        "talk": Avg("talk_time", filter=now & ANSWERED),
        "calls_before": Count("id", filter=before),
        "answered_before": Count("id", filter=before & ANSWERED),
        "talk_before": Avg("talk_time", filter=before & ANSWERED),
    }


def _figures(calls: int, answered: int, talk: float | None) -> Figures:
    return Figures(calls, answered, round(talk, 1) if talk is not None else None)


def _compared(label: str, row: dict) -> Compared:
    return Compared(
        label,
        _figures(row["calls"], row["answered"], row["talk"]),
        _figures(row["calls_before"], row["answered_before"], row["talk_before"]),
    )


def _per_day(calls: QuerySet[Call], report_range: ReportRange) -> list[Compared]:
    by_day = {
        row["day"]: _figures(row["n"], row["ok"], row["talk"])
        for row in calls.annotate(day=TruncDate("created_at", tzinfo=report_range.account.zone))
        .values("day")
        .annotate(n=Count("id"), ok=Count("id", filter=ANSWERED), talk=Avg("talk_time", filter=ANSWERED))
    }
    return [
        Compared(f"{day:%a %d %b}", by_day.get(day, Figures()), by_day.get(before, Figures()))
        for day, before in zip(report_range.days, report_range.previous().days, strict=True)
    ]


def _per_team(user, calls: QuerySet[Call], report_range: ReportRange, periods: dict) -> list[Compared]:
    """Every team of the account the user may see (a team with no calls shows zeros), a call counted
    in each of its teams, then the calls of no team if there are any."""
    teams = teams_for_user(user).filter(account=report_range.account).order_by("name", "pk")
    by_team = {row["teams"]: row for row in calls.values("teams").annotate(**periods)}
    empty = dict.fromkeys(periods, 0) | {"talk": None, "talk_before": None}
    rows = [_compared(name, by_team.get(pk, empty)) for pk, name in teams.values_list("pk", "name")]
    no_team = by_team.get(None)
    return rows + ([_compared(NO_TEAM, no_team)] if no_team else [])


def _per_outcome(calls: QuerySet[Call], report_range: ReportRange) -> list[OutcomeCount]:
    now = Q(created_at__gte=report_range.start)
    rows = (
        calls.filter(ANSWERED)
        .values("outcome__name")
        .annotate(now=Count("id", filter=now), before=Count("id", filter=~now))
    )
    counts = [OutcomeCount(row["outcome__name"] or NO_OUTCOME, row["now"], row["before"]) for row in rows]
    return sorted(counts, key=lambda row: (row.outcome == NO_OUTCOME, -row.now, row.outcome))
