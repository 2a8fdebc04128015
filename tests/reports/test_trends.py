"""Daily trends: per day of the account's days, beside the previous period, per team, agent and outcome;
scoped like KPIs; refused ranges in words; the same queries for a week or a year."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import Agent
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.roles import Role, role_of
from reports.ranges import ReportRange
from reports.trends import Change, trends_for
from tests.conftest import _login

RANGE = {"date_from": "2026-12-03", "date_to": "2026-12-04"}


def figures(row) -> tuple:
    return (row.now.calls, row.now.answered, row.now.answer_rate, row.now.average_talk), (
        row.before.calls,
        row.before.answered,
        row.before.answer_rate,
        row.before.average_talk,
    )


def by_label(rows) -> dict:
    return {row.label: figures(row) for row in rows}


@pytest.fixture
def page(client, floor, supervisor_login):
    client.force_login(supervisor_login.user)
    return client.get("/reports/trends/", {"account": floor.account.pk, **RANGE})


def test_each_day_of_the_accounts_zone_is_beside_the_same_day_of_the_period_before(page):
    trends = page.context["trends"]

    assert by_label(trends.per_day) == {
        "Thu 03 Dec": ((1, 0, 0.0, None), (1, 0, 0.0, None)),  # against Tue 1 Dec (its call at 00:30 local)
        "Fri 04 Dec": ((2, 2, 100.0, 40.0), (1, 1, 100.0, 30.0)),  # 23:30 local is still the 4th
    }


def test_totals_change_in_percent_and_the_answer_rate_in_points(page):
    totals = page.context["trends"].totals

    assert figures(totals) == ((3, 2, 66.7, 40.0), (2, 1, 50.0, 30.0))
    assert [c.in_words for c in (totals.calls_change, totals.answered_change)] == ["+50 %", "+100 %"]
    assert totals.answer_rate_change.in_words == "+16.7 pts"
    assert totals.average_talk_change.in_words == "+33 %"
    text = page.content.decode()
    assert "03 Dec – 04 Dec 2026 (2 days), against 01 Dec – 02 Dec 2026 (2 days)" in text
    assert "America/New_York" in text


def test_teams_agents_and_outcomes_with_their_previous_period(page):
    trends = page.context["trends"]

    assert by_label(trends.per_team) == {
        "North": ((1, 1, 100.0, 60.0), (1, 1, 100.0, 30.0)),
        "South": ((1, 0, 0.0, None), (1, 0, 0.0, None)),
        "No team": ((1, 1, 100.0, 20.0), (0, 0, None, None)),
    }
    assert by_label(trends.per_agent) == {
        "Asha Rao": ((2, 2, 100.0, 40.0), (1, 1, 100.0, 30.0)),
        "Vikram Shah": ((1, 0, 0.0, None), (1, 0, 0.0, None)),
    }
    assert [(row.outcome, row.now, row.before, row.change.in_words) for row in trends.per_outcome] == [
        ("Interested", 1, 0, "new"),
        ("No outcome yet", 1, 1, "0 %"),
    ]
    text = page.content.decode()
    assert text.count('data-testid="per-team-row"') == 3 and "No outcome yet" in text


@pytest.mark.parametrize(
    ("now", "before", "words"),
    [(5, 0, "new"), (0, 0, "—"), (0, 4, "-100 %"), (None, 3, "—"), (3, 4, "-25 %")],
)
def test_a_change_says_new_or_a_dash_when_there_is_nothing_to_compare(now, before, words):
    assert Change(now, before).in_words == words


def test_a_team_lead_sees_only_their_teams_numbers(client, floor):
    lead = _login("nora", Role.SUPERVISOR, "Nora")
    floor.account.members.add(lead.user)
    floor.north.leads.add(lead.user)
    client.force_login(lead.user)

    trends = client.get("/reports/trends/", {"account": floor.account.pk, **RANGE}).context["trends"]

    assert figures(trends.totals) == ((1, 1, 100.0, 60.0), (1, 1, 100.0, 30.0))
    assert list(by_label(trends.per_team)) == ["North"]  # no South, no calls of no team
    assert list(by_label(trends.per_agent)) == ["Asha Rao"]


def test_a_team_or_an_agent_narrows_every_number(client, floor, supervisor_login):
    client.force_login(supervisor_login.user)

    south = client.get("/reports/trends/", {"account": floor.account.pk, "team": floor.south.pk, **RANGE})
    asha = client.get("/reports/trends/", {"account": floor.account.pk, "agent": floor.asha.pk, **RANGE})

    assert figures(south.context["trends"].totals) == ((1, 0, 0.0, None), (1, 0, 0.0, None))
    assert figures(asha.context["trends"].totals) == ((2, 2, 100.0, 40.0), (1, 1, 100.0, 30.0))


def test_an_agent_of_another_account_is_refused_in_words(client, floor, supervisor_login):
    other = ExotelAccount.objects.create(name="Globex", account_sid="g", api_key="k")
    other.members.add(supervisor_login.user)
    other.account_wide.add(supervisor_login.user)
    stranger = Agent.objects.create(account=other, name="Gita Globex", exotel_user_id="u-g")
    client.force_login(supervisor_login.user)

    response = client.get("/reports/trends/", {"account": floor.account.pk, "agent": stranger.pk, **RANGE})

    assert response.context["trends"] is None
    assert "Gita Globex is not in Acme: pick one of its agents." in response.content.decode()


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"date_from": "2026-12-04", "date_to": "2026-12-01"}, "swap the two dates"),
        ({"date_to": "2026-12-09"}, "09 Dec 2026 is in the future"),
        ({"date_from": "2024-01-01", "date_to": "2026-12-01"}, "a report covers a year (366 days) at most"),
    ],
)
def test_a_refused_range_shows_the_reason_and_no_numbers(client, floor, supervisor_login, dates, message):
    client.force_login(supervisor_login.user)

    response = client.get("/reports/trends/", {"account": floor.account.pk, **dates})

    assert response.status_code == 200 and response.context["trends"] is None
    assert message in response.content.decode()


def test_a_year_costs_the_same_queries_as_two_days(floor, supervisor_login):
    user = supervisor_login.user
    role_of(user)  # read once per request, by the view's role check
    with CaptureQueriesContext(connection) as short:
        trends_for(user, ReportRange(floor.account, date(2026, 12, 3), date(2026, 12, 4)))
    with CaptureQueriesContext(connection) as year:
        long = trends_for(user, ReportRange(floor.account, date(2025, 12, 5), date(2026, 12, 4)))

    assert len(year) == len(short) == 7  # the six figures and whether the person is account-wide there
    assert len(long.per_day) == 365 and long.totals.now.calls == 6


def test_a_years_day_chart_keeps_every_column_and_a_few_labels(client, floor, supervisor_login):
    client.force_login(supervisor_login.user)

    response = client.get("/reports/trends/", {"account": floor.account.pk, "date_from": "2025-12-05"})

    calls_chart = response.context["charts"][0]
    assert len(calls_chart.bars) == 366 and all(bar.width > 0 for bar in calls_chart.bars)
    assert 5 <= sum(bar.tick for bar in calls_chart.bars) <= 12  # labels that never overlap
    assert [bar.value for bar in calls_chart.bars][-3:] == [1, 2, 0]  # Thu 3, Fri 4, today
