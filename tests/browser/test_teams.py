"""Two supervisors of different teams in chromium: each sees only their own team on the board and in
the call history; an admin moving an agent into a team shows them on its lead's open board at once."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import log_in
from tests.teams.conftest import lead_a, lead_b, sides

__all__ = ["lead_a", "lead_b", "sides"]

pytestmark = pytest.mark.browser


def test_two_team_supervisors_see_different_boards_and_histories(
    page, browser, asgi_server, sides, lead_a, lead_b, admin_login
):
    a, b = sides["A"], sides["B"]
    other = browser.new_context()
    page_b = other.new_page()
    log_in(page, asgi_server, lead_a)
    log_in(page_b, asgi_server, lead_b)

    page.goto(f"{asgi_server.url}/agents/")
    page_b.goto(f"{asgi_server.url}/agents/")
    expect(page.get_by_test_id(f"agent-row-{a.agent.pk}")).to_contain_text("Asha Rao")
    expect(page.get_by_test_id(f"agent-row-{b.agent.pk}")).to_have_count(0)
    expect(page_b.get_by_test_id(f"agent-row-{b.agent.pk}")).to_contain_text("Vikram Shah")
    expect(page_b.get_by_test_id(f"agent-row-{a.agent.pk}")).to_have_count(0)
    expect(page.locator("#board-summary")).to_contain_text("1 agents")
    page.screenshot(path="/tmp/team-a-board.png", full_page=True)

    history_a, history_b = page.context.new_page(), other.new_page()
    history_a.goto(f"{asgi_server.url}/calls/")
    history_b.goto(f"{asgi_server.url}/calls/")
    expect(history_a.locator("main")).to_contain_text(a.number)
    expect(history_a.locator("main")).not_to_contain_text(b.number)
    expect(history_b.locator("main")).to_contain_text(b.number)
    expect(history_b.locator("main")).not_to_contain_text(a.number)

    # An admin moves Vikram into Sales: Sales's lead sees him on the board already open, no reload.
    expect(page.locator("body")).to_have_attribute("data-live", "on")
    admin = browser.new_context().new_page()
    log_in(admin, asgi_server, admin_login)
    admin.goto(f"{asgi_server.url}/teams/{a.team.pk}/")
    admin.get_by_label("Vikram Shah").check()
    admin.screenshot(path="/tmp/team-form.png", full_page=True)
    admin.get_by_role("button", name="Save the team").click()
    expect(admin.get_by_text("Team “Sales” saved: 2 agents")).to_be_visible()

    expect(page.get_by_test_id(f"agent-row-{b.agent.pk}")).to_contain_text("Vikram Shah")
    expect(page.locator("#board-summary")).to_contain_text("2 agents")
    page.screenshot(path="/tmp/team-a-board-after-move.png", full_page=True)
    other.close()
