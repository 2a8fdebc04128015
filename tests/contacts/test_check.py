"""Checking a bulk edit: problems per row and column, duplicates, preview counts, chunks of 5,000."""

from django.db.models import Count

from contacts import services
from contacts.models import BulkEdit, BulkEditRow, Contact
from contacts.services import CHUNK_SIZE
from tests.contacts.conftest import checked_upload
from tests.contacts.helpers import seed_contacts


def test_valid_rows_go_ahead_without_the_bad_ones_and_each_problem_names_row_and_column(
    sandbox, exotel_account, member
):
    known = seed_contacts(sandbox, exotel_account, 4)
    current = Contact.objects.get(sid=known[1])
    rows = [
        [known[0], "Ravi", "+919845012345", ""],  # 2 changed
        [known[1], current.first_name, "", ""],  # 3 unchanged (the local copy has this name)
        ["not-in-exotel", "Kiran", "", ""],  # 4 unknown to the local copy
        [known[2], "", "12345", ""],  # 5 bad number
        ["", "Nobody", "", ""],  # 6 missing sid
        [known[3], "", "", "nope"],  # 7 bad email
        ["twice", "A", "", ""],  # 8 duplicate
        ["twice", "B", "", ""],  # 9 duplicate
    ]

    bulk_edit = checked_upload(exotel_account, member.user, ["sid", "first_name", "number", "email"], rows)

    assert bulk_edit.state == BulkEdit.State.REVIEW
    assert (bulk_edit.lines_read, bulk_edit.total, bulk_edit.rows_with_problems) == (8, 3, 5)
    assert (bulk_edit.changed, bulk_edit.unchanged, bulk_edit.unknown) == (1, 1, 1)
    assert sorted((p.line, p.column) for p in bulk_edit.problems.all()) == [
        (5, "number"),
        (6, "sid"),
        (7, "email"),
        (8, "sid"),
        (9, "sid"),
    ]
    assert "rows 8, 9" in bulk_edit.problems.get(line=8).message
    assert dict(bulk_edit.rows.values_list("line", "preview")) == {2: "changed", 3: "unchanged", 4: "unknown"}
    assert not bulk_edit.upload_parts.exists()


def test_a_file_that_cannot_be_used_is_rejected_and_nothing_is_kept_to_send(exotel_account, member):
    bulk_edit = checked_upload(exotel_account, member.user, ["sid", "frist_name"], [["a1", "Ravi"]])

    assert bulk_edit.state == BulkEdit.State.REJECTED
    assert "Unknown column “frist_name”" in bulk_edit.error
    assert [(p.line, p.column) for p in bulk_edit.problems.all()] == [(1, "frist_name")]
    assert not bulk_edit.rows.exists() and not bulk_edit.chunks.exists()


def test_a_file_with_only_bad_rows_is_rejected(exotel_account, member):
    bulk_edit = checked_upload(exotel_account, member.user, ["sid", "number"], [["a1", "12"], ["a2", "34"]])

    assert bulk_edit.state == BulkEdit.State.REJECTED
    assert bulk_edit.rows_with_problems == 2


def test_rows_are_grouped_in_chunks_of_at_most_5000_for_exotels_bulk_put(exotel_account, member):
    rows = [[f"sid-{i}", "vip"] for i in range(2 * CHUNK_SIZE + 1)]

    bulk_edit = checked_upload(exotel_account, member.user, ["sid", "tag"], rows)

    sizes = sorted(bulk_edit.rows.values_list("chunk_index").annotate(n=Count("id")))
    assert sizes == [(0, CHUNK_SIZE), (1, CHUNK_SIZE), (2, 1)]
    assert list(bulk_edit.chunks.values_list("index", flat=True)) == [0, 1, 2]


def test_checking_again_starts_over_instead_of_adding_rows_twice(exotel_account, member):
    bulk_edit = checked_upload(exotel_account, member.user, ["sid", "tag"], [["a1", "vip"], ["a2", "vip"]])
    BulkEdit.objects.filter(id=bulk_edit.id).update(state=BulkEdit.State.VALIDATING)
    bulk_edit.upload_parts.create(index=0, data=b"sid,tag\na1,vip\na2,vip\n")

    services.bulk_edit_check(bulk_edit_id=bulk_edit.id)

    assert bulk_edit.rows.count() == 2


def test_selected_contacts_become_a_job_to_review_with_the_same_fields_each(sandbox, exotel_account, member):
    sids = seed_contacts(sandbox, exotel_account, 3)

    bulk_edit = services.bulk_edit_create_from_selection(
        account=exotel_account, user=member.user, sids=sids, fields={"tag": "vip"}
    )

    assert bulk_edit.state == BulkEdit.State.REVIEW and bulk_edit.changed == 3
    assert [row.changes() for row in bulk_edit.rows.all()] == [{"tag": "vip"}] * 3


def test_retrying_keeps_only_the_rows_that_were_not_applied(exotel_account, member):
    original = checked_upload(exotel_account, member.user, ["sid", "tag"], [["a1", "x"], ["a2", "y"], ["a3", "z"]])
    original.rows.filter(line=2).update(outcome=BulkEditRow.Outcome.APPLIED)
    original.rows.filter(line=3).update(outcome=BulkEditRow.Outcome.FAILED, message="Contact not found")
    original.rows.filter(line=4).update(outcome=BulkEditRow.Outcome.NOT_SENT)
    BulkEdit.objects.filter(id=original.id).update(
        state=BulkEdit.State.DONE_WITH_ERRORS, applied=1, failed=1, not_sent=1, confirmed_at=original.created_at
    )
    original.refresh_from_db()

    retry = services.bulk_edit_retry_failed(bulk_edit=original, user=member.user)
    services.bulk_edit_check(bulk_edit_id=retry.id)
    retry.refresh_from_db()

    assert retry.state == BulkEdit.State.REVIEW and retry.retry_of == original
    assert list(retry.rows.values_list("line", "sid", "tag")) == [(3, "a2", "y"), (4, "a3", "z")]


def test_a_check_queued_again_while_one_runs_does_nothing(exotel_account, member):
    from exoadmin.redis import get_redis
    from tests.contacts.helpers import csv_bytes

    bulk_edit = services.bulk_edit_create_from_upload(
        account=exotel_account,
        user=member.user,
        filename="edits.csv",
        chunks=[csv_bytes(["sid", "first_name"], [["c1", "Ravi"], ["c2", "Kiran"]])],
    )
    running = get_redis().lock(f"contacts:check:{bulk_edit.id}", timeout=30)
    assert running.acquire(blocking=False)
    try:
        services.bulk_edit_check(bulk_edit_id=bulk_edit.id)  # the second copy
    finally:
        running.release()
    bulk_edit.refresh_from_db()
    assert (bulk_edit.state, bulk_edit.lines_read, bulk_edit.rows.count()) == (BulkEdit.State.VALIDATING, 0, 0)

    services.bulk_edit_check(bulk_edit_id=bulk_edit.id)

    bulk_edit.refresh_from_db()
    assert (bulk_edit.state, bulk_edit.lines_read, bulk_edit.rows.count()) == (BulkEdit.State.REVIEW, 2, 2)
