"""The supervisor board: scoped to the supervisor's accounts, filters, keyset pages, constant queries,
inline one-click switch, CSV export."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.models import Agent, Device, DeviceModel
from exoadmin.accounts.services import account_create_or_update

from .conftest import PHONE, SIP, exotel_devices


def log_in(client, login):
    assert client.login(username=login.username, password=login.password)


def make_agents(account, count, *, prefix="Agent"):
    now = timezone.now()
    agents = Agent.objects.bulk_create(
        Agent(
            account=account,
            name=f"{prefix} {n:05d}",
            exotel_user_id=f"{prefix}-{n}",
            state_since=now,
            availability=("available", "busy", "off")[n % 3],
        )
        for n in range(count)
    )
    Device.objects.bulk_create(
        Device(
            agent=agent,
            exotel_id=str(agent.pk),
            contact_uri=f"+9198{agent.pk:08d}",
            type="tel",
            available=agent.availability != "off",
            verified=True,
            expected_available=agent.availability != "off",
        )
        for agent in agents
    )
    return agents


def board_queries(client, url="/agents/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_board_shows_agents_of_the_supervisors_accounts_only(client, board_supervisor, ccm_agent):
    other = account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    make_agents(other, 2, prefix="Stranger")
    log_in(client, board_supervisor)

    page = client.get("/agents/").content.decode()

    assert "Asha Rao" in page and "Stranger" not in page
    assert client.get(f"/agents/{Agent.objects.filter(account=other).first().pk}/").status_code == 404


def test_query_count_does_not_grow_with_the_agents_shown(client, board_supervisor, exotel_account):
    log_in(client, board_supervisor)
    make_agents(exotel_account, 5)
    few = board_queries(client)
    make_agents(exotel_account, 120, prefix="More")

    assert board_queries(client) == few
    assert board_queries(client, "/agents/?q=More&sort=time_in_state") == few


def on_calls(account, agents) -> None:
    """Each agent on a call placed through exoadmin (as the launch leaves it)."""
    from calls.models import Call

    for agent in agents:
        agent.live_call = Call.objects.create(
            account=account, agent=agent, customer_number="+919811112222", created_at=timezone.now()
        )
        agent.availability = "busy"
        agent.save(update_fields=["live_call", "availability"])


def test_live_calls_on_the_board_cost_no_query_per_row(client, board_supervisor, exotel_account):
    log_in(client, board_supervisor)
    on_calls(exotel_account, make_agents(exotel_account, 5))
    few = board_queries(client)
    on_calls(exotel_account, make_agents(exotel_account, 60, prefix="More"))

    page = client.get("/agents/").content.decode()

    assert page.count('data-testid="live-call"') == 50  # a full page, every row on a call
    assert board_queries(client) == few


def test_pages_follow_each_other_without_gaps_or_repeats(client, board_supervisor, exotel_account):
    from agents import selectors

    make_agents(exotel_account, 120)
    seen, cursor = [], ""
    while True:
        page = selectors.board_page(board_supervisor.user, selectors.BoardFilters(sort="availability", after=cursor))
        seen += [a.pk for a in page.agents]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(Agent.objects.values_list("pk", flat=True)) and len(seen) == len(set(seen))


def test_filters_show_as_removable_chips(client, board_supervisor, exotel_account):
    make_agents(exotel_account, 6)
    log_in(client, board_supervisor)

    page = client.get("/agents/?availability=busy&q=Agent").content.decode()

    assert page.count('class="chip removable"') == 2
    assert "Agent 00001" in page and "Agent 00000" not in page
    assert 'href="?q=Agent&amp;"' in page  # the availability chip's × keeps the search


def test_a_forged_cursor_or_bad_filter_is_ignored_not_a_500(client, board_supervisor, exotel_account):
    make_agents(exotel_account, 3)
    log_in(client, board_supervisor)

    response = client.get("/agents/?after=forged&availability=everything&sort=nonsense")

    assert response.status_code == 200 and "Agent 00002" in response.content.decode()


def test_one_click_switch_from_phone_to_sip_returns_the_confirmed_row(
    client, board_supervisor, ccm_agent, ccm_user, sandbox
):
    log_in(client, board_supervisor)
    sip = ccm_agent.devices.get(contact_uri=SIP)

    response = client.post(f"/agents/{ccm_agent.pk}/devices/{sip.pk}/", {"action": "switch"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="agent-{ccm_agent.pk}"')
    assert "Exotel confirmed." in html
    assert exotel_devices(sandbox, ccm_user["id"])[SIP]["available"] is True
    assert ccm_agent.events.filter(source="supervisor", actor=board_supervisor.user).count() == 2


def test_htmx_polling_gets_only_the_board_section(client, board_supervisor, ccm_agent):
    log_in(client, board_supervisor)

    html = client.get("/agents/", HTTP_HX_REQUEST="true").content.decode()

    assert html.lstrip().startswith('<section id="board"') and "<html" not in html
    assert "as of" in html


def test_csv_export_lists_every_matching_agent(client, board_supervisor, ccm_agent, exotel_account):
    make_agents(exotel_account, 3)
    log_in(client, board_supervisor)

    response = client.get("/agents/export.csv?q=Asha")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["name", "account"]
    assert rows[1][0] == "Asha Rao" and rows[1][5] == f"Phone {PHONE}" and len(rows) == 2


@pytest.mark.parametrize("login_fixture", ["agent_login"])
def test_agents_may_not_see_the_board(client, request, login_fixture):
    login = request.getfixturevalue(login_fixture)
    log_in(client, login)

    assert client.get("/agents/").status_code == 403
    assert client.get("/agents/export.csv").status_code == 403


def test_phone_sip_toggle_on_the_board(client, board_supervisor, phone_sip_agent):
    log_in(client, board_supervisor)

    response = client.post(f"/agents/{phone_sip_agent.pk}/phone-sip/", {"sip": "on"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()

    assert "Exotel confirmed." in html
    phone_sip_agent.phone_sip.refresh_from_db()
    assert phone_sip_agent.phone_sip.sip_enabled and phone_sip_agent.device_model == DeviceModel.INTEGRATIONS


def test_a_supervisor_cannot_switch_an_agent_of_another_account(client, supervisor_login, ccm_agent, ccm_user, sandbox):
    log_in(client, supervisor_login)  # not a member of Acme
    sip = ccm_agent.devices.get(contact_uri=SIP)

    response = client.post(f"/agents/{ccm_agent.pk}/devices/{sip.pk}/", {"action": "switch"})

    assert response.status_code == 404
    assert exotel_devices(sandbox, ccm_user["id"])[SIP]["available"] is False
    assert not ccm_agent.events.exists()


def test_csv_export_never_lets_a_name_run_as_a_formula(client, board_supervisor, exotel_account):
    Agent.objects.create(account=exotel_account, name='=HYPERLINK("http://evil")', exotel_user_id="x")
    log_in(client, board_supervisor)

    body = b"".join(client.get("/agents/export.csv").streaming_content).decode()

    assert "'=HYPERLINK" in body


def board_rings_on(html: str) -> dict[str, str]:
    """Each board row's agent name → its "Rings on …" words ("" when the row has none)."""
    import html as html_lib
    import re

    rows = re.findall(r'<tr id="agent-\d+".*?</tr>', html, re.S)
    found = {}
    for row in rows:
        name = re.search(r'<a href="/agents/\d+/">(.*?)</a>', row)
        assert name, f"a board row without the agent's link: {row}"
        rings = re.search(r'data-testid="rings-on">Rings on (.*?)</div>', row)
        found[html_lib.unescape(name.group(1))] = html_lib.unescape(rings.group(1)) if rings else ""
    return found


def test_csv_ringing_on_says_what_the_board_says(
    client, board_supervisor, ccm_agent, phone_sip_agent, exotel_account, supervisor_actor
):
    from agents.phone_sip import phone_sip_set

    phone_sip_set(agent=phone_sip_agent, actor=supervisor_actor, sip=True)  # rings on both
    Agent.objects.create(account=exotel_account, name="Nobody Rings", exotel_user_id="u-none")
    log_in(client, board_supervisor)

    board = board_rings_on(client.get("/agents/").content.decode())
    rows = csv.DictReader(io.StringIO(b"".join(client.get("/agents/export.csv").streaming_content).decode()))

    assert {row["name"]: row["ringing_on"] for row in rows} == board
    assert board == {
        "Asha Rao": f"Phone {PHONE}",
        "Nobody Rings": "",
        "Priya Nair": "Phone +919900000777 and SIP app agent_007@acme-app.exotel.com",
    }


def test_the_only_enabled_phone_or_sip_cannot_be_turned_off_on_the_board_or_agent_page(
    client, board_supervisor, phone_sip_agent
):
    import re

    log_in(client, board_supervisor)
    reason_id = f"keep-one-{phone_sip_agent.pk}-phone"

    for url in ("/agents/", f"/agents/{phone_sip_agent.pk}/"):
        html = client.get(url).content.decode()
        assert f'"Turn phone OFF for Priya Nair" disabled aria-describedby="{reason_id}"' in html, url
        assert f'id="{reason_id}">At least one of phone and SIP must stay on</span>' in html, url
        assert re.search(r'aria-label="Turn SIP ON for Priya Nair"\s*>', html), url

    # The server still refuses it, whatever a stale page sends.
    response = client.post(f"/agents/{phone_sip_agent.pk}/phone-sip/", {"phone": "off"}, HTTP_HX_REQUEST="true")
    assert "At least one of phone and SIP must stay enabled" in response.content.decode()
