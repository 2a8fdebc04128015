"""The live floor in chromium under uvicorn: a change made in one browser reaches another's board
through the stream (no reload, no poll), and a page whose stream is cut says so and polls."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.agents.conftest import board_supervisor, ccm_agent, ccm_user, phone_sip_agent, supervisor_actor
from tests.support.browser import log_in
from tests.support.live_calls import callbacks_withheld, deliver, exotel_callback, place_call, tasks_inline
from tests.support.processes import RedisServer

__all__ = ["board_supervisor", "ccm_agent", "ccm_user", "phone_sip_agent", "supervisor_actor", "tasks_inline"]

pytestmark = pytest.mark.browser


def board_requests(page) -> list[str]:
    """Every later request this page makes for the board's table (a reload or a poll would)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if "/agents/?" in request.url + "?" else None)
    return seen


def test_an_agent_going_off_shows_on_an_open_board_without_a_reload(
    page, browser, asgi_server, board_supervisor, ccm_agent, agent_login
):
    log_in(page, asgi_server, board_supervisor)
    page.goto(f"{asgi_server.url}/agents/")
    row = page.get_by_test_id(f"agent-row-{ccm_agent.pk}")
    expect(row).to_have_class(re.compile("state-available"))
    expect(page.locator("body")).to_have_attribute("data-live", "on")
    polled = board_requests(page)

    agent_browser = browser.new_context(viewport={"width": 390, "height": 844})
    agent_page = agent_browser.new_page()
    log_in(agent_page, asgi_server, agent_login)
    agent_page.get_by_role("button", name="Stop taking calls (all devices OFF)").click()
    # Each device OFF in Exotel, then read back: a few round trips that a loaded machine makes slow.
    expect(agent_page.get_by_test_id("my-state")).to_have_text("You are not taking calls.", timeout=15_000)

    expect(row).to_have_class(re.compile("state-off"))
    expect(page.locator("#board-summary")).to_contain_text("1 off")
    assert polled == []  # it came through the stream
    page.screenshot(path="/tmp/live-board.png", full_page=True)
    agent_browser.close()


def test_a_cut_stream_says_so_polls_and_catches_up_when_it_is_back(
    page, asgi_server, board_supervisor, ccm_agent, settings, service_logs, supervisor_actor
):
    from agents.devices import agent_go_unavailable

    redis = RedisServer(service_logs)
    redis.start()
    settings.REDIS_URL = redis.url
    try:
        log_in(page, asgi_server, board_supervisor)
        page.goto(f"{asgi_server.url}/agents/")
        expect(page.locator("body")).to_have_attribute("data-live", "on")

        redis.stop()
        status = page.get_by_test_id("live-status")
        expect(status).to_contain_text("Live updates are interrupted")
        page.screenshot(path="/tmp/live-board-cut.png", full_page=True)
        agent_go_unavailable(agent=ccm_agent, actor=supervisor_actor)  # nobody hears of it: Redis is down
        row = page.get_by_test_id(f"agent-row-{ccm_agent.pk}")
        expect(row).to_have_class(re.compile("state-off"), timeout=15_000)  # the board polls meanwhile

        redis.start()
        expect(status).to_have_text("Live updates are back.", timeout=20_000)
        expect(page.locator("body")).to_have_attribute("data-live", "on")
    finally:
        redis.stop()


def test_an_agents_page_changes_with_their_own_devices_and_never_with_anothers(
    page, asgi_server, ccm_agent, agent_login, phone_sip_agent, supervisor_actor
):
    from agents.audit import agent_state_refresh
    from agents.devices import agent_go_unavailable

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, asgi_server, agent_login)
    expect(page.locator("body")).to_have_attribute("data-live", "on")
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if "/agents/me/" in request.url else None)

    agent_state_refresh(agent=phone_sip_agent)  # another agent's news: never reaches this page
    page.wait_for_timeout(1500)
    assert fetched == []
    agent_go_unavailable(agent=ccm_agent, actor=supervisor_actor)  # a supervisor turns this agent OFF

    expect(page.get_by_test_id("my-state")).to_have_text("You are not taking calls.")
    assert fetched  # the page fetched its own devices once told they changed
    page.screenshot(path="/tmp/live-agent.png", full_page=True)


def test_a_launched_call_shows_the_agent_on_it_everywhere_and_free_after_its_end(
    page, browser, asgi_server, board_supervisor, ccm_agent, agent_login, sandbox, tasks_inline
):
    callbacks_withheld(sandbox)  # Exotel's callbacks are delivered below, when the test says
    log_in(page, asgi_server, board_supervisor)
    page.goto(f"{asgi_server.url}/agents/")
    expect(page.locator("body")).to_have_attribute("data-live", "on")
    polled = board_requests(page)
    agent_page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(agent_page, asgi_server, agent_login)
    expect(agent_page.locator("body")).to_have_attribute("data-live", "on")

    supervisor = Client()
    supervisor.force_login(board_supervisor.user)
    call = place_call(supervisor, ccm_agent, "+919876543210")

    row = page.get_by_test_id(f"agent-row-{ccm_agent.pk}")
    expect(row).to_have_class(re.compile("state-busy"))
    expect(row.get_by_test_id("live-call")).to_contain_text("Outbound call with +919876543210")
    expect(page.locator("#live-calls-list")).to_contain_text("+919876543210")
    expect(agent_page.get_by_test_id("my-state")).to_have_text("You are on a call.")
    page.screenshot(path="/tmp/live-board-on-call.png", full_page=True)

    deliver(supervisor, exotel_callback(sandbox, call, "terminal"))

    expect(row).to_have_class(re.compile("state-available"))
    expect(row.get_by_test_id("live-call")).to_have_count(0)
    expect(page.locator("#live-calls-list")).to_contain_text("No calls in progress.")
    expect(agent_page.get_by_test_id("my-state")).not_to_have_text("You are on a call.")
    assert polled == []
    agent_page.context.close()
