"""Teams: the people a supervisor leads inside one Exotel account.

A team belongs to one account; an agent is in zero or more teams; a supervisor leads teams (and then
sees and acts on only their agents, calls and jobs) or is marked account-wide on the account (and
sees all of it). Admins see everything. Who sees what is decided in teams/scope.py, once.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from exoadmin.accounts.models import ExotelAccount


class Team(models.Model):
    account = models.ForeignKey(ExotelAccount, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100, help_text="e.g. the client the team works for.")
    agents = models.ManyToManyField("agents.Agent", blank=True, related_name="teams")
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="led_teams",
        help_text="Supervisors who see and act on this team's agents, calls and jobs.",
    )

    class Meta:
        ordering = ["account", "name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="unique_team_name_per_account")]

    def __str__(self) -> str:
        return self.name


class PeopleImport(models.Model):
    """One uploaded people CSV: every row as read, its problems, what applying it would change, and
    (once applied) what it did. Rows live in one JSON list: files are small (a few thousand rows) and
    are only ever shown, applied or downloaded whole. teams/people/ reads and writes it."""

    class State(models.TextChoices):
        CHECKED = "checked", "checked, waiting for you"
        APPLIED = "applied", "applied"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.CHECKED)
    applied_at = models.DateTimeField(null=True, blank=True)
    rows = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename or f"people import {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("people:import_detail", args=[self.pk])
