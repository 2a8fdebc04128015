"""What every report is for: one Exotel account and a range of whole days in that account's time zone.

A day is the account's midnight to midnight (23 or 25 hours on a daylight-saving change), so a call at
00:30 in Mumbai counts on the Mumbai day it happened whatever the server's zone. A range is checked
here once for every report: never reversed, never in the future, at most a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.selectors import accounts_for_user

MAX_DAYS = 366
DEFAULT_DAYS = 7


@dataclass(frozen=True)
class ReportRange:
    account: ExotelAccount
    first_day: date
    last_day: date  # included

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.length)]

    @property
    def length(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        return self.day_start(self.first_day)

    @property
    def end(self) -> datetime:
        """The first moment after the range (the next day's midnight)."""
        return self.day_start(self.last_day + timedelta(days=1))

    def day_start(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.account.zone)

    def previous(self) -> ReportRange:
        """The same number of days just before: what a trend compares with."""
        return ReportRange(
            self.account, self.first_day - timedelta(days=self.length), self.first_day - timedelta(days=1)
        )

    @property
    def in_words(self) -> str:
        if self.first_day == self.last_day:
            return f"{self.first_day:%a %d %b %Y}"
        return f"{self.first_day:%d %b} – {self.last_day:%d %b %Y} ({self.length} days)"


def today_in(account: ExotelAccount) -> date:
    return timezone.localtime(timezone.now(), account.zone).date()


def _day(value: date) -> str:
    return f"{value:%d %b %Y}"


class RangeForm(forms.Form):
    """The account (when the person sees more than one) and the days; every report page starts with it."""

    account = forms.ModelChoiceField(queryset=ExotelAccount.objects.none(), empty_label=None)
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, user, default_days: int = DEFAULT_DAYS):
        super().__init__(data)
        accounts: QuerySet[ExotelAccount] = accounts_for_user(user).order_by("name")
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = accounts
        self.default_days = default_days
        self.default_to(accounts.first())

    def default_to(self, account: ExotelAccount | None) -> None:
        """Shows (and, unbound, reports) the last `default_days` days of this account."""
        self.default = self._default_range(account)
        if self.default is not None:
            self.initial = {
                "account": self.default.account.pk,
                "date_from": self.default.first_day,
                "date_to": self.default.last_day,
            }

    def _default_range(self, account: ExotelAccount | None) -> ReportRange | None:
        """The last `default_days` days up to today, of the first account the person sees."""
        if account is None:
            return None
        today = today_in(account)
        return ReportRange(account, today - timedelta(days=self.default_days - 1), today)

    def clean(self):
        data = super().clean()
        account = data.get("account")
        if account is None:
            return data
        today = today_in(account)
        last = data.get("date_to") or today
        first = data.get("date_from") or last - timedelta(days=self.default_days - 1)
        if last < first:
            raise forms.ValidationError(
                f"The range ends on {_day(last)}, before it starts on {_day(first)}: swap the two dates."
            )
        if last > today:
            raise forms.ValidationError(
                f"{_day(last)} is in the future: a report ends today "
                f"({_day(today)}, {account.time_zone}) at the latest."
            )
        if (last - first).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                f"That range is {(last - first).days + 1} days: a report covers a year ({MAX_DAYS} days) at most."
            )
        data["range"] = ReportRange(account, first, last)
        return data

    def report_range(self) -> ReportRange | None:
        """The range asked for; with no account chosen yet, the default days of the first account; None
        when the person has no account or the range is refused (`errors` say why)."""
        if not self.is_bound:
            return self.default
        return self.cleaned_data["range"] if self.is_valid() else None
