"""The agent's phone-sized page and the supervisor board, driven in chromium against the sandbox."""

import pytest
from playwright.sync_api import expect

from tests.agents.conftest import (
    PHONE,
    SIP,
    board_supervisor,
    change_in_exotel,
    exotel_devices,
    sandbox_user,
    synced_agent,
)
from tests.support.browser import log_in

__all__ = ["board_supervisor"]  # a fixture shared with tests/agents

pytestmark = pytest.mark.browser



@pytest.fixture
def asha(sandbox, exotel_account, agent_login):
    agent_login.user.email = "asha@example.com"
    agent_login.user.save()
    user = sandbox_user(sandbox)
    sandbox_user(sandbox, first_name="Meera", last_name="Iyer", email="meera@example.com",
                 devices=[{"contact_uri": "+919900000303", "type": "tel", "verified": False}])
    return synced_agent(exotel_account), user


def test_agent_flips_to_their_softphone_on_a_phone_sized_page(page, live_server, asha, agent_login, sandbox):
    agent, user = asha
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, agent_login)
    expect(page.get_by_test_id("my-state")).to_have_text(f"Calls ring on your phone {PHONE}.")
    page.screenshot(path="/tmp/agents-me.png", full_page=True)

    page.get_by_role("button", name="Ring here instead").click()

    expect(page.get_by_test_id("my-state")).to_have_text(f"Calls ring on your SIP softphone {SIP}.")
    assert exotel_devices(sandbox, user["id"])[SIP]["available"] is True
    page.get_by_role("button", name="Stop taking calls (all devices OFF)").click()
    expect(page.get_by_test_id("my-state")).to_have_text("You are not taking calls.")
    page.screenshot(path="/tmp/agents-me-off.png", full_page=True)


def test_agent_sees_exotels_refusal_when_another_device_was_turned_on_elsewhere(page, live_server, asha, agent_login,
                                                                                  sandbox):
    agent, user = asha
    log_in(page, live_server, agent_login)
    phone_card = page.get_by_test_id(f"device-{agent.devices.get(contact_uri=PHONE).pk}")
    phone_card.get_by_role("button", name="Turn OFF").click()
    expect(page.get_by_test_id("my-state")).to_have_text("You are not taking calls.")
    # Someone turns the phone back ON through Exotel's API, outside exoadmin.
    change_in_exotel(sandbox, user["id"], PHONE, available=True)

    page.get_by_test_id(f"device-{agent.devices.get(contact_uri=SIP).pk}").get_by_role("button", name="Turn ON").click()

    expect(page.get_by_role("alert")).to_contain_text("Another device is ON: turn it OFF first")
    expect(page.get_by_role("alert")).to_contain_text("Exotel request id")
    page.screenshot(path="/tmp/agents-me-refused.png", full_page=True)


def test_supervisor_switches_an_agent_from_phone_to_sip_in_one_click(page, live_server, asha, board_supervisor,
                                                                     sandbox):
    agent, user = asha
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, board_supervisor)
    page.goto(f"{live_server.url}/agents/")
    row = page.get_by_test_id(f"agent-row-{agent.pk}")
    expect(row.get_by_text("Available")).to_be_visible()

    row.get_by_role("button", name=f"Switch Asha Rao to SIP {SIP}").click()

    expect(row.get_by_text("Exotel confirmed.")).to_be_visible()
    expect(row.get_by_role("button", name=f"Switch Asha Rao to Phone {PHONE}")).to_be_visible()
    assert exotel_devices(sandbox, user["id"])[SIP]["available"] is True
    page.screenshot(path="/tmp/agents-board.png", full_page=True)


def test_board_search_filters_and_shows_a_removable_chip(page, live_server, asha, board_supervisor):
    log_in(page, live_server, board_supervisor)
    page.goto(f"{live_server.url}/agents/")

    page.get_by_placeholder("Search name or number").fill("Meera")

    expect(page.get_by_role("link", name="Remove filter q: Meera")).to_be_visible()
    expect(page.get_by_role("link", name="Asha Rao")).to_have_count(0)
    page.get_by_role("link", name="Remove filter q: Meera").click()
    expect(page.get_by_role("link", name="Asha Rao")).to_be_visible()
