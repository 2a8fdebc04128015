"""A supervisor in chromium searches the board for a number no agent has, asks Exotel who has it, and
adds that user: they land on the new agent's page with the device Exotel has."""

import pytest
from playwright.sync_api import expect

from tests.agents.conftest import board_supervisor, ccm_agent, ccm_user, sandbox_user
from tests.support.browser import log_in

__all__ = ["board_supervisor", "ccm_agent", "ccm_user"]

pytestmark = pytest.mark.browser


def test_a_device_nobody_here_has_is_found_in_exotel_and_added(page, live_server, sandbox, board_supervisor, ccm_agent):
    sandbox_user(
        sandbox,
        first_name="Vikram",
        last_name="Shah",
        email="vikram@example.com",
        devices=[{"name": "Mobile", "contact_uri": "+919900000202", "type": "tel", "available": True}],
    )
    log_in(page, live_server, board_supervisor)
    page.goto(f"{live_server.url}/agents/")

    page.get_by_label("Search name or number").fill("099000 00202")
    expect(page.locator("#board")).to_contain_text("No agent here has the device +919900000202")
    page.get_by_role("link", name="Ask Exotel who has it").click()
    found = page.get_by_test_id("found-in-exotel")
    expect(found).to_contain_text("Vikram Shah")
    page.screenshot(path="/tmp/find-by-device.png", full_page=True)
    found.get_by_role("button", name="Add Vikram Shah to exoadmin").click()

    expect(page.locator("h1")).to_contain_text("Vikram Shah")
    expect(page.locator("main")).to_contain_text("Vikram Shah is added from Exotel")
    expect(page.locator("main")).to_contain_text("+919900000202")
