"""Reads for calls: who may see which calls, the history page (keyset), CSV rows, live calls,
one call's timeline (KPIs: calls/kpis.py). Every page costs the same few queries whatever the table's size."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet, TextChoices
from django.utils.dateparse import parse_datetime

from agents.models import Agent
from calls.models import (
    Call,
    CallSettings,
    CallStatus,
    EventKind,
    HistoryStatus,
    LaunchOutcome,
    LegStatus,
    State,
    status_words,
)
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.roles import Role, role_of
from exoadmin.text import is_ascii_digits
from teams.scope import supervised_agents, supervised_calls, supervised_calls_of_account

PAGE_SIZE = 50
# History counts matching calls up to this many, then shows "10,000+": counting further costs
# time in proportion to the table (the KPIs page gives exact totals for a date range).
TOTAL_CAP = 10_000


def visible_calls(user) -> QuerySet[Call]:
    """Admins all calls; supervisors those of their accounts and teams (teams/scope.py); agents only their own."""
    role = role_of(user)
    calls = Call.objects.all()
    if role == Role.ADMIN:
        return calls
    if role == Role.SUPERVISOR:
        return calls.filter(supervised_calls(user))
    if role == Role.AGENT:
        return calls.filter(agent__user=user)
    return calls.none()


def visible_calls_of_account(user, account_id: int) -> QuerySet[Call]:
    """`visible_calls` within one account, for counts over a long range (reports): the same calls, in
    the form the database can count without asking each of the account's calls about its teams."""
    if role_of(user) == Role.SUPERVISOR:
        return Call.objects.filter(supervised_calls_of_account(user, account_id))
    return visible_calls(user).filter(account_id=account_id)


def launchable_agents(user) -> QuerySet[Agent]:
    """Agents this user may place calls for: a supervisor those they supervise; an agent only as themselves."""
    role = role_of(user)
    agents = Agent.objects.select_related("account")
    if role == Role.ADMIN:
        return agents
    if role == Role.SUPERVISOR:
        return agents.filter(supervised_agents(user))
    if role == Role.AGENT:
        return agents.filter(user=user)
    return agents.none()


def api_version_for(account: ExotelAccount) -> str:
    return call_settings_of([account.pk])[account.pk].api_version


def call_settings_of(account_ids: Collection[int]) -> dict[int, CallSettings]:
    """Each account's call settings in one query (an account without a row: the defaults, unsaved)."""
    stored = {settings.account_id: settings for settings in CallSettings.objects.filter(account_id__in=account_ids)}
    return {account_id: stored.get(account_id) or CallSettings(account_id=account_id) for account_id in account_ids}


# -- history -----------------------------------------------------------------------------

STATUS_FILTERS: dict[str, Q] = {
    HistoryStatus.COMPLETED: Q(status=CallStatus.COMPLETED),
    HistoryStatus.CUSTOMER_UNANSWERED: Q(status=CallStatus.TO_LEG_UNANSWERED),
    HistoryStatus.AGENT_UNANSWERED: Q(status=CallStatus.FROM_LEG_UNANSWERED),
    HistoryStatus.AGENT_CANCELLED: Q(status=CallStatus.FROM_LEG_CANCELLED),
    HistoryStatus.NOT_DIALLED: Q(status__in=[CallStatus.TO_LEG_NO_DIAL, CallStatus.FROM_LEG_NO_DIAL]),
    HistoryStatus.ACTIVE: Q(state=State.ACTIVE, launch_outcome__in=[LaunchOutcome.ACCEPTED, LaunchOutcome.EXTERNAL]),
    HistoryStatus.NOT_PLACED: Q(launch_outcome=LaunchOutcome.REFUSED),
    HistoryStatus.UNKNOWN: Q(launch_outcome=LaunchOutcome.UNKNOWN, state=State.ACTIVE),
}


NO_OUTCOME = "none"  # the history's outcome filter for calls nobody gave one yet


@dataclass
class HistoryFilters:
    date_from: datetime | None = None
    date_to: datetime | None = None
    agent_id: int | None = None
    status: str = ""
    direction: str = ""
    exophone: str = ""
    number: str = ""
    has_recording: bool | None = None
    outcome: str = ""  # an outcome's id, or NO_OUTCOME
    oldest_first: bool = False

    def apply(self, calls: QuerySet[Call]) -> QuerySet[Call]:
        if self.date_from:
            calls = calls.filter(created_at__gte=self.date_from)
        if self.date_to:
            calls = calls.filter(created_at__lt=self.date_to)
        if self.agent_id:
            calls = calls.filter(agent_id=self.agent_id)
        if self.status in STATUS_FILTERS:
            calls = calls.filter(STATUS_FILTERS[self.status])
        if self.direction:
            calls = calls.filter(direction=self.direction)
        if self.exophone:
            calls = calls.filter(exophone=self.exophone)
        if self.number:
            digits = "".join(ch for ch in self.number if ch.isdigit())
            # A whole E.164 number uses the index; a fragment ("last 4 digits") searches.
            calls = (
                calls.filter(customer_number=self.number)
                if self.number.startswith("+") and len(digits) >= 8
                else calls.filter(customer_number__contains=digits)
            )
        if self.has_recording is not None:
            calls = calls.filter(has_recording=self.has_recording)
        if self.outcome == NO_OUTCOME:
            calls = calls.filter(outcome__isnull=True)
        elif is_ascii_digits(self.outcome):
            calls = calls.filter(outcome_id=int(self.outcome))
        return calls


@dataclass
class HistoryPage:
    calls: list[Call]
    next_cursor: str


def history_page(user, filters: HistoryFilters, cursor: str = "", page_size: int = PAGE_SIZE) -> HistoryPage:
    """One page, newest first (or oldest first), after `cursor`: one query whatever the table's size."""
    calls = filters.apply(visible_calls(user))
    order = ("created_at", "id") if filters.oldest_first else ("-created_at", "-id")
    page = calls.select_related("agent", "outcome").order_by(*order)
    after = decode_cursor(cursor)
    if after:
        at, pk = after
        if filters.oldest_first:
            page = page.filter(created_at__gte=at).filter(Q(created_at__gt=at) | Q(id__gt=pk))
        else:
            page = page.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(id__lt=pk))
    rows = list(page.defer("options", "preflight", "recording_url", "recording_urls")[: page_size + 1])
    next_cursor = encode_cursor(rows[page_size - 1]) if len(rows) > page_size else ""
    return HistoryPage(calls=rows[:page_size], next_cursor=next_cursor)


def history_total(user, filters: HistoryFilters) -> tuple[int, bool]:
    """(matching calls up to TOTAL_CAP, whether there are more). Loaded after the page, by htmx."""
    total = filters.apply(visible_calls(user)).order_by()[: TOTAL_CAP + 1].count()
    return min(total, TOTAL_CAP), total > TOTAL_CAP


def encode_cursor(call: Call) -> str:
    return base64.urlsafe_b64encode(f"{call.created_at.isoformat()}|{call.pk}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        parsed = parse_datetime(at)
        return (parsed, int(pk)) if parsed else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


EXPORT_COLUMNS = [
    "created_at",
    "agent",
    "customer_number",
    "exophone",
    "direction",
    "status",
    "status_words",
    "state",
    "started_at",
    "answered_at",
    "ended_at",
    "total_duration",
    "talk_time",
    "has_recording",
    "custom_field",
    "api_version",
    "sid",
    "outcome",
    "outcome_note",
    "outcome_set_by",
    "outcome_set_at",
]
# Columns read under another name; status_words is worked out.
_EXPORT_READS = {"agent": "agent__name", "outcome": "outcome__name", "outcome_set_by": "outcome_set_by__username"}


def export_rows(user, filters: HistoryFilters):
    """Every matching call as a CSV row, read in chunks: memory stays flat at any size."""
    calls = filters.apply(visible_calls(user)).order_by("-created_at", "-id")
    reads = [_EXPORT_READS.get(column, column) for column in EXPORT_COLUMNS if column != "status_words"]
    for row in calls.values(*reads, "launch_outcome").iterator(chunk_size=2000):
        row["status_words"] = status_words(
            launch_outcome=row["launch_outcome"],
            state=row["state"],
            status=row["status"],
            answered_at=row["answered_at"],
        )
        yield [_cell(row[_EXPORT_READS.get(column, column)]) for column in EXPORT_COLUMNS]


def _cell(value):
    return "" if value is None else value.isoformat() if isinstance(value, datetime) else value


# -- live calls and one call -------------------------------------------------------------


def live_calls(user, limit: int = 50) -> list[Call]:
    return list(
        visible_calls(user)
        .filter(STATUS_FILTERS[HistoryStatus.ACTIVE])
        .select_related("agent")
        .order_by("-created_at")[:limit]
    )


def call_for_user(user, key) -> Call | None:
    return (
        visible_calls(user)
        .select_related("agent", "account", "launched_by", "outcome", "outcome_set_by")
        .filter(key=key)
        .first()
    )


class ItemKind(TextChoices):
    EVENT = "event", "Our own event"
    LEG = "leg", "A leg from Exotel"


@dataclass
class TimelineItem:
    at: datetime
    title: str
    detail: str = ""
    kind: str = ItemKind.EVENT
    request_id: str = ""
    raw: Any = None


@dataclass
class LegBar:
    label: str
    side: str
    status: str
    colour: str
    start: datetime | None
    end: datetime | None
    group: str = ""  # the group an app flow dialled this leg from
    left: float = 0.0  # percent of the call's span
    width: float = 0.0

    @property
    def seconds(self) -> int | None:
        return round((self.end - self.start).total_seconds()) if self.start and self.end else None


# A leg's colour: green it connected, red still on the line, amber not answered, grey failed.
LEG_COLOURS: dict[str, str] = {
    LegStatus.COMPLETED: "green",
    LegStatus.IN_PROGRESS: "red",
    LegStatus.NO_ANSWER: "amber",
    LegStatus.BUSY: "amber",
    LegStatus.FAILED: "grey",
}


def call_timeline(call: Call) -> tuple[list[LegBar], list[TimelineItem]]:
    """Legs as bars over the call's span, and one chronological list of legs and our own events."""
    legs = list(call.legs.all())
    events = list(call.events.select_related("actor"))
    items = [
        TimelineItem(
            at=e.at,
            title=e.get_kind_display(),
            detail=e.summary,
            request_id=e.request_id,
            raw=e.raw if e.kind == EventKind.CALLBACK else None,
        )
        for e in events
    ]
    for leg in legs:
        who = f"{leg.get_side_display()} leg {leg.name or ''} {leg.contact_uri}".replace("  ", " ")
        if leg.started_at:
            items.append(TimelineItem(at=leg.started_at, title=f"{who} started", kind=ItemKind.LEG))
        if leg.updated_at and leg.status != LegStatus.IN_PROGRESS:
            items.append(TimelineItem(at=leg.updated_at, title=f"{who}: {leg.get_status_display()}", kind=ItemKind.LEG))
    # Exotel's leg times have whole seconds: within one second our own events (precise) come first.
    items.sort(key=lambda item: (item.at.replace(microsecond=0), item.kind == ItemKind.LEG, item.at))
    bars = [
        LegBar(
            label=f"{leg.get_side_display()}: {leg.name or leg.contact_uri}",
            group=leg.group_name or leg.group_id,
            side=leg.side,
            status=leg.get_status_display(),
            colour=LEG_COLOURS.get(leg.status, "grey"),
            start=leg.started_at,
            end=leg.updated_at,
        )
        for leg in legs
    ]
    times = [t for bar in bars for t in (bar.start, bar.end) if t] + [t for t in (call.started_at, call.ended_at) if t]
    if times:
        begin, end = min(times), max(times)
        span = max((end - begin).total_seconds(), 1.0)
        for bar in bars:
            start = bar.start or begin
            stop = bar.end or end
            bar.left = round((start - begin).total_seconds() / span * 100, 2)
            bar.width = max(round((stop - start).total_seconds() / span * 100, 2), 2.0)
    return bars, items
