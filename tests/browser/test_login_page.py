import pytest

from tests.support.browser import log_in

pytestmark = pytest.mark.browser


def test_logged_in_agent_sees_their_name_in_chromium(page, live_server, agent_login):
    log_in(page, live_server, agent_login)

    assert page.get_by_test_id("user-name").inner_text() == "Asha Rao"
    assert page.locator(".topbar .chip").inner_text() == "Agent"


def test_wrong_password_says_so_and_stays_on_login(page, live_server, agent_login):
    agent_login.password = "not-the-password"
    log_in(page, live_server, agent_login)

    assert "/login/" in page.url
    assert "enter a correct username and password" in page.get_by_role("alert").inner_text()
