"""Contacts pages: who may use them, and the upload → check → preview → confirm path without a worker."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse
from django.utils import timezone

from contacts import services, urls
from contacts.csvfile import read_edits
from contacts.models import BulkEdit, BulkEditRow, Contact
from exoadmin.accounts.roles import Role
from exoadmin.accounts.services import account_create_or_update
from tests.conftest import _login
from tests.contacts.conftest import checked_upload
from tests.contacts.helpers import csv_bytes, seed_contacts

JOB_URLS = [p.name for p in urls.urlpatterns if isinstance(p, URLPattern) and "bulk_edit_id" in p.pattern.regex.pattern]
OTHER_URLS = [p.name for p in urls.urlpatterns if p.name not in JOB_URLS]
JOB_PAGES = {"bulk_detail", "bulk_failed_csv", "bulk_problems_csv"}  # the rest are POST actions


@pytest.fixture
def job(exotel_account, member):
    return checked_upload(exotel_account, member.user, ["sid", "tag"], [["a1", "vip"]])


def every_url(job):
    return [reverse(f"contacts:{name}", args=[job.id]) for name in JOB_URLS] + [
        reverse(f"contacts:{name}") for name in OTHER_URLS
    ]


def test_agents_get_403_on_every_contacts_url_for_get_and_post(client, agent_login, exotel_account, job):
    exotel_account.members.add(agent_login.user)
    client.login(username=agent_login.username, password=agent_login.password)

    for url in every_url(job):
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url
    assert BulkEdit.objects.get(id=job.id).state == BulkEdit.State.REVIEW


def test_supervisors_and_admins_reach_every_contacts_url_for_get_and_post(client, member, admin_login, job):
    for login in (member, admin_login):
        client.force_login(login.user)
        for url in every_url(job):
            for response in (client.get(url), client.post(url)):
                refused = response.status_code == 403 or response.get("Location", "").startswith(reverse("login"))
                assert not refused, (login.username, url, response.status_code)


def test_anonymous_visitors_are_sent_to_log_in(client, job):
    for url in every_url(job):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_a_supervisor_of_another_account_cannot_see_or_touch_its_jobs(client, other_supervisor, job):
    client.login(username=other_supervisor.username, password=other_supervisor.password)

    for name in JOB_URLS:
        url = reverse(f"contacts:{name}", args=[job.id])
        assert (client.get(url) if name in JOB_PAGES else client.post(url)).status_code == 404, name
    assert job.id not in [j.id for j in client.get(reverse("contacts:bulk_list")).context["jobs"]]
    assert BulkEdit.objects.get(id=job.id).state == BulkEdit.State.REVIEW


def test_an_admin_sees_every_accounts_jobs(client, admin_login, job):
    client.login(username=admin_login.username, password=admin_login.password)

    assert client.get(job.get_absolute_url()).status_code == 200


def test_upload_shows_the_check_and_preview_then_confirm_queues_the_job(
    supervisor_client, sandbox, exotel_account, django_capture_on_commit_callbacks
):
    known = seed_contacts(sandbox, exotel_account, 2)
    data = csv_bytes(
        ["sid", "first_name", "number"], [[known[0], "Ravi", ""], [known[1], "", "98450"], ["x9", "Y", ""]]
    )
    upload = _file(data)

    with django_capture_on_commit_callbacks():  # the check task is not run: no worker here
        response = supervisor_client.post(
            reverse("contacts:bulk_upload"), {"account": exotel_account.id, "file": upload}
        )
    job = BulkEdit.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert "Checking the file" in supervisor_client.get(job.get_absolute_url()).content.decode()

    services.bulk_edit_check(bulk_edit_id=job.id)
    page = supervisor_client.get(job.get_absolute_url()).content.decode()
    assert "Not a valid E.164 number" in page and "<td>3</td><td>number</td>" in page
    assert "Send 2 edits to Exotel" in page and "1 changed" in page and "1 not in the local copy" in page
    assert "<del>First0</del>" in page and "<ins>Ravi</ins>" in page

    with django_capture_on_commit_callbacks() as queued:
        supervisor_client.post(reverse("contacts:bulk_confirm", args=[job.id]))
        supervisor_client.post(reverse("contacts:bulk_confirm", args=[job.id]))  # a double click
    assert BulkEdit.objects.get(id=job.id).state == BulkEdit.State.QUEUED
    assert len(queued) == 1


def test_a_rejected_file_says_why_and_offers_its_problems_as_csv(supervisor_client, exotel_account, member):
    job = checked_upload(exotel_account, member.user, ["sid", "frist_name"], [["a1", "x"]])

    page = supervisor_client.get(job.get_absolute_url()).content.decode()
    problems = b"".join(supervisor_client.get(reverse("contacts:bulk_problems_csv", args=[job.id])).streaming_content)

    assert "file rejected" in page and "Unknown column “frist_name”" in page
    assert problems.decode().splitlines()[1].startswith('1,frist_name,frist_name,"Unknown column')


def test_polling_a_finished_job_stops_with_286(supervisor_client, job):
    BulkEdit.objects.filter(id=job.id).update(state=BulkEdit.State.DONE)

    response = supervisor_client.get(job.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "job-status"})

    assert response.status_code == 286
    assert "hx-trigger" not in response.content.decode()


def test_polling_a_running_job_keeps_polling_and_shows_progress(supervisor_client, job):
    BulkEdit.objects.filter(id=job.id).update(state=BulkEdit.State.RUNNING, applied=0, total=1)

    response = supervisor_client.get(job.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "job-status"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f"sse:bulk-{job.pk}" in html and "every 1s [exoLive.down()]" in html  # pushed; polled if the stream is down
    assert "0</strong> of 1 done" in html


def test_failed_rows_download_can_be_uploaded_again_as_it_is(supervisor_client, exotel_account, member, job):
    job.rows.update(outcome=BulkEditRow.Outcome.FAILED, code=404, exotel_code=1000, message="Contact not found")
    BulkEdit.objects.filter(id=job.id).update(state=BulkEdit.State.DONE_WITH_ERRORS, failed=1)

    download = b"".join(supervisor_client.get(reverse("contacts:bulk_failed_csv", args=[job.id])).streaming_content)
    again = checked_upload(exotel_account, member.user, *_rows(download))

    assert download.decode().splitlines()[1] == "a1,,,,,,vip,,Contact not found (Exotel code 1000)"
    assert again.state == BulkEdit.State.REVIEW and list(again.rows.values_list("sid", "tag")) == [("a1", "vip")]


def test_selected_contacts_with_a_bad_number_are_refused_with_the_reason(supervisor_client, sandbox, exotel_account):
    sids = seed_contacts(sandbox, exotel_account, 2)

    response = supervisor_client.post(
        reverse("contacts:edit_selected"), {"account": exotel_account.id, "sids": sids, "number": "12"}, follow=True
    )

    assert "Not a valid E.164 number" in response.content.decode()
    assert not BulkEdit.objects.exists()


def test_selected_contacts_become_a_job_to_review(supervisor_client, sandbox, exotel_account):
    sids = seed_contacts(sandbox, exotel_account, 2)

    response = supervisor_client.post(
        reverse("contacts:edit_selected"), {"account": exotel_account.id, "sids": sids, "tag": "vip"}
    )

    job = BulkEdit.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.total == 2 and job.source == "form"


def test_the_contact_list_searches_the_local_copy(supervisor_client, sandbox, exotel_account):
    seed_contacts(sandbox, exotel_account, 3)

    page = supervisor_client.get(reverse("contacts:list"), {"q": "First1"}).content.decode()

    assert "c1@example.com" in page and "c2@example.com" not in page


def test_the_contacts_export_downloads_only_the_chosen_accounts_copy(supervisor_client, exotel_account):
    other = account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    Contact.objects.create(account=other, sid="theirs", number="+919800000009", synced_at=timezone.now())
    Contact.objects.create(
        account=exotel_account,
        sid="c1",
        number="+919800000001",
        first_name="Asha",
        custom_field={"plan": "gold"},
        synced_at=timezone.now(),
    )
    Contact.objects.create(
        account=exotel_account, sid="c2", number="+919800000002", tag="vip", synced_at=timezone.now()
    )

    response = supervisor_client.get(reverse("contacts:export"), {"account": other.id})  # not theirs: their own

    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="contacts-acme.csv"'
    assert _rows(b"".join(response.streaming_content)) == (
        ["sid", "number", "first_name", "last_name", "company_name", "email", "tag", "custom_field"],
        [
            ["c1", "+919800000001", "Asha", "", "", "", "", '{"plan": "gold"}'],
            ["c2", "+919800000002", "", "", "", "", "vip", ""],
        ],
    )


def test_a_formula_in_a_contact_is_exported_inert_and_uploads_back_unchanged(supervisor_client, exotel_account):
    Contact.objects.create(
        account=exotel_account, sid="c1", number="+919800000001", first_name="=HYPERLINK(1)", synced_at=timezone.now()
    )

    exported = b"".join(supervisor_client.get(reverse("contacts:export")).streaming_content)

    assert _rows(exported)[1][0][:3] == ["c1", "+919800000001", "'=HYPERLINK(1)"]
    (edit,) = read_edits([exported])
    assert edit.fields == {"number": "+919800000001", "first_name": "=HYPERLINK(1)"} and not edit.problems


def test_the_contacts_export_says_so_when_the_supervisor_has_no_account(client, other_supervisor, exotel_account):
    client.login(username=other_supervisor.username, password=other_supervisor.password)

    response = client.get(reverse("contacts:export"))

    assert response.status_code == 400 and "not a member of any Exotel account" in response.content.decode()


@pytest.fixture
def other_supervisor(db):
    """A supervisor who is not a member of Acme."""
    return _login("olga", Role.SUPERVISOR, "Olga")


def _file(data: bytes):
    return SimpleUploadedFile("edits.csv", data, content_type="text/csv")


def _rows(data: bytes):
    header, *rows = list(csv.reader(io.StringIO(data.decode())))
    return header, rows
