"""The agents' words and device controls for templates, from the same functions the views and the
CSV export use (agents.selectors, agents.device_controls)."""

from django import template

from agents import selectors
from agents.device_controls import DeviceControls
from agents.device_controls import device_controls as controls_for

register = template.Library()


@register.filter
def rings_on(agent) -> str:
    return selectors.ringing_on_words(agent)


@register.filter
def not_in_exotel(agent) -> str:
    return selectors.missing_in_words(agent)


@register.filter
def device_controls(agent) -> DeviceControls:
    """What a supervisor may do with each of the agent's devices."""
    return controls_for(agent)


@register.filter
def my_device_controls(agent) -> DeviceControls:
    """The same for the agent's own page, in words to the agent."""
    return controls_for(agent, you=True)
