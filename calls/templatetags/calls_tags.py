from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def running_for(since) -> str:
    """ "42 s", "3 min 05 s", "1 h 02 min": a live call's time in its state, to the second."""
    if not since:
        return "—"
    seconds = max(0, int((timezone.now() - since).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
