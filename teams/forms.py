"""Input parsing for the team pages: the choices offered; whether they fit the account is the service's rule."""

from typing import cast

from django import forms
from django.http import QueryDict

from agents.forms import AgentsField
from agents.models import Agent
from exoadmin.accounts.models import ExotelAccount
from exoadmin.text import database_id
from teams.models import Team
from teams.services import lead_candidates


class TeamForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        error_messages={
            "required": "Give the team a name, e.g. the client it works for.",
            "max_length": "Keep the name under %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    account = forms.ModelChoiceField(
        queryset=ExotelAccount.objects.order_by("name"),
        empty_label="Choose an account",
        error_messages={"required": "Choose the Exotel account the team works in."},
    )
    agents = AgentsField(
        queryset=Agent.objects.select_related("account").order_by("account__name", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Tick agents from the list.",
            "invalid_pk_value": "Tick agents from the list.",
        },
    )
    leads = AgentsField(
        queryset=lead_candidates(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Tick supervisors from the list.",
            "invalid_pk_value": "Tick supervisors from the list.",
        },
    )

    @classmethod
    def for_team(cls, team: Team, data=None) -> "TeamForm":
        initial = {
            "name": team.name,
            "account": team.account_id,
            "agents": list(team.agents.values_list("pk", flat=True)),
            "leads": list(team.leads.values_list("pk", flat=True)),
        }
        return cls(data, initial=initial)

    def chosen(self, name: str) -> set[int]:
        """The ticked agents or leads, to tick them again when the form comes back with errors."""
        values = cast(QueryDict, self.data).getlist(name) if self.is_bound else self.initial.get(name, [])
        return {pk for value in values if (pk := database_id(value)) is not None}
