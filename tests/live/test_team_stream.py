"""Live streams follow the teams rule: a team supervisor's stream never carries another team's agent
or call, and moving an agent into their team reaches their open stream at once."""

from agents.audit import agent_state_refresh
from calls.changes import call_changed
from teams.services import team_save
from tests.live.streams import StreamReader
from tests.teams.conftest import lead_a, lead_b, sides

__all__ = ["lead_a", "lead_b", "sides"]


def test_a_team_supervisors_stream_never_carries_another_teams_agent_or_call(
    asgi_server, streams, sides, lead_a, lead_b
):
    a, b = sides["A"], sides["B"]
    stream_a = streams(asgi_server.url, lead_a, page="board")
    stream_b = streams(asgi_server.url, lead_b, page="board")

    agent_state_refresh(agent=b.agent)
    call_changed(b.call)
    agent_state_refresh(agent=a.agent)

    heard_by_a = stream_a.names_until(f"agent-{a.agent.pk}")
    assert f"agent-{b.agent.pk}" not in heard_by_a and f"call-{b.call.pk}" not in heard_by_a
    counts = stream_a.until("agent-counts")
    assert "<strong>1</strong> agents" in counts.data  # A's one agent, not the account's two
    heard_by_b = stream_b.names_until(f"call-{b.call.pk}")
    assert f"agent-{b.agent.pk}" in heard_by_b
    assert f"agent-{a.agent.pk}" not in heard_by_b + [event.name for event in _drain(stream_b)]


def test_moving_an_agent_into_the_team_reaches_its_leads_open_stream(asgi_server, streams, sides, lead_a, admin_login):
    a, b = sides["A"], sides["B"]
    stream_a = streams(asgi_server.url, lead_a, page="board")
    agent_state_refresh(agent=b.agent)
    agent_state_refresh(agent=a.agent)
    assert f"agent-{b.agent.pk}" not in stream_a.names_until(f"agent-{a.agent.pk}")

    team_save(
        team=a.team,
        name="Sales",
        account=a.team.account,
        agents=[a.agent, b.agent],
        leads=[lead_a.user],
        by=admin_login.user,
    )

    stream_a.until("scope-changed")
    stream_a.session.get(f"{asgi_server.url}/agents/", timeout=10)  # as the page does: its board afresh
    agent_state_refresh(agent=b.agent)
    row = stream_a.until(f"agent-{b.agent.pk}")
    assert row.data.lstrip().startswith(f'<tr id="agent-{b.agent.pk}"')


def _drain(reader: StreamReader) -> list:
    events = []
    while not reader.quiet(0.5):
        events.append(reader.next(0.1))
    return [event for event in events if event is not None]


def test_a_team_viewer_hears_its_agents_and_its_accounts_news_and_nothing_else():
    from exoadmin.accounts.roles import Role
    from exoadmin.live.viewer import Viewer

    lead = Viewer(1, Role.SUPERVISOR, frozenset({10, 20}), None, frozenset({20}), frozenset({5}))

    def hears(topic, account, agent):
        return lead.may_see({"topic": topic, "id": 1, "account": account, "agent": agent})

    assert hears("agent", 10, 5) and hears("call", 10, 5)  # their team's agent
    assert not hears("agent", 10, 6) and not hears("call", 10, 6)  # another team's
    assert not hears("call", 10, None)  # a call of no agent: account-wide supervisors only
    assert hears("bulk_edit", 10, None) and hears("shift_job", None, None)  # account-level news, as before
    assert hears("agent", 20, 6) and hears("call", 20, None)  # where they are account-wide
    assert not hears("bulk_edit", 30, None) and not hears("agent", 30, 5)  # not their account
