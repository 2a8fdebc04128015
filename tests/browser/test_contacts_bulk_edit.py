"""A supervisor's bulk edit in chromium: upload 10,000 rows with some bad ones and some unknown sids,
read the check and the preview, send, watch the bar, download the failures, retry them."""

import os
import random
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.models import BulkEdit
from tests.contacts.helpers import csv_bytes, seed_contacts
from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
SHOTS = os.environ.get("CONTACTS_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(
            path=f"{SHOTS}/{name}.png", clip={"x": 0, "y": 0, "width": 1280, "height": 1300}, full_page=True
        )


@pytest.fixture
def member(supervisor_login, exotel_account):
    exotel_account.members.add(supervisor_login.user)
    exotel_account.account_wide.add(supervisor_login.user)  # sees every team
    return supervisor_login


@pytest.fixture
def ten_thousand_edits(sandbox, exotel_account, tmp_path) -> tuple:
    known = seed_contacts(sandbox, exotel_account, 9_950)
    rows = [[sid, f"New{i}", random.choice(["vip", "renewal"]), ""] for i, sid in enumerate(known[:9_900])]
    rows += [[f"unknown-{i}", "Ghost", "", ""] for i in range(40)]  # Exotel will refuse these
    rows += [[known[9_900 + i], "", "", "not-an-email"] for i in range(5)]  # bad email
    rows += [[known[9_905 + i], "", "", ""] for i in range(3)]  # nothing to change
    rows += [["", "Nobody", "", ""], [known[0], "Again", "", ""]]  # missing sid, duplicate
    path = tmp_path / "october-cleanup.csv"
    path.write_bytes(csv_bytes(["sid", "first_name", "tag", "email"], rows))
    return path, known


def test_supervisor_uploads_checks_previews_sends_and_retries(
    page, live_server, member, exotel_account, sandbox, celery_worker, ten_thousand_edits
):
    path, known = ten_thousand_edits
    sandbox.configure(faults={"slow": 1.0, "slow_seconds": 1.2})  # slow enough to watch the bar
    log_in(page, live_server, member)

    page.goto(f"{live_server.url}/contacts/bulk/")
    page.get_by_label("CSV file").set_input_files(str(path))
    shot(page, "1-upload")
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_test_id("job-state")).to_have_text("ready to review", timeout=60_000)
    expect(page.get_by_text("9939 ready to send")).to_be_visible()
    expect(page.get_by_text("11 with problems")).to_be_visible()
    expect(page.get_by_text("9899 changed")).to_be_visible()
    expect(page.get_by_text("40 not in the local copy")).to_be_visible()
    shot(page, "2-check-and-preview")
    page.get_by_role("link", name="not in the local copy").click()
    expect(page.locator("#preview tbody tr").first).to_contain_text("unknown-0")

    page.get_by_role("button", name="Send 9939 edits to Exotel").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_test_id("job-state")).to_have_text("running", timeout=60_000)
    shot(page, "3-progress")

    expect(page.get_by_test_id("job-state")).to_have_text("done with errors", timeout=150_000)
    expect(page.get_by_text("9899 applied", exact=True)).to_be_visible()  # the pill; the live region says it too
    expect(page.get_by_text("40 failed", exact=True)).to_be_visible()
    shot(page, "4-outcome")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the 40 rows not applied (CSV)").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert len(lines) == 41 and lines[1].startswith("unknown-0,") and "not in Exotel" in lines[1]

    page.get_by_role("button", name="Retry the rows not applied").click()
    expect(page.get_by_test_id("job-state")).to_have_text("ready to review", timeout=30_000)
    expect(page.get_by_text("40 ready to send")).to_be_visible()
    shot(page, "5-retry-review")

    page.goto(f"{live_server.url}/contacts/bulk/")
    expect(page.locator("#jobs tbody tr")).to_have_count(2)
    shot(page, "6-jobs")
    page.goto(f"{live_server.url}/contacts/?q=New1")
    shot(page, "7-contacts")
    assert BulkEdit.objects.filter(state="done_with_errors").count() == 1


def test_an_agent_is_refused_the_contacts_pages(page, live_server, agent_login):
    log_in(page, live_server, agent_login)

    response = page.goto(f"{live_server.url}/contacts/bulk/")

    assert response.status == 403


def test_the_bar_moves_while_sending_and_cancel_stops_the_job(
    page, live_server, member, exotel_account, sandbox, celery_worker
):
    from contacts import services

    bulk_edit = services.bulk_edit_create_from_selection(
        account=exotel_account,
        user=member.user,
        sids=[f"unknown-{i}" for i in range(6000)],
        fields={"tag": "x"},
        chunk_size=300,
    )
    sandbox.configure(faults={"slow": 1.0, "slow_seconds": 0.5})
    log_in(page, live_server, member)
    page.goto(f"{live_server.url}{bulk_edit.get_absolute_url()}")

    page.get_by_role("button", name="Send 6000 edits to Exotel").click()
    expect(page.get_by_test_id("progress-text")).to_contain_text("rows/min", timeout=30_000)
    shot(page, "8-progress-moving")
    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_test_id("job-state")).to_have_text("cancelled", timeout=30_000)
    expect(page.get_by_text("not sent").first).to_be_visible()
    shot(page, "9-cancelled")
    bulk_edit.refresh_from_db()
    assert bulk_edit.not_sent > 0 and bulk_edit.failed + bulk_edit.not_sent == 6000
