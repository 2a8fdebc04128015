"""Mirroring Exotel's contacts: 20 per request, checkpointed, resumable, deletions noticed."""

import pytest

from contacts import sync
from contacts.models import Contact, ContactSync
from tests.contacts.helpers import seed_contacts


@pytest.fixture
def forty_five(sandbox, exotel_account):
    return seed_contacts(sandbox, exotel_account, 45, mirrored=False)


def test_a_sync_pulls_every_contact_page_by_page(
    sandbox, exotel_account, forty_five, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        started = sync.contacts_sync_start(account=exotel_account)

    assert sync.contacts_sync_run(sync_id=started.id) is None

    started.refresh_from_db()
    assert (started.state, started.fetched, started.total) == ("done", 45, 45)
    assert set(Contact.objects.values_list("sid", flat=True)) == set(forty_five)
    assert len(sandbox.requests("/contacts", "GET")) == 3


def test_a_sync_resumes_from_its_checkpoint_instead_of_starting_over(
    sandbox, exotel_account, forty_five, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(sync, "PAGES_PER_RUN", 1)
    with django_capture_on_commit_callbacks():
        started = sync.contacts_sync_start(account=exotel_account)

    assert sync.contacts_sync_run(sync_id=started.id) == 0  # one page, then "run me again"
    started.refresh_from_db()
    assert (started.next_offset, started.state) == (20, "running")
    while sync.contacts_sync_run(sync_id=started.id) is not None:
        pass

    offsets = [entry["query"] for entry in sandbox.requests("/contacts", "GET")]
    assert len(offsets) == 3 and len(set(offsets)) == 3
    assert Contact.objects.count() == 45


def test_a_second_start_answers_the_sync_already_running(exotel_account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        first = sync.contacts_sync_start(account=exotel_account)
        second = sync.contacts_sync_start(account=exotel_account)

    assert first == second and ContactSync.objects.count() == 1


def test_contacts_deleted_in_exotel_leave_the_mirror_after_a_full_pass(
    sandbox, exotel_account, forty_five, django_capture_on_commit_callbacks
):
    stale = Contact.objects.create(account=exotel_account, sid="deleted-in-exotel", synced_at="2020-01-01T00:00Z")
    with django_capture_on_commit_callbacks():
        started = sync.contacts_sync_start(account=exotel_account)

    sync.contacts_sync_run(sync_id=started.id)

    assert not Contact.objects.filter(id=stale.id).exists()
