"""Every report's range: whole days in the account's time zone, refused in words when it cannot be."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from exoadmin.accounts.models import ExotelAccount
from reports.ranges import RangeForm, ReportRange

pytestmark = pytest.mark.django_db

# 20:00 UTC on 5 Dec is already 6 Dec in Mumbai and still 5 Dec in New York.
NOW = datetime(2026, 12, 5, 20, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


@pytest.fixture
def mumbai(supervisor_login):
    account = ExotelAccount.objects.create(name="Mumbai", account_sid="m", api_key="k", time_zone="Asia/Kolkata")
    account.members.add(supervisor_login.user)
    return account


def _form(user, account, **dates):
    return RangeForm({"account": account.pk, **dates}, user=user)


def test_the_default_is_the_last_seven_days_up_to_today_in_the_accounts_zone(supervisor_login, mumbai):
    form = RangeForm(user=supervisor_login.user)

    assert form.report_range() == ReportRange(mumbai, date(2026, 11, 30), date(2026, 12, 6))
    assert form.initial["date_to"] == date(2026, 12, 6)


def test_a_day_is_the_accounts_midnight_to_midnight(supervisor_login, mumbai):
    mumbai.time_zone = "America/New_York"
    mumbai.save()

    chosen = _form(supervisor_login.user, mumbai, date_from="2026-12-05").report_range()

    assert chosen is not None and chosen.days == [date(2026, 12, 5)]
    assert chosen.start == datetime(2026, 12, 5, 5, 0, tzinfo=ZoneInfo("UTC"))
    assert chosen.end - chosen.start == timedelta(hours=24)
    assert chosen.previous().days == [date(2026, 12, 4)]


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (
            {"date_from": "2026-12-05", "date_to": "2026-12-01"},
            "The range ends on 01 Dec 2026, before it starts on 05 Dec 2026",
        ),
        ({"date_to": "2026-12-07"}, "07 Dec 2026 is in the future: a report ends today (06 Dec 2026, Asia/Kolkata)"),
        (
            {"date_from": "2025-01-01", "date_to": "2026-12-01"},
            "That range is 700 days: a report covers a year (366 days) at most",
        ),
        ({"date_from": "not a date"}, "Enter a valid date."),
    ],
)
def test_a_range_that_cannot_be_is_refused_in_words(supervisor_login, mumbai, dates, message):
    form = _form(supervisor_login.user, mumbai, **dates)

    assert form.report_range() is None
    assert message in str(form.errors)


def test_an_account_the_person_is_not_in_is_refused(supervisor_login, mumbai):
    elsewhere = ExotelAccount.objects.create(name="Elsewhere", account_sid="e", api_key="k")

    assert _form(supervisor_login.user, elsewhere).report_range() is None
