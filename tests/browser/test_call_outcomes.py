"""Outcomes end to end in chromium: with outcomes required, an agent sets "Call back" with a note on
the answered call waiting on their page; a supervisor then finds the call in history filtered by that
outcome, in the KPIs' outcome split and in the CSV export. Screenshots go to /tmp/outcomes-*.png."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from calls.models import CallOutcome, CallSettings
from tests.calls.conftest import asha, make_call, supervisor  # noqa: F401
from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_sets_a_required_outcome_and_the_supervisor_finds_it_everywhere(
    page, browser, live_server, exotel_account, asha, agent_login, supervisor
):
    CallSettings.objects.create(account=exotel_account, outcome_required=True)
    for position, name in enumerate(["Interested", "Call back", "Wrong number"]):
        CallOutcome.objects.create(account=exotel_account, name=name, position=position)
    make_call(exotel_account, asha, customer_number="+919811100001", minutes_ago=3)
    make_call(exotel_account, asha, customer_number="+919811100002", minutes_ago=9)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, agent_login)

    waiting = page.get_by_test_id("waiting-outcomes")
    expect(waiting.get_by_test_id("waiting-count")).to_have_text("2")
    page.screenshot(path="/tmp/outcomes-agent-waiting.png", full_page=True)
    call = waiting.get_by_test_id("waiting-call").filter(has_text="+919811100001")
    call.get_by_label("Outcome").select_option(label="Call back")
    call.get_by_label("Note").fill("Asked for a call after 6 pm")
    call.get_by_role("button", name="Save").click()

    expect(waiting.get_by_test_id("outcome-notice")).to_have_text("Outcome saved: Call back for +919811100001.")
    expect(waiting.get_by_test_id("waiting-call")).to_have_count(1)
    expect(waiting.get_by_test_id("waiting-call")).not_to_contain_text("+919811100001")
    expect(waiting.get_by_test_id("waiting-count")).to_have_text("1")
    page.screenshot(path="/tmp/outcomes-agent-set.png", full_page=True)

    boss = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(boss, live_server, supervisor)
    boss.goto(f"{live_server.url}/calls/")
    boss.locator(".call-filters select[name=outcome]").select_option(label="Call back")
    expect(boss.locator(".chip.removable")).to_contain_text("Outcome: Call back")
    rows = boss.locator(".calls-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("+919811100001")
    expect(rows.first).to_contain_text("Call back")
    rows.first.click()
    expect(boss.locator("#call-panel").get_by_test_id("call-outcome")).to_contain_text(
        "Call back — Asked for a call after 6 pm"
    )
    expect(boss.locator("#call-panel").get_by_test_id("call-outcome")).to_contain_text("set by Asha Rao")
    boss.screenshot(path="/tmp/outcomes-history.png", full_page=True)
    panel = boss.locator("#call-panel")
    panel.get_by_label("Note").fill("Asked for a call after 6 pm on Monday")
    panel.get_by_role("button", name="Save").click()
    expect(panel.get_by_test_id("call-outcome")).to_contain_text("on Monday set by Sunil Menon")
    panel.get_by_text("Changes of outcome (2)").click()
    expect(panel.get_by_test_id("outcome-changes").locator("li")).to_have_count(2)

    with boss.expect_download() as download:
        boss.get_by_role("link", name="Export CSV").click()
    exported = Path(download.value.path()).read_text()
    assert "+919811100001" in exported and "Asked for a call after 6 pm on Monday" in exported
    assert "+919811100002" not in exported

    boss.goto(f"{live_server.url}/calls/kpis/")
    split = boss.get_by_test_id("outcome-kpis")
    expect(split.get_by_role("row", name="Call back")).to_contain_text("50.0 %")
    expect(split.get_by_role("row", name="No outcome yet")).to_contain_text("50.0 %")
    boss.screenshot(path="/tmp/outcomes-kpis.png", full_page=True)

    page.goto(f"{live_server.url}/calls/")  # "my calls": the other one, set inline
    row = page.locator(".calls-table tbody tr").filter(has_text="+919811100002")
    row.get_by_label("Outcome").select_option(label="Wrong number")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_test_id("outcome-notice")).to_have_text("Outcome saved: Wrong number for +919811100002.")
    page.screenshot(path="/tmp/outcomes-my-calls.png", full_page=True)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("waiting-outcomes")).to_contain_text("None: every answered call has its outcome.")
