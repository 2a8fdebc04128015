"""Input parsing: anything odd in a query string or a POST becomes "no filter" or a 400, never a 500."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from agents.device_controls import OFF, ON
from agents.models import Agent, AutoOffRule, Availability, DeviceModel
from agents.selectors import SORTS, BoardFilters, agents_for_user, rule_teams
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.selectors import accounts_for_user
from exoadmin.text import database_id
from teams.models import Team


class BoardFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search name or number")
    availability = forms.ChoiceField(required=False, choices=[("", "Any availability"), *Availability.choices])
    model = forms.ChoiceField(
        required=False,
        label="Device model",
        choices=[("", "Any device model"), (DeviceModel.CCM, "CCM devices"), (DeviceModel.INTEGRATIONS, "Phone/SIP")],
    )
    busy = forms.ChoiceField(required=False, choices=[("", "Busy or free"), ("busy", "On a call"), ("free", "Free")])
    drift = forms.BooleanField(required=False, label="Drift only")
    missing = forms.BooleanField(required=False, label="Not found in Exotel only")
    # Any id parses; the board keeps only a team the viewer may see (the choices are those teams).
    team = forms.CharField(required=False, max_length=20, label="Team")
    sort = forms.ChoiceField(required=False, choices=[(key, label) for key, (label, _) in SORTS.items()])
    after = forms.CharField(required=False, max_length=500)

    def filters(self) -> BoardFilters:
        """The valid part of the input; invalid fields are dropped, not an error page."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return BoardFilters(
            availability=data.get("availability") or "",
            model=data.get("model") or "",
            busy=data.get("busy") or "",
            drift=bool(data.get("drift")),
            missing=bool(data.get("missing")),
            q=(data.get("q") or "").strip(),
            team=database_id(data["team"]) if data.get("team") else None,
            sort=data.get("sort") or "name",
            after=data.get("after") or "",
        )


class AgentIdsField(forms.TypedMultipleChoiceField):
    """Any ids are accepted here; the view keeps only those the user may see."""

    def valid_value(self, value: object) -> bool:
        return database_id(value) is not None


class AgentIdsForm(forms.Form):
    """The agents ticked on the board for end of shift."""

    agents = AgentIdsField(
        coerce=int,
        choices=[],
        error_messages={
            "required": "Tick at least one agent first.",
        },
    )


DEVICE_ACTIONS = {ON: True, OFF: False}  # a CCM device's `action`; SWITCH is the third


class PhoneSipForm(forms.Form):
    """`phone` and/or `sip`, each "on" or "off"."""

    phone = forms.ChoiceField(required=False, choices=[("", ""), ("on", "ON"), ("off", "OFF")])
    sip = forms.ChoiceField(required=False, choices=[("", ""), ("on", "ON"), ("off", "OFF")])

    def changes(self) -> dict[str, bool] | None:
        if not self.is_valid():
            return None
        changes = {name: value == "on" for name, value in self.cleaned_data.items() if value}
        return changes or None


class AgentsField(forms.ModelMultipleChoiceField):
    """Ids no table can hold are refused before the database sees them (SQLite would raise)."""

    def clean(self, value):
        if value and any(database_id(pk) is None for pk in value):
            raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super().clean(value)


class AutoOffRuleForm(forms.Form):
    """An automatic end-of-shift rule; the choices are only the user's accounts and their agents."""

    name = forms.CharField(
        max_length=100,
        error_messages={
            "required": "Give the rule a name, e.g. “Day shift ends”.",
            "max_length": "Keep the name under %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    account = forms.ModelChoiceField(
        queryset=ExotelAccount.objects.none(),
        empty_label="Choose an account",
        error_messages={
            "required": "Choose the account whose agents it turns OFF.",
            "invalid_choice": "That account is not one of yours: choose one from the list.",
        },
    )
    at_time = forms.TimeField(
        label="Time",
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        error_messages={
            "required": "Say when it runs, e.g. 19:00.",
            "invalid": "Give the time as hours and minutes, e.g. 19:00.",
        },
    )
    weekdays = forms.MultipleChoiceField(
        label="Days",
        widget=forms.CheckboxSelectMultiple,
        choices=[(str(day), name) for day, name in enumerate(AutoOffRule.DAY_NAMES)],
        error_messages={
            "required": "Tick at least one day it runs on.",
            "invalid_choice": "Tick days from the list (Monday to Sunday).",
        },
    )
    agents = AgentsField(
        queryset=Agent.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": "Some of the ticked agents are not in your accounts: tick agents from the list.",
            "invalid_pk_value": "Tick agents from the list.",
        },
    )
    teams = AgentsField(
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Teams whose agents go OFF",
        error_messages={
            "invalid_choice": "Some of the ticked teams are not yours: tick teams from the list.",
            "invalid_pk_value": "Tick teams from the list.",
        },
    )
    enabled = forms.BooleanField(required=False, initial=True, label="On: run it at its time")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = accounts_for_user(user)
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = accounts
        cast(AgentsField, self.fields["agents"]).queryset = agents_for_user(user)
        cast(AgentsField, self.fields["teams"]).queryset = rule_teams(user)
        only = list(accounts.values_list("pk", flat=True)[:2])
        if not self.is_bound and "account" not in self.initial and len(only) == 1:
            self.initial["account"] = only[0]  # nothing to choose

    @classmethod
    def for_rule(cls, rule: AutoOffRule, *args, user, **kwargs) -> "AutoOffRuleForm":
        initial = {
            "name": rule.name,
            "account": rule.account_id,
            "at_time": rule.at_time,
            "enabled": rule.enabled,
            "weekdays": [str(day) for day in sorted(rule.weekday_numbers)],
            "agents": list(rule.agents.values_list("pk", flat=True)),
            "teams": list(rule.teams.values_list("pk", flat=True)),
        }
        return cls(*args, user=user, initial=initial, **kwargs)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        account, agents, teams = data.get("account"), data.get("agents"), data.get("teams")
        if "agents" in data and "teams" in data and not agents and not teams:
            self.add_error("agents", "Tick at least one agent or team whose devices it turns OFF.")
        if account and teams:
            strangers = [team.name for team in teams if team.account_id != account.pk]
            if strangers:
                self.add_error("teams", f"{', '.join(strangers)}: not in {account.name}; tick teams of its account.")
        if account and agents:
            strangers = [agent.name for agent in agents if agent.account_id != account.pk]
            if strangers:
                names = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
                self.add_error(
                    "agents",
                    f"{names} {'is' if len(strangers) == 1 else 'are'} not in {account.name}: "
                    "a rule turns OFF agents of its own account only.",
                )
        return data

    def chosen_agent_ids(self, name: str = "agents") -> set[int]:
        """The ticked agents (or teams), to tick them again when the form comes back with errors."""
        values = cast(QueryDict, self.data).getlist(name) if self.is_bound else self.initial.get(name, [])
        return {pk for value in values if (pk := database_id(value)) is not None}
