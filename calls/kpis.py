"""Reads for the KPIs page and the home page's card: totals of placed calls over a date range, and
their breakdowns by hour, agent and ExoPhone, each in one query. Who sees which calls is
calls.selectors.visible_calls; what counts as answered is history's "Completed" filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, QuerySet
from django.db.models.functions import ExtractHour
from django.utils import timezone

from calls.models import Call, HistoryStatus, LaunchOutcome
from calls.selectors import STATUS_FILTERS, visible_calls


@dataclass
class KpiTotals:
    calls: int
    answered: int
    answer_rate: float | None
    average_talk: float | None


@dataclass
class Kpis(KpiTotals):
    per_hour: list[tuple[int, int]]
    per_agent: list[tuple[str, int, int]]
    per_exophone: list[tuple[str, int, int]]


ANSWERED = STATUS_FILTERS[HistoryStatus.COMPLETED]


def kpis_between(user, date_from: datetime, date_to: datetime) -> Kpis:
    """The totals and their breakdowns by hour, agent and ExoPhone."""
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
    )


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
    n = totals["calls"]
    return KpiTotals(
        calls=n,
        answered=totals["answered"],
        answer_rate=round(100 * totals["answered"] / n, 1) if n else None,
        average_talk=round(totals["talk"], 1) if totals["talk"] is not None else None,
    )


def default_range(days: int = 7) -> tuple[datetime, datetime]:
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today - timedelta(days=days - 1), datetime.min.time()))
    return start, start + timedelta(days=days)
