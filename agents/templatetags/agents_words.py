"""The agents' words for templates, from agents.selectors (the CSV export uses the same functions)."""

from django import template

from agents import selectors

register = template.Library()


@register.filter
def rings_on(agent) -> str:
    return selectors.ringing_on_words(agent)


@register.filter
def not_in_exotel(agent) -> str:
    return selectors.missing_in_words(agent)
