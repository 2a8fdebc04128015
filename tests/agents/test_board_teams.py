"""Teams on the board: a team filter among the viewer's teams (chips, CSV), and per-team counts
beside the summary, pushed live like the rest of it."""

import csv
import io

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from agents.selectors import board_counts
from agents.team_counts import team_counts
from exoadmin.accounts.roles import Role, role_of
from exoadmin.accounts.services import account_create_or_update, user_create_or_update
from teams.models import Team

from .test_board_view import board_queries, log_in, make_agents


def team(account, name, agents=(), leads=()):
    made = Team.objects.create(account=account, name=name)
    made.agents.set(agents)
    made.leads.set(leads)
    return made


def team_lead(account, username="tara"):
    """A supervisor of `account` who is not account-wide: sees only the teams they lead."""
    password = f"pw-{username}-2026"
    user = user_create_or_update(username=username, password=password, role=Role.SUPERVISOR)
    account.members.add(user)
    return user, password


def csv_names(client, query: str) -> list[str]:
    body = b"".join(client.get(f"/agents/export.csv?{query}").streaming_content).decode()
    return sorted(row["name"] for row in csv.DictReader(io.StringIO(body)))


def test_team_filter_shows_only_that_teams_agents_with_its_removable_chip(client, board_supervisor, exotel_account):
    agents = make_agents(exotel_account, 6)
    north = team(exotel_account, "North", agents[:2])
    team(exotel_account, "South", agents[2:4])
    log_in(client, board_supervisor)

    page = client.get(f"/agents/?team={north.pk}&availability=busy").content.decode()
    everyone = client.get(f"/agents/?team={north.pk}").content.decode()

    assert "Agent 00000" in everyone and "Agent 00001" in everyone
    assert not any(f"Agent 0000{n}" in everyone for n in range(2, 6))
    assert "team: North ×" in everyone and f'<option value="{north.pk}" selected>North</option>' in everyone
    # Removing the availability chip keeps the team; the team chip's × keeps the availability.
    assert f'href="?team={north.pk}&amp;"' in page and 'href="?availability=busy&amp;"' in page
    assert csv_names(client, f"team={north.pk}") == ["Agent 00000", "Agent 00001"]


def test_per_team_counts_are_right_in_one_query_and_in_the_pushed_summary(board_supervisor, exotel_account):
    agents = make_agents(exotel_account, 7)  # states cycle available, busy, off
    north = team(exotel_account, "North", agents[:4])  # available, busy, off, available
    south = team(exotel_account, "South", agents[3:6])  # available (also in North), busy, off
    empty = team(exotel_account, "Empty")
    role_of(board_supervisor.user)  # read once per request, by the view's role check

    with CaptureQueriesContext(connection) as queries:
        counts = team_counts(board_supervisor.user)

    assert len(queries) == 1
    by_name = {row["name"]: (row["available"], row["busy"], row["off"], row["total"]) for row in counts}
    assert by_name == {"Empty": (0, 0, 0, 0), "North": (2, 1, 1, 4), "South": (1, 1, 1, 3)}
    # What the live stream pushes (exoadmin/live/fragments.py renders this, outside any request).
    pushed = render_to_string("agents/board.html#summary", {"summary": board_counts(board_supervisor.user)})
    for made in (north, south, empty):
        assert f'data-testid="team-count-{made.pk}"' in pushed
    assert '2 available</span> <span class="pill red">1 on a call' in pushed


def test_a_team_leads_team_choices_and_counts_leave_out_teams_they_cannot_see(client, exotel_account):
    other = account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    agents = make_agents(exotel_account, 4)
    lead, password = team_lead(exotel_account)
    mine = team(exotel_account, "Mine", agents[:2], leads=[lead])
    theirs = team(exotel_account, "Theirs", agents[1:4])  # agents[1] is in both
    elsewhere = team(other, "Elsewhere", make_agents(other, 2, prefix="Stranger"), leads=[lead])  # not a member
    assert client.login(username=lead.username, password=password)

    page = client.get("/agents/").content.decode()
    theirs_page = client.get(f"/agents/?team={theirs.pk}").content.decode()

    assert [row["pk"] for row in team_counts(lead)] == [mine.pk]
    assert f'<option value="{mine.pk}"' in page
    assert f'<option value="{theirs.pk}"' not in page and f'<option value="{elsewhere.pk}"' not in page
    assert "Theirs" not in page and "Elsewhere" not in page
    assert "Agent 00001" not in theirs_page and "No agents match" in theirs_page  # membership not revealed
    assert csv_names(client, f"team={theirs.pk}") == []


def test_the_team_filter_and_team_counts_keep_the_board_query_count_flat(client, board_supervisor, exotel_account):
    agents = make_agents(exotel_account, 5)
    north = team(exotel_account, "North", agents[:3])
    log_in(client, board_supervisor)
    few = board_queries(client)
    more = make_agents(exotel_account, 80, prefix="More")
    north.agents.add(*more)
    for n in range(10):
        team(exotel_account, f"Team {n}", more[n::10])

    assert board_queries(client) == few
    assert board_queries(client, f"/agents/?team={north.pk}&sort=time_in_state") == few
