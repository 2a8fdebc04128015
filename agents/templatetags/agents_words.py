"""The agents' words, device controls and live calls for templates, from the same functions the views
and the CSV export use (agents.selectors, agents.device_controls, agents.on_call)."""

from django import template

from agents import words
from agents.device_controls import DeviceControls
from agents.device_controls import device_controls as controls_for
from agents.on_call import LiveCall, live_call_of

register = template.Library()


@register.filter
def rings_on(agent) -> str:
    return words.ringing_on_words(agent)


@register.filter
def not_in_exotel(agent) -> str:
    return words.missing_in_words(agent)


@register.filter
def device_controls(agent) -> DeviceControls:
    """What a supervisor may do with each of the agent's devices."""
    return controls_for(agent)


@register.filter
def my_device_controls(agent) -> DeviceControls:
    """The same for the agent's own page, in words to the agent."""
    return controls_for(agent, you=True)


@register.filter
def on_call(agent) -> LiveCall | None:
    """The call placed through exoadmin the agent is on now (selected with the agent: no query)."""
    return live_call_of(agent)
