"""Which control each device offers is decided once (agents.device_controls) and shown alike on the
agent's page, the board and the agent page."""

import re

from agents.device_controls import NOT_VERIFIED, device_controls
from agents.models import Agent

from .conftest import PHONE, SIP, sandbox_user, synced_agent


def log_in(client, login):
    assert client.login(username=login.username, password=login.password)


def test_an_unverified_device_is_offered_disabled_with_the_reason_everywhere(
    client, sandbox, exotel_account, agent_login, board_supervisor
):
    sandbox_user(
        sandbox,
        devices=[
            {"contact_uri": PHONE, "type": "tel", "available": True},
            {"contact_uri": SIP, "type": "sip", "verified": False},
        ],
    )
    agent_login.user.email = "asha@example.com"
    agent_login.user.save()
    agent = synced_agent(exotel_account)
    sip = agent.devices.get(contact_uri=SIP)

    log_in(client, agent_login)
    mine = client.get("/agents/me/").content.decode()
    log_in(client, board_supervisor)
    board = client.get("/agents/").content.decode()

    assert f'value="switch" disabled aria-describedby="not-verified-{sip.pk}">Ring here instead' in mine
    assert f'id="not-verified-{sip.pk}">{NOT_VERIFIED}</p>' in mine
    assert "Turns +919900000101 OFF" not in mine, "no hint for a step that cannot be taken"
    reason_id = f"not-verified-{agent.pk}-{sip.pk}"
    assert f'aria-label="Switch Asha Rao to SIP {SIP}" disabled aria-describedby="{reason_id}"' in board
    assert f'id="{reason_id}">{NOT_VERIFIED}</span>' in board


def test_with_nothing_ringing_each_device_offers_turn_on_not_a_switch(ccm_agent, supervisor_actor):
    from agents.devices import device_set_available

    device_set_available(device=ccm_agent.devices.get(contact_uri=PHONE), available=False, actor=supervisor_actor)
    agent = Agent.objects.prefetch_related("devices").get(pk=ccm_agent.pk)

    for you in (True, False):
        controls = device_controls(agent, you=you)
        assert sorted((card.label, card.control.value, card.control.text) for card in controls.cards) == [
            (f"Phone {PHONE}", "on", "Turn ON"),
            (f"SIP {SIP}", "on", "Turn ON"),
        ]
    assert device_controls(agent, you=True).stop is None, "nothing to stop on the agent's page"
    assert device_controls(agent).stop.text == "Turn every device OFF", "a supervisor's reads Exotel first"


def test_the_board_and_the_agents_page_offer_the_same_steps(client, ccm_agent, agent_login, board_supervisor):
    """Phone ON: turn it OFF; SIP: switch to it (the agent's page words it "Ring here instead")."""
    log_in(client, agent_login)
    mine = client.get("/agents/me/").content.decode()
    log_in(client, board_supervisor)
    board = client.get("/agents/").content.decode()

    def steps(html):
        return re.findall(r'<button [^>]*name="action" value="(\w+)"', html)

    assert steps(mine) == steps(board) == ["off", "switch"]
