"""What reports keep: each person's daily report email (opt-in, when, and the last day it went)."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models


class DailyEmail(models.Model):
    """A supervisor's daily report by email: yesterday's figures, sent once a day at a local time."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_email")
    enabled = models.BooleanField(default=False)
    send_at = models.TimeField(
        default=time(8, 0), help_text="Local time (the zone of the person's first account) after which it is sent."
    )
    # The day (local) it was last claimed for sending: the claim that makes it once a day.
    last_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "daily report email"

    def __str__(self) -> str:
        state = f"at {self.send_at:%H:%M}" if self.enabled else "off"
        return f"{self.user}: {state}"
