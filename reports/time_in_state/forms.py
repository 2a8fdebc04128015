"""The agent timeline's days (the team page takes reports.forms.TeamRangeForm)."""

from __future__ import annotations

from typing import cast

from django import forms

from agents.models import Agent
from exoadmin.accounts.models import ExotelAccount
from reports.ranges import RangeForm


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
