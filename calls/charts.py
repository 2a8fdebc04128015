"""Server-rendered SVG charts: geometry computed here, drawn by templates/calls/_chart.svg.html."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    max_value: int
    horizontal: bool


def column_chart(title: str, points: list[tuple[str, int]], width: int = 720, height: int = 200) -> Chart:
    """Vertical bars, e.g. calls per hour of the day."""
    top = max([value for _, value in points] + [1])
    plot_height = height - 30
    step = width / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = plot_height * value / top
        x = round(index * step + 2, 1)
        bars.append(
            Bar(
                x=x,
                y=round(plot_height - bar_height + 4, 1),
                width=round(step - 4, 1),
                height=round(bar_height, 1),
                label=label,
                value=value,
                label_x=round(x + (step - 4) / 2, 1),
                label_y=height - 6,
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
