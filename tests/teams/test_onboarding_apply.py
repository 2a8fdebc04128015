"""Applying a checked people file: exactly the good rows, all in one transaction or none; re-importing
the same file changes nothing; the failures CSV comes back fixed and goes in whole."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import Agent, DeviceModel
from exoadmin.accounts.roles import Role, role_of
from teams.models import PeopleImport, Team
from teams.people import services
from teams.people.services import ChangedSinceCheck, people_import_apply, people_import_check
from tests.teams.people_helpers import ccm_agent_row, people_csv, read_csv, sandbox_ccm_users, sandbox_integrations_user

SUPERVISOR = {"login": "sam", "name": "Sam Iyer", "email": "sam@example.com", "role": "supervisor"}


@pytest.fixture
def acme(exotel_account, sandbox):
    Team.objects.create(account=exotel_account, name="Alpha")
    Team.objects.create(account=exotel_account, name="Beta")
    sandbox_ccm_users(sandbox, 5)
    sandbox_integrations_user(sandbox, "agent_007")
    return exotel_account


def a_file(*bad_rows) -> bytes:
    rows = [
        ccm_agent_row(0),
        ccm_agent_row(1, teams="Alpha;Beta"),
        ccm_agent_row(2, device_model="integrations", ccm_user_id="", integrations_user_id="agent_007", teams=""),
        SUPERVISOR | {"exotel_account": "Acme", "teams": "Beta"},
        *bad_rows,
    ]
    return people_csv(rows)


def check(data: bytes, login) -> PeopleImport:
    return people_import_check(data=data, filename="people.csv", user=login.user)


def test_applying_creates_logins_agents_memberships_and_teams(acme, admin_login):
    people_import = people_import_apply(check(a_file(), admin_login))

    assert [entry["outcome"] for entry in people_import.rows] == ["created"] * 4
    asha = User.objects.get(username="agent001")
    assert (asha.first_name, asha.last_name, asha.email) == ("Agent", "001", "agent001@example.com")
    assert role_of(asha) == Role.AGENT and not asha.has_usable_password()
    assert acme.members.filter(pk=asha.pk).exists()
    agent = Agent.objects.get(user=asha)
    assert (agent.account, agent.device_model, agent.exotel_user_id) == (acme, DeviceModel.CCM, "ccm-001")
    assert sorted(agent.teams.values_list("name", flat=True)) == ["Alpha", "Beta"]
    phone_sip = Agent.objects.get(user__username="agent002")
    assert (phone_sip.device_model, phone_sip.integrations_user_id) == (DeviceModel.INTEGRATIONS, "agent_007")
    sam = User.objects.get(username="sam")
    assert role_of(sam) == Role.SUPERVISOR and list(sam.led_teams.values_list("name", flat=True)) == ["Beta"]


def test_an_agent_synced_from_exotel_without_a_login_is_linked_not_duplicated(acme, admin_login):
    synced = Agent.objects.create(account=acme, name="Agent 000", exotel_user_id="ccm-000")

    people_import_apply(check(people_csv([ccm_agent_row(0)]), admin_login))

    synced.refresh_from_db()
    assert synced.user.username == "agent000" and Agent.objects.filter(account=acme).count() == 1


def test_only_the_good_rows_are_applied_and_the_rejected_ones_are_reported(acme, admin_login):
    people_import = check(a_file(ccm_agent_row(3, email="nope"), ccm_agent_row(4, teams="Gamma")), admin_login)

    applied = people_import_apply(people_import)

    assert [entry["outcome"] for entry in applied.rows] == ["created"] * 4 + ["not applied"] * 2
    assert not User.objects.filter(username__in=["agent003", "agent004"]).exists()
    assert applied.state == PeopleImport.State.APPLIED


def test_a_failure_in_the_middle_of_applying_leaves_nothing_applied(acme, admin_login, monkeypatch):
    people_import = check(a_file(), admin_login)
    real_apply_person, calls = services.apply_person, []

    def failing_on_the_third(row, account, directory):
        calls.append(row.line)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        real_apply_person(row, account, directory)

    monkeypatch.setattr(services, "apply_person", failing_on_the_third)
    with pytest.raises(RuntimeError):
        people_import_apply(people_import)

    assert calls == [2, 3, 4]
    assert not User.objects.filter(username__in=["agent000", "agent001", "agent002", "sam"]).exists()
    assert not Agent.objects.exists() and not acme.members.exists()
    people_import.refresh_from_db()
    assert people_import.state == PeopleImport.State.CHECKED and "outcome" not in people_import.rows[0]


def test_a_row_that_no_longer_checks_at_apply_time_stops_the_whole_apply(acme, admin_login):
    people_import = check(a_file(), admin_login)
    Team.objects.filter(name="Beta").delete()

    with pytest.raises(ChangedSinceCheck, match="Row 3 changed since the check"):
        people_import_apply(people_import)

    assert not User.objects.filter(username="agent000").exists()


def test_reimporting_the_same_file_changes_nothing(acme, admin_login):
    people_import_apply(check(a_file(ccm_agent_row(3, role="boss")), admin_login))

    again = check(a_file(ccm_agent_row(3, role="boss")), admin_login)
    with CaptureQueriesContext(connection) as queries:
        applied = people_import_apply(again)

    assert [entry["action"] for entry in again.rows[:4]] == ["unchanged"] * 4
    assert [entry["outcome"] for entry in applied.rows] == ["unchanged"] * 4 + ["not applied"]
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert len(writes) == 1 and "teams_peopleimport" in writes[0]


def test_a_changed_row_previews_old_and_new_values(acme, admin_login):
    people_import_apply(check(a_file(), admin_login))

    changed = check(
        people_csv([ccm_agent_row(1, name="Agent One", teams="Beta", email="one@example.com")]), admin_login
    )

    changed.refresh_from_db()  # as the preview page reads it
    assert changed.rows[0]["action"] == "update"
    assert ["name", "Agent 001", "Agent One"] in changed.rows[0]["changes"]
    assert ["teams", "Alpha; Beta", "Beta"] in changed.rows[0]["changes"]
    assert ["email", "agent001@example.com", "one@example.com"] in changed.rows[0]["changes"]


def test_the_failures_csv_fixed_and_uploaded_again_goes_in_whole(acme, admin_login):
    first = people_import_apply(
        check(a_file(ccm_agent_row(3, email="nope"), ccm_agent_row(4, teams="Gamma")), admin_login)
    )
    failures = read_csv(b"".join(chunk.encode() for chunk in _failures_lines(first)))
    assert [row["login"] for row in failures] == ["agent003", "agent004"]
    assert failures[0]["error"] == "email: “nope” is not an email address."

    failures[0]["email"], failures[1]["teams"] = "agent003@example.com", "Alpha"
    fixed = check(people_csv(failures, header=(*failures[0].keys(),)), admin_login)

    assert [entry["problems"] for entry in fixed.rows] == [[], []]
    assert [entry["outcome"] for entry in people_import_apply(fixed).rows] == ["created", "created"]


def test_the_export_imported_back_changes_nothing(acme, admin_login):
    people_import_apply(check(a_file(), admin_login))
    exported = services.people_export_rows()
    assert ["sam", "Sam Iyer", "sam@example.com", "supervisor", "Acme", "", "", "", "Beta"] in exported

    again = check(people_csv([dict(zip(services.COLUMNS, row, strict=True)) for row in exported]), admin_login)

    assert [entry["action"] for entry in again.rows] == ["unchanged"] * 4


def _failures_lines(people_import):
    from exoadmin.spreadsheets import csv_lines

    return csv_lines((*services.COLUMNS, "error"), services.failure_rows(people_import))


def test_applying_tells_open_screens_of_the_account_that_teams_changed(
    acme, admin_login, redis_server, django_capture_on_commit_callbacks
):
    from exoadmin.live.publish import CHANNEL
    from exoadmin.redis import get_redis

    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(CHANNEL)
    pubsub.get_message(timeout=0.5)  # the subscription's own answer
    people_import = check(a_file(), admin_login)

    with django_capture_on_commit_callbacks(execute=True):
        people_import_apply(people_import)

    message = pubsub.get_message(timeout=5)
    pubsub.close()
    assert message, "nothing was published"
    assert '"topic": "team"' in message["data"].decode() and f'"account": {acme.pk}' in message["data"].decode()
