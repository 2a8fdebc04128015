"""Report pages' inputs: the trends' range and filters, and a person's daily email settings."""

from __future__ import annotations

from typing import cast

from django import forms

from agents.models import Agent
from agents.selectors import agents_for_user
from reports.models import DailyEmail
from reports.ranges import RangeForm
from teams.models import Team
from teams.visible import teams_for_user


class TeamRangeForm(RangeForm):
    """The range, and optionally one team the person may see, of the chosen account."""

    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="Every team")

    def __init__(self, data=None, *, user):
        super().__init__(data, user=user)
        teams = teams_for_user(user).select_related("account").order_by("account__name", "name", "pk")
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = teams

    def clean(self):
        data = super().clean()
        self._in_account(data, "team")
        return data

    @staticmethod
    def _in_account(data: dict, name: str) -> None:
        chosen, account = data.get(name), data.get("account")
        if account is not None and chosen is not None and chosen.account_id != account.pk:
            raise forms.ValidationError(f"{chosen.name} is not in {account.name}: pick one of its {name}s.")


class TrendsForm(TeamRangeForm):
    """The range, and optionally one team or one agent the person may see, of the chosen account."""

    agent = forms.ModelChoiceField(queryset=Agent.objects.none(), required=False, empty_label="Every agent")

    def __init__(self, data=None, *, user):
        super().__init__(data, user=user)
        cast(forms.ModelChoiceField, self.fields["agent"]).queryset = agents_for_user(user).order_by("name", "pk")

    def clean(self):
        data = super().clean()
        self._in_account(data, "agent")
        return data

    def filters(self) -> dict:
        """The team and agent asked for (none when the form is unbound or refused)."""
        if not self.is_bound or not self.is_valid():
            return {"team": None, "agent": None}
        return {"team": self.cleaned_data.get("team"), "agent": self.cleaned_data.get("agent")}


class DailyEmailForm(forms.ModelForm):
    class Meta:
        model = DailyEmail
        fields = ["enabled", "send_at"]
        labels = {"enabled": "Send me the daily report", "send_at": "Send it after"}
        widgets = {"send_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_enabled(self):
        enabled = self.cleaned_data["enabled"]
        if enabled and not self.user.email:
            raise forms.ValidationError("Your login has no email address: ask an admin to add one first.")
        return enabled
