"""What the daily report email says: yesterday in the person's first account, as far as they may see
(their teams, or the whole account), against the day before; the answered calls still missing an
outcome; the agents with the least time available; one CSV row per agent. Built as data here;
reports/daily_email_delivery.py sends it.

A section is a field of DailyReport filled by daily_report() and drawn by the two email templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agents.selectors import agents_for_user
from calls.kpis import ANSWERED
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.selectors import accounts_for_user
from exoadmin.spreadsheets import csv_lines
from reports.ranges import ReportRange, today_in
from reports.time_in_state.charts import duration
from reports.time_in_state.selectors import seconds_by_agent
from reports.time_in_state.states import AVAILABLE
from reports.trends import Compared, calls_in_both_periods, trends_for

MISSING_OUTCOMES_LISTED = 10
LEAST_AVAILABLE_LISTED = 5
CSV_COLUMNS = ["agent", "calls", "answered", "answer_rate_percent", "average_talk_seconds"]


@dataclass(frozen=True)
class MissingOutcome:
    placed_at: str  # "HH:MM" on the account's clock (a template would show the server's)
    agent: str
    customer: str
    link: str


@dataclass(frozen=True)
class LeastAvailable:
    agent: str
    available: str  # e.g. "1 h 05 min", in a day of the account
    link: str  # their day timeline


@dataclass(frozen=True)
class DailyReport:
    report_range: ReportRange  # one day: yesterday in the account's zone
    headline: Compared  # the day against the day before
    per_agent: list[Compared]
    missing_outcomes: int
    missing_outcomes_listed: list[MissingOutcome]
    least_available: list[LeastAvailable]  # the agents they look after, least available first

    @property
    def day(self) -> date:
        return self.report_range.first_day

    @property
    def subject(self) -> str:
        return f"Daily report for {self.report_range.account.name}: {self.report_range.in_words}"

    def csv(self) -> str:
        rows = [
            [row.label, row.now.calls, row.now.answered, _blank(row.now.answer_rate), _blank(row.now.average_talk)]
            for row in self.per_agent
        ]
        return "".join(csv_lines(CSV_COLUMNS, rows))


def _blank(value: float | None) -> float | str:
    return "" if value is None else value


def first_account(user) -> ExotelAccount | None:
    """The account a person's daily report is about (and whose zone says when their day starts)."""
    return accounts_for_user(user).order_by("name", "pk").first()


def yesterday_in(account: ExotelAccount) -> date:
    return today_in(account) - timedelta(days=1)


def daily_report(user, account: ExotelAccount, day: date) -> DailyReport:
    report_range = ReportRange(account, day, day)
    trends = trends_for(user, report_range)
    missing = (
        calls_in_both_periods(user, report_range)
        .filter(ANSWERED, created_at__gte=report_range.start, outcome__isnull=True)
        .select_related("agent")
        .order_by("created_at", "pk")
    )
    return DailyReport(
        report_range=report_range,
        headline=trends.totals,
        per_agent=trends.per_agent,
        missing_outcomes=missing.count(),
        missing_outcomes_listed=[
            MissingOutcome(
                placed_at=f"{timezone.localtime(call.created_at, account.zone):%H:%M}",
                agent=call.agent.name if call.agent else "",
                customer=call.customer_number,
                link=settings.EXOADMIN_PUBLIC_URL + reverse("calls:detail", args=[call.key]),
            )
            for call in missing[:MISSING_OUTCOMES_LISTED]
        ],
        least_available=_least_available(user, report_range),
    )


def _least_available(user, report_range: ReportRange) -> list[LeastAvailable]:
    """The agents (of this account, that the person looks after) with the least time available on any
    device that day: an agent who was never available counts, with none."""
    agents = agents_for_user(user).filter(account=report_range.account)
    seconds = seconds_by_agent(report_range, agents)
    available = {
        pk: (sum(seconds.get(pk, {}).get(state, 0) for state in AVAILABLE), name)
        for pk, name in agents.values_list("pk", "name")
    }
    least = sorted(available.items(), key=lambda item: (item[1][0], item[1][1]))[:LEAST_AVAILABLE_LISTED]
    day = f"date_from={report_range.first_day:%Y-%m-%d}&date_to={report_range.last_day:%Y-%m-%d}"
    return [
        LeastAvailable(
            agent=name,
            available=duration(total),
            link=f"{settings.EXOADMIN_PUBLIC_URL}{reverse('reports:agent_timeline', args=[pk])}?{day}",
        )
        for pk, (total, name) in least
    ]


def daily_email_message(user, report: DailyReport) -> EmailMultiAlternatives:
    """Plain text, an HTML alternative, and the agents' figures as a CSV attachment."""
    context = {"report": report, "user": user, "trends_url": settings.EXOADMIN_PUBLIC_URL + reverse("reports:trends")}
    message = EmailMultiAlternatives(
        subject=report.subject, body=render_to_string("reports/email/daily.txt", context), to=[user.email]
    )
    message.attach_alternative(render_to_string("reports/email/daily.html", context), "text/html")
    message.attach(f"calls-per-agent-{report.day:%Y-%m-%d}.csv", report.csv(), "text/csv")
    return message
