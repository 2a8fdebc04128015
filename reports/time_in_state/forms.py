"""The time-in-state pages' filters: the report range, and a team on the team page."""

from __future__ import annotations

from typing import cast

from django import forms

from agents.models import Agent
from exoadmin.accounts.models import ExotelAccount
from reports.ranges import RangeForm
from teams.models import Team
from teams.visible import teams_for_user


class TimeInStateForm(RangeForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="Every team")

    def __init__(self, data=None, *, user):
        super().__init__(data, user=user)
        teams = teams_for_user(user).select_related("account").order_by("account__name", "name")
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = teams

    def clean(self):
        data = super().clean()
        team, report_range = data.get("team"), data.get("range")
        if team and report_range and team.account_id != report_range.account.pk:
            raise forms.ValidationError(
                f"The team {team.name} is in the account {team.account.name}: pick that account or another team."
            )
        return data


class TimelineForm(RangeForm):
    """The days of one agent's timeline: always the agent's own account."""

    def __init__(self, data=None, *, user, agent: Agent):
        if data is not None:
            data = data.copy()
            data["account"] = agent.account_id
        super().__init__(data, user=user)
        accounts = ExotelAccount.objects.filter(pk=agent.account_id)
        account_field = cast(forms.ModelChoiceField, self.fields["account"])
        account_field.queryset, account_field.widget = accounts, forms.HiddenInput()
        self.default_to(agent.account)
