"""The agent's phone-sized page and the supervisor board, driven in chromium against the sandbox."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from agents.sync import agents_sync
from tests.agents.conftest import (
    PHONE,
    SIP,
    board_supervisor,
    change_in_exotel,
    exotel_devices,
    phone_sip_agent,
    sandbox_user,
    synced_agent,
)
from tests.support.browser import log_in
from tests.support.live_calls import callbacks_withheld, place_call

__all__ = ["board_supervisor", "phone_sip_agent"]  # fixtures shared with tests/agents

pytestmark = pytest.mark.browser


@pytest.fixture
def asha(sandbox, exotel_account, agent_login):
    agent_login.user.email = "asha@example.com"
    agent_login.user.save()
    user = sandbox_user(sandbox)
    sandbox_user(
        sandbox,
        first_name="Meera",
        last_name="Iyer",
        email="meera@example.com",
        devices=[{"contact_uri": "+919900000303", "type": "tel", "verified": False}],
    )
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


def test_agent_sees_exotels_refusal_when_another_device_was_turned_on_elsewhere(
    page, live_server, asha, agent_login, sandbox
):
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


def test_supervisor_switches_an_agent_from_phone_to_sip_in_one_click(
    page, live_server, asha, board_supervisor, sandbox
):
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


def test_supervisor_sees_an_agent_deleted_in_exotel_and_cannot_switch_it(
    page, live_server, asha, board_supervisor, sandbox, exotel_account
):
    agent, user = asha
    sandbox.control("DELETE", f"/_sandbox/users/{user['id']}")
    agents_sync(account=exotel_account)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, board_supervisor)
    page.goto(f"{live_server.url}/agents/")

    row = page.get_by_test_id(f"agent-row-{agent.pk}")
    expect(row.get_by_test_id("not-in-exotel")).to_contain_text("removed there? An admin can remove it here")
    expect(row.get_by_test_id("not-in-exotel")).to_contain_text("Not found in Exotel since")
    expect(row.get_by_role("button", name=f"Switch Asha Rao to SIP {SIP}")).to_be_disabled()
    expect(page.get_by_role("link", name="1 not found in Exotel")).to_be_visible()
    page.screenshot(path="/tmp/agents-board-not-in-exotel.png", full_page=True)

    page.get_by_role("link", name="Asha Rao").click()
    expect(page.get_by_test_id("why")).to_contain_text("Exotel's list of users no longer has this one")
    expect(page.get_by_role("button", name="Turn every device OFF")).to_be_disabled()
    page.screenshot(path="/tmp/agents-detail-not-in-exotel.png", full_page=True)


def test_the_only_enabled_phone_or_sip_cannot_be_turned_off_and_says_why(
    page, live_server, phone_sip_agent, agent_login, board_supervisor
):
    phone_sip_agent.user = agent_login.user
    phone_sip_agent.save()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, agent_login)

    phone = page.get_by_test_id("device-phone")
    expect(phone.get_by_role("button", name="Turn OFF")).to_be_disabled()
    expect(phone).to_contain_text("At least one of phone and SIP must stay on")
    page.screenshot(path="/tmp/agents-me-keep-one.png", full_page=True)
    page.get_by_test_id("device-sip").get_by_role("button", name="Turn ON").click()
    expect(phone.get_by_role("button", name="Turn OFF")).to_be_enabled()

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, board_supervisor)
    page.goto(f"{live_server.url}/agents/")
    row = page.get_by_test_id(f"agent-row-{phone_sip_agent.pk}")
    expect(row.get_by_test_id("rings-on")).to_have_text(
        "Rings on Phone +919900000777 and SIP app agent_007@acme-app.exotel.com"
    )
    row.get_by_role("button", name="Turn phone OFF for Priya Nair").click()
    expect(row.get_by_role("button", name="Turn SIP OFF for Priya Nair")).to_be_disabled()
    expect(row).to_contain_text("At least one of phone and SIP must stay on")
    page.screenshot(path="/tmp/agents-board-keep-one.png", full_page=True)


def test_supervisor_adds_an_end_of_shift_rule_from_the_navigation(page, live_server, asha, board_supervisor):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, board_supervisor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Auto-OFF rules").click()
    page.get_by_role("link", name="New rule").click()

    page.get_by_role("button", name="Add the rule").click()  # nothing filled in
    expect(page.get_by_role("alert").first).to_contain_text("The rule was not saved")
    expect(page.get_by_text("Give the rule a name")).to_be_visible()
    page.screenshot(path="/tmp/agents-rule-errors.png", full_page=True)

    page.get_by_label("Name", exact=True).fill("Day shift ends")
    page.get_by_label("Time (local").fill("19:00")
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri"):
        page.get_by_label(day).check()
    page.get_by_placeholder("Filter agents by name").fill("asha")
    expect(page.get_by_label("Meera Iyer")).to_be_hidden()
    page.get_by_label("Asha Rao").check()
    page.get_by_role("button", name="Add the rule").click()

    expect(page.get_by_role("status")).to_contain_text("Rule “Day shift ends” saved: Mon–Fri at 19:00, 1 agent, on.")
    expect(page.get_by_role("link", name="Day shift ends", exact=True)).to_be_visible()
    page.screenshot(path="/tmp/agents-rules.png", full_page=True)

    page.get_by_role("link", name="Delete Day shift ends").click()
    expect(page.get_by_role("heading", name="Delete the rule “Day shift ends”?")).to_be_visible()
    page.screenshot(path="/tmp/agents-rule-delete.png", full_page=True)
    page.get_by_role("button", name="Delete the rule").click()
    expect(page.get_by_role("status")).to_contain_text("Rule “Day shift ends” deleted")
    expect(page.get_by_text("No rules yet.")).to_be_visible()


def test_the_call_an_agent_is_on_shows_with_a_running_clock_on_their_page_and_the_board(
    page, live_server, asha, agent_login, board_supervisor, sandbox
):
    agent, _ = asha
    callbacks_withheld(sandbox)  # the call stays live here: Exotel's end is never delivered
    supervisor = Client()
    supervisor.login(username=board_supervisor.username, password=board_supervisor.password)
    call = place_call(supervisor, agent, "+919876543210")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, agent_login)

    live = page.get_by_test_id("live-call")
    expect(live.get_by_role("link", name="Outbound call with +919876543210")).to_have_attribute(
        "href", f"/calls/{call.key}/"
    )
    expect(live.locator(".clock")).to_have_text(re.compile(r"^(\d+m )?\d+s$"))  # the clock runs
    page.screenshot(path="/tmp/agents-me-on-call.png", full_page=True)

    page.context.clear_cookies()
    log_in(page, live_server, board_supervisor)
    page.goto(f"{live_server.url}/agents/")
    row = page.get_by_test_id(f"agent-row-{agent.pk}")
    expect(row.get_by_test_id("live-call")).to_contain_text(f"Outbound call with +919876543210 on their phone {PHONE}")
    expect(row.get_by_test_id("live-call").locator(".clock")).to_have_text(re.compile(r"^(\d+m )?\d+s$"))
