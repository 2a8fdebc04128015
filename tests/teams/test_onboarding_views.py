"""The people pages as an admin uses them: upload → check and preview → apply → result, the failures
and export downloads; supervisors and agents get a 403."""

import pytest
from django.urls import reverse

from teams.models import PeopleImport, Team
from tests.teams.people_helpers import ccm_agent_row, people_csv, read_csv, sandbox_ccm_users


@pytest.fixture
def acme(exotel_account, sandbox):
    Team.objects.create(account=exotel_account, name="Alpha")
    sandbox_ccm_users(sandbox, 3)
    return exotel_account


def upload(client, data: bytes, name: str = "people.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("people:import"), {"file": SimpleUploadedFile(name, data, "text/csv")})


def test_admin_uploads_previews_applies_and_reads_the_result(client, acme, admin_login):
    client.force_login(admin_login.user)

    response = upload(client, people_csv([ccm_agent_row(0), ccm_agent_row(1, email="bad")]))
    people_import = PeopleImport.objects.get()
    assert response.status_code == 302 and response["Location"] == people_import.get_absolute_url()
    preview = client.get(response["Location"]).content.decode()
    assert "<strong>1</strong> good row" in preview and "<strong>1</strong> with problems" in preview
    assert "“bad” is not an email address." in preview
    assert "<del>—</del> → <ins>Agent 000</ins>" in preview
    assert "Apply the 1 good row" in preview

    result = client.get(client.post(reverse("people:apply", args=[people_import.pk]))["Location"]).content.decode()

    assert "1</strong> created" in result and "1</strong> not applied" in result
    assert "New logins have no password yet" in result
    failures = read_csv(b"".join(client.get(reverse("people:failures_csv", args=[people_import.pk])).streaming_content))
    assert [(row["login"], row["error"]) for row in failures] == [("agent001", "email: “bad” is not an email address.")]


def test_an_unreadable_file_is_refused_on_the_upload_page(client, acme, admin_login):
    client.force_login(admin_login.user)

    response = upload(client, b"PK\x03\x04zip", "people.xlsx")

    assert response.status_code == 400
    assert "This is an Excel workbook, not a CSV file" in response.content.decode()
    assert not PeopleImport.objects.exists()


def test_the_export_downloads_everyone_in_the_import_columns(client, acme, admin_login, agent_login):
    from agents.models import Agent

    Agent.objects.create(account=acme, user=agent_login.user, name="Asha Rao", exotel_user_id="ccm-000")
    client.force_login(admin_login.user)

    rows = read_csv(b"".join(client.get(reverse("people:export")).streaming_content))

    assert rows == [
        {
            "login": "asha",
            "name": "Asha Rao",
            "email": "",
            "role": "agent",
            "exotel_account": "Acme",
            "device_model": "ccm",
            "ccm_user_id": "ccm-000",
            "integrations_user_id": "",
            "teams": "",
        }
    ]


def test_supervisors_and_agents_cannot_import(client, acme, supervisor_login, agent_login):
    for login in (supervisor_login, agent_login):
        client.force_login(login.user)

        response = upload(client, people_csv([ccm_agent_row(0)]))

        assert response.status_code == 403 and "This page is for admins" in response.content.decode()
    assert not PeopleImport.objects.exists()


def test_the_admin_navigation_links_to_people_and_others_do_not(client, acme, admin_login, supervisor_login):
    client.force_login(admin_login.user)
    assert reverse("people:import") in client.get(reverse("home")).content.decode()
    client.force_login(supervisor_login.user)
    assert reverse("people:import") not in client.get(reverse("home")).content.decode()


def test_applying_after_a_team_was_deleted_applies_nothing_and_says_why(client, acme, admin_login):
    client.force_login(admin_login.user)
    upload(client, people_csv([ccm_agent_row(0), ccm_agent_row(1)]))
    people_import = PeopleImport.objects.get()
    Team.objects.filter(name="Alpha").delete()

    page = client.post(reverse("people:apply", args=[people_import.pk]), follow=True).content.decode()

    assert "Row 2 changed since the check (No team “Alpha” in Acme" in page
    assert "Upload the file again to check it afresh." in page
    people_import.refresh_from_db()
    assert people_import.state == PeopleImport.State.CHECKED and not acme.members.exists()
