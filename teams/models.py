"""Teams: the people a supervisor leads inside one Exotel account.

A team belongs to one account; an agent is in zero or more teams; a supervisor leads teams (and then
sees and acts on only their agents, calls and jobs) or is marked account-wide on the account (and
sees all of it). Admins see everything. Who sees what is decided in teams/scope.py, once.
"""

from django.conf import settings
from django.db import models

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
