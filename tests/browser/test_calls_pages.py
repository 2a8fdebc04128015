"""A supervisor places a call in chromium and follows it: confirm, live status, timeline,
recording, history side panel, CSV, KPIs. Screenshots go to /tmp/calls-*.png."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.calls.conftest import asha, callbacks_to, fast_calls, make_call, supervisor, vikram  # noqa: F401
from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_places_a_call_and_follows_it_to_its_recording(
    page,
    live_server,
    sandbox,
    asha,
    vikram,
    supervisor,
    fast_calls,
    callbacks_to,
    celery_worker,
    exotel_account,
):
    for minutes, status, talk in ((30, "completed", 42), (95, "to_leg_unanswered", None), (200, "completed", 75)):
        make_call(
            exotel_account, vikram, minutes_ago=minutes, status=status, talk_time=talk, customer_number="+919812345678"
        )
    log_in(page, live_server, supervisor)

    page.goto(f"{live_server.url}/calls/new/")
    page.get_by_label("Customer number").fill("98765 43210")
    page.get_by_text("Options (recording").click()
    page.get_by_label("Recording", exact=True).select_option(label="Record this call")
    page.get_by_label("Custom field").fill("order-42")
    page.screenshot(path="/tmp/calls-launch.png", full_page=True)
    page.get_by_role("button", name="Check the agent's device").click()

    confirm = page.get_by_test_id("confirm")
    expect(confirm).to_contain_text("Asha Rao's Phone +919900000001 rings first")
    expect(confirm).to_contain_text("+918030752400")
    page.screenshot(path="/tmp/calls-confirm.png", full_page=True)
    page.get_by_role("button", name="Call now").click()

    expect(page.get_by_test_id("call-status")).to_have_text("Completed", timeout=20_000)
    page.reload()  # legs arrive a moment after the terminal callback
    expect(page.locator(".leg-bar")).to_have_count(2, timeout=10_000)
    expect(page.locator("audio")).to_have_count(1)
    page.screenshot(path="/tmp/calls-detail.png", full_page=True)

    page.goto(f"{live_server.url}/calls/?agent={asha.pk}")
    expect(page.locator(".chip.removable")).to_contain_text("Agent: Asha Rao")
    page.locator(".calls-table tbody tr").first.click()
    expect(page.locator("#call-panel .leg-bar")).to_have_count(2)
    page.screenshot(path="/tmp/calls-history.png", full_page=True)
    page.locator(".chip.removable").first.click()
    expect(page.locator(".calls-table tbody tr")).to_have_count(4)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert "+919876543210" in Path(download.value.path()).read_text()

    page.goto(f"{live_server.url}/calls/kpis/")
    expect(page.get_by_test_id("kpi-calls")).to_have_text("4")
    page.screenshot(path="/tmp/calls-kpis.png", full_page=True)

    page.goto(f"{live_server.url}/")
    expect(page.locator("#live-calls-list")).to_contain_text("No calls in progress")


def test_agent_on_a_phone_sees_only_their_own_calls(page, live_server, exotel_account, asha, vikram, agent_login):
    make_call(exotel_account, asha, customer_number="+919811100001")
    make_call(exotel_account, vikram, customer_number="+919822200002")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, agent_login)

    page.goto(f"{live_server.url}/calls/")

    expect(page.locator(".calls-table")).to_contain_text("+919811100001")
    expect(page.locator(".calls-table")).not_to_contain_text("+919822200002")
    page.screenshot(path="/tmp/calls-agent-phone.png", full_page=True)


def test_a_call_overrides_the_accounts_defaults_and_says_so(
    page, live_server, sandbox, asha, supervisor, exotel_account
):
    from calls.models import CallSettings

    CallSettings.objects.create(account=exotel_account, records_by_default=True, max_time_limit=3600)
    log_in(page, live_server, supervisor)
    page.goto(f"{live_server.url}/calls/new/")
    expect(page.get_by_test_id("call-settings")).to_contain_text(
        "Acme: call API v3 · Exotel records every call · calls end after 3600 s."
    )
    page.get_by_label("Customer number").fill("98765 43210")
    page.get_by_text("Options (recording").click()
    page.get_by_label("Recording", exact=True).select_option(label="Do not record this call")
    page.get_by_label("Maximum call length (seconds)").fill("600")
    page.get_by_label("Playback 1: audio URL").fill("https://audio.example/hello.wav")
    page.get_by_label("Playback 2: audio URL").fill("https://audio.example/menu.wav")
    page.screenshot(path="/tmp/calls-launch-options.png", full_page=True)
    page.get_by_role("button", name="Check the agent's device").click()

    overrides = page.get_by_test_id("overrides")
    expect(overrides).to_contain_text("Recording off (the account records every call)")
    expect(overrides).to_contain_text("Maximum call length (s): 600 (the account's default: 3600)")
    page.get_by_role("button", name="Call now").click()

    expect(page.get_by_test_id("call-status")).to_be_visible()
    body = sandbox.requests("/v3/accounts/acme/calls", "POST")[-1]["body"]
    assert (body["recording"], body["max_time_limit"]) == ({"record": False}, 600)
    assert body["playback"] == [
        {"event": "start", "to": "both", "value": "https://audio.example/hello.wav"},
        {"event": "start", "to": "both", "value": "https://audio.example/menu.wav"},
    ]


def test_a_call_through_an_app_flow_shows_its_app_keys_groups_and_every_recording(
    page, live_server, sandbox, asha, supervisor, exotel_account
):
    from tests.calls.conftest import ended_recorded_call

    flow = {"app_name": "Order status IVR", "digits": "2#", "recordings": 2, "group_name": "Night shift"}
    call = ended_recorded_call(
        sandbox,
        exotel_account,
        asha,
        supervisor,
        while_ringing=lambda call: sandbox.control("PATCH", f"/_sandbox/calls/{call.sid}", flow),
        ring_seconds=1.0,
    )
    log_in(page, live_server, supervisor)
    page.goto(f"{live_server.url}/calls/{call.key}/")

    expect(page.get_by_test_id("digits")).to_have_text("2#")
    expect(page.locator("main")).to_contain_text("Order status IVR")
    expect(page.get_by_label("Call recording 2 of 2")).to_be_visible()
    expect(page.locator(".leg-group")).to_have_text("group Night shift")
    page.screenshot(path="/tmp/calls-app-flow.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download 2").click()
    assert download.value.suggested_filename == f"call-{call.key}-2.wav"
