"""Time in state pages: totals per agent, team and day from a fixed day of changes (Mumbai time),
each agent's timeline with who changed what, the CSV of the intervals, and who may see which."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from agents.models import Agent, AgentState, StateInterval
from agents.state_intervals import closed_intervals
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.roles import Role
from exoadmin.accounts.services import user_create_or_update
from reports.ranges import ReportRange
from reports.time_in_state.selectors import seconds_by_agent, seconds_by_day
from teams.models import Team

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=IST)
RANGE = {"date_from": "2026-12-04", "date_to": "2026-12-05"}


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=IST)


def move(agent: Agent, state: str, moment: datetime, by: str) -> None:
    """What agents.audit does when an agent's state changes: the open interval closed, the next opened."""
    StateInterval.objects.bulk_create(closed_intervals(agent, moment))
    agent.state, agent.state_since, agent.state_by = state, moment, by
    agent.save()


@pytest.fixture
def mumbai(supervisor_login):
    account = ExotelAccount.objects.create(name="Mumbai", account_sid="m", api_key="k", time_zone="Asia/Kolkata")
    account.members.add(supervisor_login.user)
    account.account_wide.add(supervisor_login.user)
    return account


@pytest.fixture
def asha(mumbai, agent_login):
    """Asha's 4 Dec: phone until 02:00, off until 09:00, SIP, a call 10:00-10:30, SIP since."""
    agent = Agent.objects.create(account=mumbai, name="Asha Rao", user=agent_login.user)
    move(agent, AgentState.PHONE, at(3, 22), "Sunil Menon")
    move(agent, AgentState.OFF, at(4, 2), "Rule: Night shift ends")
    move(agent, AgentState.SIP, at(4, 9), "Asha Rao")
    move(agent, AgentState.ON_CALL, at(4, 10), "A call to +919876543210")
    move(agent, AgentState.SIP, at(4, 10, 30), "End of the call to +919876543210")
    Team.objects.create(account=mumbai, name="Sales").agents.add(agent)
    return agent


@pytest.fixture
def vikram(mumbai):
    agent = Agent.objects.create(account=mumbai, name="Vikram Shah")
    move(agent, AgentState.OFF, at(1, 9), "Outside exoadmin (found by sync)")
    Team.objects.create(account=mumbai, name="Support").agents.add(agent)
    return agent


@pytest.fixture
def sales_lead(mumbai, asha):
    user = user_create_or_update(username="lead", password="pw-lead-2026", role=Role.SUPERVISOR, first_name="Lea")
    mumbai.members.add(user)
    Team.objects.get(name="Sales").leads.add(user)
    return user


def test_seconds_per_state_by_agent_and_by_day_add_up_the_fixed_day(mumbai, asha):
    report_range = ReportRange(mumbai, date(2026, 12, 4), date(2026, 12, 5))
    agents = Agent.objects.filter(pk=asha.pk)

    assert seconds_by_agent(report_range, agents) == {
        asha.pk: {"phone": 7200, "off": 25200, "sip": 3600 + 48600 + 43200, "on_call": 1800}
    }
    assert seconds_by_day(report_range, agents) == {
        date(2026, 12, 4): {"phone": 7200, "off": 25200, "sip": 3600 + 48600, "on_call": 1800},
        date(2026, 12, 5): {"sip": 43200},  # now is noon: the open interval counts up to now
    }


def test_the_page_shows_each_team_and_agent_with_hours_and_share_available(client, supervisor_login, asha, vikram):
    client.force_login(supervisor_login.user)

    page = client.get(reverse("reports:time_in_state"), {"account": asha.account_id, **RANGE}).content.decode()

    assert "Sales" in page and "Support" in page
    assert "26.5 h" in page, "Asha's SIP hours: 1 + 13.5 on 4 Dec, 12 on 5 Dec"
    assert "79%" in page, "available 28.5 h of 36 h"
    assert reverse("reports:agent_timeline", args=[asha.pk]) in page
    assert "Available on SIP: 26.5 h (74%)" in page, "the stacked bar's hover"


def test_a_team_narrows_the_page_to_its_agents(client, supervisor_login, asha, vikram):
    client.force_login(supervisor_login.user)
    sales = Team.objects.get(name="Sales")

    page = client.get(
        reverse("reports:time_in_state"), {"account": asha.account_id, "team": sales.pk, **RANGE}
    ).content.decode()

    assert "Asha Rao" in page and "Vikram Shah" not in page


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"date_from": "2026-12-05", "date_to": "2026-12-04"}, "before it starts on 05 Dec 2026: swap the two dates"),
        ({"date_to": "2026-12-09"}, "09 Dec 2026 is in the future"),
        ({"date_from": "2025-01-01", "date_to": "2026-12-05"}, "a report covers a year (366 days) at most"),
    ],
)
def test_a_refused_range_says_why_on_the_page(client, supervisor_login, asha, dates, message):
    client.force_login(supervisor_login.user)

    for name in ("reports:time_in_state", "reports:time_in_state_csv"):
        response = client.get(reverse(name), {"account": asha.account_id, **dates})
        assert response.status_code in (200, 400) and message in response.content.decode(), name


def test_a_team_of_another_account_is_refused_in_words(client, supervisor_login, asha):
    client.force_login(supervisor_login.user)
    other = ExotelAccount.objects.create(name="Delhi", account_sid="d", api_key="k")
    other.members.add(supervisor_login.user)
    other.account_wide.add(supervisor_login.user)
    delhi_team = Team.objects.create(account=other, name="Delhi desk")

    page = client.get(
        reverse("reports:time_in_state"), {"account": asha.account_id, "team": delhi_team.pk, **RANGE}
    ).content.decode()

    assert "Delhi desk is not in " in page and ": pick one of its teams." in page


def test_the_timeline_draws_each_stretch_with_its_times_and_who_changed_it(client, supervisor_login, asha):
    client.force_login(supervisor_login.user)

    page = client.get(reverse("reports:agent_timeline", args=[asha.pk]), RANGE).content.decode()

    assert 'data-day="2026-12-04"' in page and 'data-day="2026-12-05"' in page
    assert "Off 02:00–09:00 (7 h 00 min), changed by Rule: Night shift ends" in page
    assert "Available on SIP 10:30–24:00 (13 h 30 min), changed by End of the call to +919876543210" in page
    assert "Available on SIP 00:00–now (12 h 00 min)" in page
    assert "Fri 04 Dec 10:00" in page, "the list of changes, in Mumbai time"


def test_team_leads_see_their_teams_agents_only(client, sales_lead, asha, vikram):
    client.force_login(sales_lead)

    assert client.get(reverse("reports:agent_timeline", args=[asha.pk])).status_code == 200
    assert client.get(reverse("reports:agent_timeline", args=[vikram.pk])).status_code == 404
    page = client.get(reverse("reports:time_in_state"), {"account": asha.account_id, **RANGE}).content.decode()
    assert "Asha Rao" in page and "Vikram Shah" not in page and "Support" not in page
    csv_text = b"".join(client.get(reverse("reports:time_in_state_csv"), {"account": asha.account_id, **RANGE}))
    assert b"Vikram" not in csv_text


def test_an_agent_opens_their_own_timeline_only(client, agent_login, mumbai, asha, vikram):
    mumbai.members.add(agent_login.user)
    client.force_login(agent_login.user)

    assert client.get(reverse("reports:agent_timeline", args=[asha.pk]), RANGE).status_code == 200
    assert client.get(reverse("reports:agent_timeline", args=[vikram.pk]), RANGE).status_code == 404


def test_the_csv_has_every_interval_cut_at_midnight(client, supervisor_login, asha, vikram):
    client.force_login(supervisor_login.user)

    response = client.get(reverse("reports:time_in_state_csv"), {"account": asha.account_id, **RANGE})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["agent", "teams", "state", "started", "ended", "seconds", "changed by"]
    ashas = [row for row in rows[1:] if row[0] == "Asha Rao"]
    assert ashas[0] == [
        "Asha Rao",
        "Sales",
        "Available on phone",
        "2026-12-04T00:00:00+05:30",
        "2026-12-04T02:00:00+05:30",
        "7200",
        "Sunil Menon",
    ]
    assert [row[2] for row in ashas] == [
        "Available on phone",
        "Off",
        "Available on SIP",
        "On a call",
        "Available on SIP",
        "Available on SIP",
    ]
    assert ashas[-1][3:6] == ["2026-12-05T00:00:00+05:30", "", "43200"], "the open interval, so far"
    vikrams = [row for row in rows[1:] if row[0] == "Vikram Shah"]
    assert [row[5] for row in vikrams] == ["86400", "43200"]


def test_a_whole_account_shows_a_page_of_agents_and_says_how_many_there_are(
    client, supervisor_login, asha, monkeypatch
):
    from reports.time_in_state import views

    monkeypatch.setattr(views, "AGENTS_SHOWN", 1)
    Agent.objects.create(account=asha.account, name="Zoya Khan", exotel_user_id="u-zoya")
    client.force_login(supervisor_login.user)

    page = client.get(reverse("reports:time_in_state"), {"account": asha.account_id, **RANGE}).content.decode()

    assert "The first 1 of 2 agents by name: pick a team above, or download the CSV for everyone." in page
    assert "Zoya Khan" not in page
