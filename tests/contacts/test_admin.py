"""Django admin: contacts, syncs and jobs are visible; a job's rows are a read-only filtered list."""

from django.urls import reverse

from tests.contacts.conftest import checked_upload


def test_admin_lists_contacts_jobs_and_a_jobs_rows_read_only(client, admin_login, exotel_account, member):
    job = checked_upload(exotel_account, member.user, ["sid", "tag"], [["a1", "vip"], ["a2", "lead"]])
    client.login(username=admin_login.username, password=admin_login.password)

    for name in ("contact", "contactsync", "bulkedit", "bulkeditrow", "bulkeditproblem"):
        assert client.get(reverse(f"admin:contacts_{name}_changelist")).status_code == 200, name
    page = client.get(reverse("admin:contacts_bulkedit_change", args=[job.id])).content.decode()
    rows = client.get(reverse("admin:contacts_bulkeditrow_changelist"), {"bulk_edit__id__exact": job.id})

    assert "2 rows with their outcomes" in page and 'name="_save"' not in page
    assert [row.sid for row in rows.context["cl"].result_list] == ["a1", "a2"]
    assert client.get(reverse("admin:contacts_bulkedit_add")).status_code == 403
