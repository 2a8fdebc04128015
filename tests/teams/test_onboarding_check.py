"""Checking a people CSV: every kind of bad row gets its own message on its own column, and user ids
are checked with Exotel (the sandbox) in a few requests at bulk priority."""

import time

import pytest

from teams.models import Team
from teams.people.csvfile import FileRejected
from teams.people.services import people_import_check
from tests.teams.people_helpers import ccm_agent_row, people_csv, sandbox_ccm_users, sandbox_integrations_user


@pytest.fixture
def acme(exotel_account, sandbox):
    Team.objects.create(account=exotel_account, name="Alpha")
    Team.objects.create(account=exotel_account, name="Beta")
    sandbox_ccm_users(sandbox, 11)
    sandbox_integrations_user(sandbox, "agent_007")
    return exotel_account


def problems_by_line(people_import) -> dict[int, list[tuple[str, str]]]:
    return {entry["line"]: [tuple(p) for p in entry["problems"]] for entry in people_import.rows}


def test_every_kind_of_bad_row_gets_its_own_message_on_its_column(acme, admin_login):
    rows = [
        ccm_agent_row(0),  # line 2: good
        ccm_agent_row(1, exotel_account="Globex"),  # 3
        ccm_agent_row(2, teams="Alpha;Gamma"),  # 4
        ccm_agent_row(3, login="agent000"),  # 5: duplicate login
        ccm_agent_row(4, email="not-an-email"),  # 6
        ccm_agent_row(5, role="manager"),  # 7
        ccm_agent_row(6, device_model="webrtc"),  # 8
        ccm_agent_row(7, ccm_user_id=""),  # 9
        ccm_agent_row(8, ccm_user_id="ccm-999"),  # 10: unknown to Exotel
        ccm_agent_row(9, device_model="integrations", ccm_user_id="", integrations_user_id="ghost"),  # 11
        ccm_agent_row(10, login="bad login!"),  # 12
    ]

    people_import = people_import_check(data=people_csv(rows), filename="people.csv", user=admin_login.user)

    problems = problems_by_line(people_import)
    assert problems[2] == []
    assert problems[3] == [("exotel_account", "No Exotel account “Globex” in exoadmin (accounts: Acme).")]
    assert problems[4] == [("teams", "No team “Gamma” in Acme: create it first or fix the name.")]
    assert problems[5] == [("login", "The login “agent000” is already on row 2.")]
    assert problems[6] == [("email", "“not-an-email” is not an email address.")]
    assert problems[7] == [("role", "The role must be agent or supervisor, not “manager”.")]
    assert problems[8] == [("device_model", "The device model must be ccm or integrations, not “webrtc”.")]
    assert problems[9] == [("ccm_user_id", "An agent on ccm devices needs their ccm_user_id from Exotel.")]
    assert problems[10] == [("ccm_user_id", "Exotel has no CCM user “ccm-999” in Acme: check the id in Exotel.")]
    assert problems[11] == [
        ("integrations_user_id", "Exotel's integrations app has no user “ghost”: check the id in Exotel.")
    ]
    assert problems[12][0][0] == "login" and "is not a valid login" in problems[12][0][1]


def test_ids_exotel_knows_pass_by_email_batch_or_one_by_one(acme, admin_login, sandbox):
    rows = [
        ccm_agent_row(0),
        ccm_agent_row(1, email=""),  # no email: asked for by id
        ccm_agent_row(2, device_model="integrations", ccm_user_id="", integrations_user_id="agent_007"),
    ]

    people_import = people_import_check(data=people_csv(rows), filename="people.csv", user=admin_login.user)

    assert all(not entry["problems"] for entry in people_import.rows)
    assert [entry["action"] for entry in people_import.rows] == ["create", "create", "create"]


def test_a_supervisor_row_with_device_columns_and_an_admins_login_are_refused(acme, admin_login):
    rows = [
        {"login": "sam", "name": "Sam", "role": "supervisor", "exotel_account": "Acme", "device_model": "ccm"},
        {"login": admin_login.username, "name": "Ada", "role": "supervisor", "exotel_account": "Acme"},
    ]

    people_import = people_import_check(data=people_csv(rows), filename="people.csv", user=admin_login.user)

    problems = problems_by_line(people_import)
    assert problems[2] == [
        ("device_model", "Supervisors take no calls here: leave device_model and the user ids empty.")
    ]
    assert problems[3] == [("login", "“ada” is an admin: change admins in Django admin, not by import.")]


def test_a_200_row_file_is_checked_in_a_handful_of_exotel_requests(acme, admin_login, sandbox):
    sandbox_ccm_users(sandbox, 189, start=11)
    rows = [ccm_agent_row(index) for index in range(200)]
    before = len(sandbox.requests(method="GET"))

    started = time.monotonic()
    people_import = people_import_check(data=people_csv(rows), filename="people.csv", user=admin_login.user)
    took = time.monotonic() - started

    assert sum(1 for entry in people_import.rows if not entry["problems"]) == 200
    assert len(sandbox.requests(method="GET")) - before == 4  # 50 emails to a request
    assert took < 20


def test_an_excel_file_or_a_wrong_header_is_refused_as_a_whole(acme, admin_login):
    with pytest.raises(FileRejected, match="Excel workbook"):
        people_import_check(data=b"PK\x03\x04rest", filename="people.xlsx", user=admin_login.user)
    with pytest.raises(FileRejected, match="no “teams” column"):
        people_import_check(data=b"login,name,email,role,exotel_account\n", filename="p.csv", user=admin_login.user)


def test_a_user_id_twice_in_the_file_or_already_another_logins_agent_is_refused(acme, admin_login, agent_login):
    from agents.models import Agent

    Agent.objects.create(account=acme, user=agent_login.user, name="Asha Rao", exotel_user_id="ccm-005")
    rows = [ccm_agent_row(0), ccm_agent_row(1, ccm_user_id="ccm-000"), ccm_agent_row(5)]

    people_import = people_import_check(data=people_csv(rows), filename="people.csv", user=admin_login.user)

    problems = problems_by_line(people_import)
    assert problems[3] == [("ccm_user_id", "ccm_user_id “ccm-000” is already on row 2.")]
    assert problems[4] == [
        ("ccm_user_id", "ccm_user_id “ccm-005” already belongs to the agent Asha Rao (login “asha”) in Acme.")
    ]


def test_with_the_bulk_budget_used_up_rows_are_left_unchecked_and_a_click_still_goes(
    acme, admin_login, sandbox, monkeypatch
):
    from django.conf import settings

    from exoadmin.accounts.clients import rate_budget
    from exoadmin.exotel.errors import RateLimited
    from exoadmin.redis import get_redis
    from teams.people import exotel_ids

    monkeypatch.setattr(exotel_ids, "BUDGET_WAIT", 0.0)
    budget = rate_budget()
    with pytest.raises(RateLimited):
        for _ in range(settings.EXOTEL_RATE_LIMIT_PER_MINUTE):
            budget.acquire("acme", "bulk", max_wait=0)
    sent_before = len(sandbox.requests())
    try:
        people_import = people_import_check(
            data=people_csv([ccm_agent_row(0)]), filename="people.csv", user=admin_login.user
        )

        assert problems_by_line(people_import)[2] == [
            (
                "ccm_user_id",
                "Not checked: Exotel's rate limit is used up for now; upload the file again in a minute.",
            )
        ]
        assert len(sandbox.requests()) == sent_before
        budget.acquire("acme", "interactive", max_wait=0)  # the reserve is still there for a click
    finally:
        get_redis().delete("exoadmin:exotel:budget:acme")


def test_ids_of_two_different_agents_on_one_row_are_refused(acme, admin_login):
    from agents.models import Agent

    Agent.objects.create(account=acme, name="Synced CCM", exotel_user_id="ccm-000")
    Agent.objects.create(account=acme, name="Typed phone/SIP", integrations_user_id="agent_007")
    row = ccm_agent_row(0, integrations_user_id="agent_007")

    people_import = people_import_check(data=people_csv([row]), filename="people.csv", user=admin_login.user)

    assert problems_by_line(people_import)[2] == [
        (
            "integrations_user_id",
            "integrations_user_id “agent_007” already belongs to the agent Typed phone/SIP (no login) in Acme.",
        )
    ]
