"""The states' names and colours, one definition for every page, chart and email that shows them.

Colours follow the board (green available, red on a call, grey off) and differ in lightness too;
each state also has its own pattern, so no one needs to tell the colours apart to read a chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.models import AgentState


@dataclass(frozen=True)
class StateStyle:
    key: str
    label: str
    short: str  # a table heading
    colour: str
    pattern: str  # what the SVG pattern draws over the colour, in words (for the legend's title)

    @property
    def fill(self) -> str:
        """The SVG fill: the state's pattern (templates/reports/_state_patterns.svg.html)."""
        return f"url(#state-{self.key})"

    @property
    def is_available(self) -> bool:
        return self.key in AVAILABLE


AVAILABLE = (AgentState.PHONE, AgentState.SIP, AgentState.BOTH)
STATES = [
    StateStyle(AgentState.PHONE, AgentState.PHONE.label, "Phone", "#18743f", "plain"),
    StateStyle(AgentState.SIP, AgentState.SIP.label, "SIP", "#5cc487", "dots"),
    StateStyle(AgentState.BOTH, AgentState.BOTH.label, "Both", "#0b4d29", "stripes"),
    StateStyle(AgentState.ON_CALL, AgentState.ON_CALL.label, "On a call", "#b3322a", "cross-hatch"),
    StateStyle(AgentState.OFF, AgentState.OFF.label, "Off", "#c9ced6", "plain"),
    StateStyle(AgentState.NOT_FOUND, AgentState.NOT_FOUND.label, "Not found", "#4d5361", "back stripes"),
]
BY_KEY = {style.key: style for style in STATES}
