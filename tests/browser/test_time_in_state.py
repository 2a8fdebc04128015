"""Time in state in chromium: a supervisor's switch on the board shows on the agent's day timeline."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agents.models import Agent
from reports.time_in_state.charts import BAND_LABEL, DAY_SECONDS, PLOT_WIDTH
from tests.agents.conftest import PHONE, SIP, board_supervisor, sandbox_user, synced_agent
from tests.support.browser import log_in

__all__ = ["board_supervisor"]  # a fixture shared with tests/agents

pytestmark = pytest.mark.browser


@pytest.fixture
def asha(sandbox, exotel_account):
    sandbox_user(sandbox)
    return synced_agent(exotel_account)


def test_a_switch_from_the_board_starts_a_sip_stretch_in_the_supervisors_name(
    page, live_server, asha, board_supervisor
):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, board_supervisor)
    page.goto(f"{live_server.url}/agents/")
    row = page.get_by_test_id(f"agent-row-{asha.pk}")
    row.get_by_role("button", name=f"Switch Asha Rao to SIP {SIP}").click()
    expect(row.get_by_role("button", name=f"Switch Asha Rao to Phone {PHONE}")).to_be_visible()
    switched = timezone.localtime(Agent.objects.get(pk=asha.pk).state_since, asha.account.zone)

    page.goto(f"{live_server.url}/reports/agents/{asha.pk}/timeline/")

    today = page.locator(f'g[data-day="{switched:%Y-%m-%d}"]')
    sip = today.locator('rect[data-state="sip"]')
    expect(sip).to_have_attribute("fill", "url(#state-sip)")
    expect(sip.locator("title")).to_contain_text(f"Available on SIP {switched:%H:%M}–now")
    expect(sip.locator("title")).to_contain_text("changed by Sunil Menon")
    clock = switched.hour * 3600 + switched.minute * 60 + switched.second
    expected_x = BAND_LABEL + PLOT_WIDTH * clock / DAY_SECONDS
    assert abs(float(sip.get_attribute("x") or 0) - expected_x) < 0.5, "the stretch starts at the switch"
    expect(today.locator('rect[data-state="phone"]')).to_have_count(1)
    expect(page.get_by_test_id("changes").get_by_role("row").nth(1)).to_contain_text("Available on SIP")
    expect(page.get_by_test_id("changes").get_by_role("row").nth(1)).to_contain_text("Sunil Menon")
    page.screenshot(path="/tmp/time-in-state-timeline.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/time-in-state-timeline-phone.png", full_page=True)
    page.goto(f"{live_server.url}/reports/time-in-state/")
    expect(page.get_by_role("link", name="Asha Rao")).to_be_visible()
    page.screenshot(path="/tmp/time-in-state-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path="/tmp/time-in-state.png", full_page=True)
