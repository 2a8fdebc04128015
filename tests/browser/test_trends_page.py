"""A supervisor reads the daily trends in chromium, on a desktop and at phone width (no sideways page
scroll: wide tables scroll in their own region), and opens the daily email settings.
Screenshots go to /tmp/trends-*.png."""

import pytest
from playwright.sync_api import expect

from tests.reports.conftest import floor, now  # noqa: F401
from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trends_show_the_fixed_weeks_numbers_and_fit_a_phone(page, live_server, floor, supervisor_login):
    log_in(page, live_server, supervisor_login)

    page.goto(f"{live_server.url}/reports/trends/?account={floor.account.pk}&date_from=2026-12-03&date_to=2026-12-04")

    expect(page.get_by_test_id("trend-calls")).to_contain_text("3")
    expect(page.get_by_test_id("trend-calls")).to_contain_text("+50 %")
    expect(page.get_by_test_id("trend-answer-rate")).to_contain_text("66.7 %")
    expect(page.get_by_test_id("trend-answer-rate")).to_contain_text("+16.7 pts")
    friday = page.get_by_test_id("per-day-row").filter(has_text="Fri 04 Dec")
    expect(friday).to_contain_text("100.0 %")
    expect(page.get_by_test_id("per-team-row").filter(has_text="No team")).to_contain_text("new")
    expect(page.get_by_test_id("per-outcome-row").filter(has_text="Interested")).to_contain_text("new")
    expect(page.locator("svg .chart-bar.previous")).to_have_count(4)  # two days, two charts
    page.screenshot(path="/tmp/trends-desktop.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_test_id("trend-calls")).to_contain_text("+50 %")
    page.screenshot(path="/tmp/trends-phone.png", full_page=True)
    page_width = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
        ".filter(e => !e.closest('.table-wrap, .sr')).map(e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert page_width <= 0, (f"the page scrolls sideways by {page_width} px at phone width", wide)
    expect(page.locator(".table-wrap[role=region]").filter(has=page.get_by_test_id("per-agent"))).to_be_visible()

    page.get_by_role("link", name="Daily email").click()
    expect(page.get_by_label("Send me the daily report")).to_be_visible()
    page.screenshot(path="/tmp/trends-daily-email.png", full_page=True)


def test_a_reversed_range_is_explained_on_the_page(page, live_server, floor, supervisor_login):
    log_in(page, live_server, supervisor_login)

    page.goto(f"{live_server.url}/reports/trends/?account={floor.account.pk}&date_from=2026-12-04&date_to=2026-12-01")

    expect(page.get_by_test_id("range-error")).to_contain_text("before it starts on 04 Dec 2026: swap the two dates")
    expect(page.get_by_test_id("trend-totals")).to_have_count(0)
