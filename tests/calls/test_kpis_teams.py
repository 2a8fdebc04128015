"""KPIs compared side by side per team: one row per team the viewer may see, a call counted in each
of its teams, the calls of no team on their own row, in a constant number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.kpis import _placed_calls, default_range, per_team
from calls.models import LaunchOutcome
from exoadmin.accounts.roles import Role, role_of
from exoadmin.accounts.services import user_create_or_update
from teams.models import Team
from tests.calls.conftest import make_call


def teams_with_calls(account, asha, vikram):
    """North: Asha; South: Asha and Vikram; Empty: nobody. One call of Asha's is in both teams."""
    north, south, empty = (Team.objects.create(account=account, name=name) for name in ("North", "South", "Empty"))
    make_call(account, asha, talk_time=40).teams.set([north])
    make_call(account, asha, talk_time=20).teams.set([north, south])
    make_call(account, vikram, status="to_leg_unanswered", talk_time=None).teams.set([south])
    make_call(account, vikram, launch_outcome=LaunchOutcome.REFUSED, status="").teams.set([north])  # never placed
    make_call(account, vikram, talk_time=30)  # no team
    make_call(account, asha, minutes_ago=60 * 24 * 30, talk_time=99).teams.set([north])  # out of range
    return north, south, empty


def rows(kpis) -> dict:
    return {row.team: (row.calls, row.answered, row.answer_rate, row.average_talk) for row in kpis}


def test_kpis_compare_teams_side_by_side_counting_a_call_in_each_of_its_teams(
    client, supervisor, exotel_account, asha, vikram
):
    teams_with_calls(exotel_account, asha, vikram)
    client.login(username=supervisor.username, password=supervisor.password)

    response = client.get("/calls/kpis/")

    assert rows(response.context["kpis"].per_team) == {
        "Empty": (0, 0, None, None),
        "North": (2, 2, 100.0, 30.0),
        "South": (2, 1, 50.0, 20.0),
        "": (1, 1, 100.0, 30.0),  # the calls of no team
    }
    page = response.content.decode()
    assert page.count('data-testid="team-kpi-row"') == 4 and "No team" in page
    assert "<td>2</td><td>1</td>\n        <td>50.0 %</td>" in page


def test_team_kpis_cost_the_same_queries_for_three_teams_or_thirty(supervisor, exotel_account, asha, vikram):
    north, *_ = teams_with_calls(exotel_account, asha, vikram)
    user = supervisor.user
    role_of(user)  # read once per request, by the view's role check
    with CaptureQueriesContext(connection) as few:
        per_team(user, _placed_calls(user, *default_range()))
    for n in range(27):
        make_call(exotel_account, asha).teams.set([north, Team.objects.create(account=exotel_account, name=f"T{n}")])

    with CaptureQueriesContext(connection) as many:
        thirty = per_team(user, _placed_calls(user, *default_range()))

    assert len(many) == len(few) == 3
    assert len(thirty) == 31 and rows(thirty)["North"][0] == 29


def test_a_team_lead_compares_only_their_own_teams(client, exotel_account, asha, vikram):
    north, _, _ = teams_with_calls(exotel_account, asha, vikram)
    lead = user_create_or_update(username="tara", password="pw-tara-2026", role=Role.SUPERVISOR)
    exotel_account.members.add(lead)
    north.leads.add(lead)
    client.login(username="tara", password="pw-tara-2026")

    kpis = client.get("/calls/kpis/").context["kpis"]

    assert rows(kpis.per_team) == {"North": (2, 2, 100.0, 30.0)}  # no South, no "no team" row
    assert kpis.calls == 2  # the headline numbers are theirs too
