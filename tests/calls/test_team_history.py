"""A team lead's call history: the calls of the teams they lead, newest first, a call in two teams
shown once; never the calls of a team they do not lead."""

from calls.selectors import HistoryFilters, history_page
from exoadmin.accounts.roles import Role
from exoadmin.accounts.services import user_create_or_update
from teams.models import Team
from tests.calls.conftest import make_call


def test_a_team_lead_reads_their_teams_calls_newest_first_and_no_others(exotel_account, asha, vikram):
    north, south = (Team.objects.create(account=exotel_account, name=name) for name in ("North", "South"))
    lead = user_create_or_update(username="tara", password="pw-tara-2026", role=Role.SUPERVISOR)
    exotel_account.members.add(lead)
    north.leads.add(lead)
    older = make_call(exotel_account, asha, minutes_ago=30)
    older.teams.set([north])
    both = make_call(exotel_account, asha, minutes_ago=10)
    both.teams.set([north, south])
    make_call(exotel_account, vikram, minutes_ago=5).teams.set([south])
    make_call(exotel_account, vikram, minutes_ago=1)  # no team

    page = history_page(lead, HistoryFilters())

    assert [call.pk for call in page.calls] == [both.pk, older.pk]
