"""An admin onboards 200 people in chromium: upload a CSV with 3 bad rows, read the check and the
preview, apply the good rows, download the failures, fix them and upload them again."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from agents.models import Agent
from teams.models import Team
from tests.support.browser import log_in
from tests.teams.people_helpers import ccm_agent_row, people_csv, sandbox_ccm_users

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def two_hundred_people(exotel_account, sandbox, tmp_path) -> Path:
    Team.objects.create(account=exotel_account, name="Alpha")
    Team.objects.create(account=exotel_account, name="Beta")
    sandbox_ccm_users(sandbox, 200)
    rows = [ccm_agent_row(index, teams="Alpha" if index % 2 else "Alpha;Beta") for index in range(197)]
    rows += [
        ccm_agent_row(197, email="agent197-at-example.com"),  # bad email
        ccm_agent_row(198, teams="Gamma"),  # no such team
        ccm_agent_row(199, ccm_user_id="ccm-x199"),  # Exotel does not know this id
    ]
    path = tmp_path / "onboarding.csv"
    path.write_bytes(people_csv(rows))
    return path


def test_admin_imports_200_people_fixes_the_3_bad_rows_from_the_failures_csv_and_reimports(
    page, live_server, admin_login, two_hundred_people, tmp_path
):
    log_in(page, live_server, admin_login)
    page.get_by_role("link", name="People").click()
    page.get_by_label("CSV file").set_input_files(str(two_hundred_people))
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_test_id("import-summary")).to_contain_text("197 good rows (197 to create", timeout=60_000)
    expect(page.get_by_test_id("import-summary")).to_contain_text("3 with problems")
    expect(page.get_by_text("“agent197-at-example.com” is not an email address.")).to_be_visible()
    expect(page.get_by_text("No team “Gamma” in Acme")).to_be_visible()
    expect(page.get_by_text("Exotel has no CCM user “ccm-x199” in Acme")).to_be_visible()
    assert not User.objects.filter(username__startswith="agent").exists()  # nothing before applying

    page.get_by_role("button", name="Apply the 197 good rows").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("197 created", timeout=60_000)
    expect(page.get_by_test_id("import-result")).to_contain_text("3 not applied")
    assert Agent.objects.filter(user__username__startswith="agent").count() == 197

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the 3 rows with problems (CSV)").click()
    failures = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [row["login"] for row in failures] == ["agent197", "agent198", "agent199"]
    assert failures[0]["error"] == "email: “agent197-at-example.com” is not an email address."
    failures[0]["email"], failures[1]["teams"], failures[2]["ccm_user_id"] = "agent197@example.com", "Beta", "ccm-199"
    fixed = tmp_path / "onboarding-fixed.csv"
    fixed.write_bytes(people_csv(failures, header=tuple(failures[0])))

    page.get_by_role("link", name="← People").click()
    page.get_by_label("CSV file").set_input_files(str(fixed))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("3 good rows (3 to create")
    page.get_by_role("button", name="Apply all 3 rows").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("3 created")

    page.get_by_role("link", name="← People").click()
    page.get_by_label("CSV file").set_input_files(str(two_hundred_people))  # the first file again
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("197 unchanged", timeout=60_000)
    assert Agent.objects.filter(user__username__startswith="agent").count() == 200
