"""What the time-in-state pages draw, as numbers: rows of hours with a stacked bar, and one band per
day of an agent's timeline (geometry here, drawn by templates/reports/_state_bar.svg.html and
templates/reports/agent_timeline.html)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from reports.ranges import ReportRange
from reports.time_in_state.selectors import Interval, Seconds
from reports.time_in_state.states import BY_KEY, STATES, StateStyle

BAR_WIDTH = 100  # per cent: the bar stretches to its cell, its patterns do not
DAY_SECONDS = 24 * 3600
BAND_WIDTH, BAND_LABEL = 960, 96  # a timeline's width and the day labels' column, in SVG units
PLOT_WIDTH = BAND_WIDTH - BAND_LABEL - 12  # room for the last hour's label
TICK_HOURS = range(0, 25, 3)


@dataclass(frozen=True)
class Segment:
    style: StateStyle
    x: float
    width: float
    title: str


@dataclass(frozen=True)
class StateRow:
    """A team or an agent: hours in each state and the stacked bar of their shares."""

    label: str
    seconds: Seconds
    url: str = ""

    @property
    def total(self) -> int:
        return sum(self.seconds.values())

    @property
    def hours(self) -> list[tuple[StateStyle, str]]:
        return [(style, hours(self.seconds.get(style.key, 0))) for style in STATES]

    @property
    def total_hours(self) -> str:
        return hours(self.total)

    @property
    def available_share(self) -> str:
        available = sum(seconds for state, seconds in self.seconds.items() if BY_KEY[state].is_available)
        return f"{100 * available / self.total:.0f}%" if self.total else "—"

    @property
    def bar(self) -> list[Segment]:
        segments, x = [], 0.0
        for style in STATES:
            seconds = self.seconds.get(style.key, 0)
            if not seconds:
                continue
            width = BAR_WIDTH * seconds / self.total
            share = f"{100 * seconds / self.total:.0f}%"
            segments.append(Segment(style, round(x, 2), round(width, 2), f"{style.label}: {hours(seconds)} ({share})"))
            x += width
        return segments


def hours(seconds: int) -> str:
    return f"{seconds / 3600:.1f} h"


def duration(seconds: int) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


# -- an agent's timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class DayBand:
    day: date
    y: float
    label: str
    segments: list[Segment]


@dataclass(frozen=True)
class Timeline:
    bands: list[DayBand]
    band_height: int
    height: int
    ticks: list[tuple[float, str]]
    label_x: int = BAND_LABEL - 6
    plot_x: int = BAND_LABEL
    plot_width: int = PLOT_WIDTH
    width: int = BAND_WIDTH


def timeline(report_range: ReportRange, intervals: list[Interval]) -> Timeline:
    """One band per day (00:00 to 24:00 by the account's clock); a range longer than a month gets
    thin bands, labelled every Monday, so a year stays on a screen or two."""
    compact = report_range.length > 31
    band_height = 9 if compact else 22
    step = band_height + (2 if compact else 6)
    by_day: dict[date, list[Segment]] = {day: [] for day in report_range.days}
    for interval in intervals:
        by_day[interval.day].append(_segment(report_range, interval))
    bands = [
        DayBand(day, 20 + index * step, "" if compact and day.weekday() else f"{day:%a %d %b}", by_day[day])
        for index, day in enumerate(report_range.days)
    ]
    plot = PLOT_WIDTH
    ticks = [(round(BAND_LABEL + plot * hour / 24, 1), f"{hour:02d}") for hour in TICK_HOURS]
    return Timeline(bands, band_height, 24 + len(bands) * step, ticks)


def _clock_seconds(moment: datetime, report_range: ReportRange, day: date) -> int:
    """Seconds since the day's midnight by the account's wall clock (the next midnight is 24:00)."""
    local = timezone.localtime(moment, report_range.account.zone)
    if local.date() > day:
        return DAY_SECONDS
    return local.hour * 3600 + local.minute * 60 + local.second


def _segment(report_range: ReportRange, interval: Interval) -> Segment:
    style = BY_KEY[interval.state]
    end = interval.ended_at or timezone.now()
    start_s = _clock_seconds(interval.started_at, report_range, interval.day)
    end_s = max(_clock_seconds(end, report_range, interval.day), start_s)
    plot = PLOT_WIDTH
    until = "now" if interval.ended_at is None else _hhmm(end_s)
    by = f", changed by {interval.changed_by}" if interval.changed_by else ""
    return Segment(
        style,
        round(BAND_LABEL + plot * start_s / DAY_SECONDS, 2),
        round(plot * (end_s - start_s) / DAY_SECONDS, 2),
        f"{style.label} {_hhmm(start_s)}–{until} ({duration(interval.seconds)}){by}",
    )


def _hhmm(clock_seconds: int) -> str:
    return f"{clock_seconds // 3600:02d}:{clock_seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class Change:
    at: datetime
    style: StateStyle
    by: str


def changes(report_range: ReportRange, intervals: list[Interval]) -> list[Change]:
    """Each moment the agent's state changed in the range (a state carried over midnight is not one)."""
    found, previous = [], None
    for interval in intervals:
        carried = (
            previous is not None
            and previous.state == interval.state
            and previous.ended_at == interval.started_at
            and interval.started_at == report_range.day_start(interval.day)
        )
        if not carried:
            found.append(Change(interval.started_at, BY_KEY[interval.state], interval.changed_by))
        previous = interval
    return found
