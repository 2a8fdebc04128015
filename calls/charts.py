"""Server-rendered SVG charts: geometry computed here, drawn by templates/calls/_chart.svg.html."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    inner_width: float = 0.0  # horizontal bars: the answered part, drawn over the bar
    label_x: float = 0.0
    label_y: float = 0.0
    value_x: float = 0.0
    tick: bool = True  # whether its label is drawn (crowded axes label every few columns)
    previous: int | None = None  # a column against the previous period: its value, drawn fainter beside
    previous_x: float = 0.0
    previous_y: float = 0.0
    previous_height: float = 0.0


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    max_value: int
    horizontal: bool
    label_heading: str = "Hour"  # what a column's label is, in the table beside the drawing
    label_suffix: str = ":00"
    label_class: str = "small"
    unit: str = "calls"


def column_chart(title: str, points: list[tuple[str, int]], width: int = 720, height: int = 200) -> Chart:
    """Vertical bars, e.g. calls per hour of the day."""
    return _columns(title, [(label, value, None) for label, value in points], width, height, label_width=28)


def column_chart_against(
    title: str, points: list[tuple[str, int, int]], *, unit: str, width: int = 480, height: int = 200
) -> Chart:
    """Vertical bars of (label, value, previous value), e.g. calls per day: each slot holds the
    previous period's column, fainter, on the left of this period's. Narrow, with larger labels, so
    they stay readable when a phone shrinks the drawing."""
    chart = _columns(title, list(points), width, height, label_width=56)
    return replace(chart, label_heading="Day", label_suffix="", label_class="day", unit=unit)


def _columns(title: str, points: list[tuple[str, int, int | None]], width: int, height: int, label_width: int) -> Chart:
    top = max([max(value, previous or 0) for _, value, previous in points] + [1])
    plot_height = height - 30
    step = width / max(len(points), 1)
    every = math.ceil(label_width / step)  # so labels never overlap, however many columns
    gap = min(4, step / 5)  # a year of days still leaves each column a width

    def top_of(value: int) -> tuple[float, float]:
        column_height = plot_height * value / top
        return round(plot_height - column_height + 4, 1), round(column_height, 1)

    bars = []
    for index, (label, value, previous) in enumerate(points):
        x, slot = index * step + gap / 2, step - gap
        y, column_height = top_of(value)
        previous_y, previous_height = top_of(previous or 0)
        paired = previous is not None
        bars.append(
            Bar(
                x=round(x + slot / 2 if paired else x, 1),
                y=y,
                width=round(slot / 2 if paired else slot, 1),
                height=column_height,
                label=label,
                value=value,
                label_x=round(x + slot / 2, 1),
                label_y=height - 6,
                tick=index % every == 0,
                previous=previous,
                previous_x=round(x, 1),
                previous_y=previous_y,
                previous_height=previous_height,
            )
        )
    return Chart(title=title, width=width, height=height, bars=bars, max_value=top, horizontal=False)


def bar_chart(title: str, rows: list[tuple[str, int, int]], width: int = 720, row_height: int = 26) -> Chart:
    """Horizontal bars of (label, calls, answered): the answered share drawn darker."""
    top = max([calls for _, calls, _ in rows] + [1])
    label_width, plot_width = 220, width - 280
    bars = []
    for index, (label, calls, answered) in enumerate(rows):
        y = index * row_height + 4
        bar_width = round(plot_width * calls / top, 1)
        bars.append(
            Bar(
                x=label_width,
                y=y,
                width=bar_width,
                height=row_height - 8,
                label=label,
                value=calls,
                inner_width=round(plot_width * answered / top, 1),
                label_x=label_width - 8,
                label_y=y + 13,
                value_x=label_width + bar_width + 6,
            )
        )
    return Chart(
        title=title, width=width, height=max(len(rows), 1) * row_height + 8, bars=bars, max_value=top, horizontal=True
    )
