"""A click whose request fails on our side says why on the page (static/js/errors.js) instead of
seeming to do nothing, and the message goes once a request succeeds again."""

import pytest
from playwright.sync_api import expect

from exoadmin.unavailable import DATABASE_DOWN
from tests.browser.test_agents_pages import asha
from tests.support.browser import log_in

__all__ = ["asha"]

pytestmark = pytest.mark.browser


def test_a_503_while_the_database_restarts_is_explained_and_cleared(page, live_server, asha, agent_login):
    log_in(page, live_server, agent_login)
    # The database cannot be restarted under the test's own server; the answer is exoadmin/unavailable.py's.
    page.route(
        "**/agents/me/devices/**",
        lambda route: route.fulfill(status=503, content_type="text/plain; charset=utf-8", body=DATABASE_DOWN),
    )
    page.get_by_role("button", name="Ring here instead").click()
    expect(page.get_by_test_id("request-error")).to_have_text(DATABASE_DOWN)
    expect(page.get_by_test_id("request-error")).to_have_attribute("role", "alert")
    page.screenshot(path="/tmp/request-error.png", full_page=True)

    page.unroute("**/agents/me/devices/**")
    page.get_by_role("button", name="Ring here instead").click()
    expect(page.get_by_test_id("my-state")).to_contain_text("SIP softphone")
    expect(page.get_by_test_id("request-error")).to_be_hidden()
