"""Bulk edits before they are sent: create from a file, a selection or failed rows; check; confirm.

Checking streams the input in batches of 5,000 rows (one chunk of Exotel's bulk PUT), so a file
of a million rows needs no more memory than one of ten thousand. Sending lives in sending.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from contacts import csvfile
from contacts.models import (
    EDITABLE_FIELDS,
    BulkEdit,
    BulkEditChunk,
    BulkEditProblem,
    BulkEditRow,
    BulkEditUploadPart,
    Contact,
)
from contacts.sending import bulk_edit_progressed
from exoadmin.locks import bulk_edit_check_lock
from exoadmin.queueing import enqueue

log = logging.getLogger(__name__)

CHUNK_SIZE = 5000  # contacts per bulk PUT: Exotel's maximum (seed 003)
UPLOAD_PART_SIZE = 1024 * 1024
MAX_STORED_PROBLEMS = 10_000  # beyond this only the count grows: nobody reads more, the file needs fixing


class BulkEditError(Exception):
    """A request the job's state does not allow; the message says what to do instead."""


# -- creating ------------------------------------------------------------------------------------


@transaction.atomic
def bulk_edit_create_from_upload(*, account, user, filename: str, chunks: Iterable[bytes]) -> BulkEdit:
    """Keeps the file in the database and queues its check (a large file takes a while)."""
    bulk_edit = BulkEdit.objects.create(
        account=account,
        created_by=user,
        source=BulkEdit.Source.CSV,
        filename=filename[:255],
        heartbeat_at=timezone.now(),
    )
    BulkEditUploadPart.objects.bulk_create(
        BulkEditUploadPart(bulk_edit=bulk_edit, index=index, data=data)
        for index, data in enumerate(_resized(chunks, UPLOAD_PART_SIZE))
    )
    _enqueue_check(bulk_edit)
    return bulk_edit


@transaction.atomic
def bulk_edit_create_from_selection(
    *, account, user, sids: list[str], fields: dict, chunk_size: int = CHUNK_SIZE
) -> BulkEdit:
    """The same fields for each selected contact; `fields` are already checked by the form.

    A smaller `chunk_size` than Exotel's maximum means more requests but finer progress and cancel.
    """
    bulk_edit = BulkEdit.objects.create(
        account=account, created_by=user, source=BulkEdit.Source.FORM, state=BulkEdit.State.VALIDATING
    )
    edits = (csvfile.RowEdit(line, sid, dict(fields)) for line, sid in enumerate(dict.fromkeys(sids), start=1))
    _check(bulk_edit, edits, chunk_size)
    return bulk_edit


@transaction.atomic
def bulk_edit_retry_failed(*, bulk_edit: BulkEdit, user) -> BulkEdit:
    """A new job with the rows that were not applied (failed or not sent), to review and confirm."""
    if not bulk_edit.is_final or not (bulk_edit.failed or bulk_edit.not_sent):
        raise BulkEditError("Only a finished job with failed or unsent rows can be retried.")
    retry = BulkEdit.objects.create(
        account=bulk_edit.account,
        created_by=user,
        source=BulkEdit.Source.RETRY,
        retry_of=bulk_edit,
        filename=bulk_edit.filename,
        heartbeat_at=timezone.now(),
    )
    _enqueue_check(retry)
    return retry


# -- checking ------------------------------------------------------------------------------------


def bulk_edit_check(*, bulk_edit_id) -> None:
    """Reads and checks the job's input, stores its rows and preview. Idempotent: a re-run starts over.

    One copy at a time: a check queued again by the resume task while the first still runs (or still
    waits in the queue) must not interleave its rows with it. The lock lapses if its worker dies.
    """
    with bulk_edit_check_lock(bulk_edit_id) as lock:
        if lock is not None:
            _check_input(bulk_edit_id, lock)


def _check_input(bulk_edit_id, lock) -> None:
    bulk_edit = BulkEdit.objects.filter(id=bulk_edit_id, state=BulkEdit.State.VALIDATING).first()
    if bulk_edit is None:
        return
    bulk_edit.lines_read = bulk_edit.rows_with_problems = 0
    bulk_edit.rows.all().delete()
    bulk_edit.problems.all().delete()
    bulk_edit.chunks.all().delete()
    if bulk_edit.source == BulkEdit.Source.RETRY:
        if bulk_edit.retry_of is None:
            _reject(
                bulk_edit, [csvfile.Problem(0, "", "", "The job to retry was deleted: upload its failed rows instead.")]
            )
            return
        edits = _unapplied_rows(bulk_edit.retry_of)
    else:
        edits = csvfile.read_edits(_upload_parts(bulk_edit))
    try:
        _check(bulk_edit, edits, renew=lock.reacquire)  # not one transaction: "rows read so far" shows while it runs
    except csvfile.FileRejected as exc:
        _reject(bulk_edit, exc.problems)
    else:
        bulk_edit.upload_parts.all().delete()


def _check(
    bulk_edit: BulkEdit, edits: Iterable[csvfile.RowEdit], chunk_size: int = CHUNK_SIZE, renew=lambda: None
) -> None:
    valid = 0
    for batch in _batches(edits, CHUNK_SIZE):
        bad = [edit for edit in batch if edit.problems]
        good = [edit for edit in batch if not edit.problems]
        _store_problems(bulk_edit, [problem for edit in bad for problem in edit.problems])
        _store_rows(bulk_edit, good, first_index=valid, chunk_size=chunk_size)
        valid += len(good)
        bulk_edit.lines_read += len(batch)
        bulk_edit.rows_with_problems += len(bad)
        bulk_edit.heartbeat_at = timezone.now()
        bulk_edit.save(update_fields=["lines_read", "rows_with_problems", "heartbeat_at"])
        bulk_edit_progressed(bulk_edit)
        renew()  # the check's lock stays ours for another exoadmin.locks.BULK_EDIT_CHECK_SECONDS
    _drop_duplicate_sids(bulk_edit)
    _finish_check(bulk_edit)


def _store_rows(bulk_edit: BulkEdit, edits: list[csvfile.RowEdit], *, first_index: int, chunk_size: int) -> None:
    """Rows with their preview: compared with the mirror in one query per batch."""
    known = {
        contact["sid"]: contact
        for contact in Contact.objects.filter(account=bulk_edit.account_id, sid__in=[e.sid for e in edits]).values(
            "sid", *EDITABLE_FIELDS
        )
    }
    BulkEditRow.objects.bulk_create(
        [
            BulkEditRow(
                bulk_edit=bulk_edit,
                line=edit.line,
                sid=edit.sid,
                chunk_index=(first_index + position) // chunk_size,
                preview=_preview(known.get(edit.sid), edit.fields),
                **edit.fields,
            )
            for position, edit in enumerate(edits)
        ],
        batch_size=1000,
    )


def _preview(old: dict | None, new: dict) -> str:
    if old is None:
        return BulkEditRow.Preview.UNKNOWN
    same = all(old[name] == value for name, value in new.items())
    return BulkEditRow.Preview.UNCHANGED if same else BulkEditRow.Preview.CHANGED


def _store_problems(bulk_edit: BulkEdit, problems: list[csvfile.Problem]) -> None:
    room = MAX_STORED_PROBLEMS - bulk_edit.problems.count() if problems else 0
    BulkEditProblem.objects.bulk_create(
        BulkEditProblem(bulk_edit=bulk_edit, line=p.line, column=p.column[:100], value=p.value[:200], message=p.message)
        for p in problems[: max(room, 0)]
    )


def _drop_duplicate_sids(bulk_edit: BulkEdit) -> None:
    """A sid on two rows is ambiguous (which value wins?), so every one of those rows is refused.

    Found with GROUP BY, a batch at a time, rather than a set in memory that would grow with the file.
    """
    while duplicated := list(
        bulk_edit.rows.values("sid").annotate(n=Count("id")).filter(n__gt=1).values_list("sid", flat=True)[:CHUNK_SIZE]
    ):
        lines_by_sid: dict[str, list[int]] = {}
        for sid, line in bulk_edit.rows.filter(sid__in=duplicated).order_by("sid", "line").values_list("sid", "line"):
            lines_by_sid.setdefault(sid, []).append(line)
        _store_problems(
            bulk_edit,
            [
                csvfile.Problem(
                    line,
                    "sid",
                    sid,
                    f"This sid is on more than one row (rows {', '.join(map(str, lines))}): keep one row per contact.",
                )
                for sid, lines in lines_by_sid.items()
                for line in lines
            ],
        )
        bulk_edit.rows_with_problems += bulk_edit.rows.filter(sid__in=duplicated).delete()[0]


def _finish_check(bulk_edit: BulkEdit) -> None:
    counts = dict(bulk_edit.rows.values_list("preview").annotate(n=Count("id")))
    bulk_edit.changed = counts.get(BulkEditRow.Preview.CHANGED, 0)
    bulk_edit.unchanged = counts.get(BulkEditRow.Preview.UNCHANGED, 0)
    bulk_edit.unknown = counts.get(BulkEditRow.Preview.UNKNOWN, 0)
    bulk_edit.total = bulk_edit.changed + bulk_edit.unchanged + bulk_edit.unknown
    indexes = bulk_edit.rows.values_list("chunk_index", flat=True).distinct().order_by("chunk_index")
    BulkEditChunk.objects.bulk_create(BulkEditChunk(bulk_edit=bulk_edit, index=index) for index in indexes)
    if bulk_edit.total:
        bulk_edit.state = BulkEdit.State.REVIEW
    else:
        bulk_edit.state = BulkEdit.State.REJECTED
        bulk_edit.error = "No row can be sent: fix the problems below and upload the file again."
    bulk_edit.save()
    bulk_edit_progressed(bulk_edit)


def _reject(bulk_edit: BulkEdit, problems: list[csvfile.Problem]) -> None:
    with transaction.atomic():
        bulk_edit.rows.all().delete()
        bulk_edit.problems.all().delete()
        _store_problems(bulk_edit, problems)
        bulk_edit.state = BulkEdit.State.REJECTED
        bulk_edit.error = problems[0].message if len(problems) == 1 else "The file cannot be used as it is."
        bulk_edit.total = bulk_edit.changed = bulk_edit.unchanged = bulk_edit.unknown = 0
        bulk_edit.save()
        bulk_edit.upload_parts.all().delete()
        bulk_edit_progressed(bulk_edit)


def _unapplied_rows(original: BulkEdit) -> Iterator[csvfile.RowEdit]:
    rows = original.rows.exclude(outcome=BulkEditRow.Outcome.APPLIED).order_by("line")
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield csvfile.RowEdit(row.line, row.sid, row.changes())


def _upload_parts(bulk_edit: BulkEdit) -> Iterator[bytes]:
    """One part in memory at a time."""
    ids = list(bulk_edit.upload_parts.order_by("index").values_list("id", flat=True))
    for part_id in ids:
        data = BulkEditUploadPart.objects.values_list("data", flat=True).get(id=part_id)
        yield bytes(data)  # a memoryview on PostgreSQL


# -- confirming, cancelling ----------------------------------------------------------------------


def bulk_edit_confirm(*, bulk_edit: BulkEdit) -> None:
    """Review → queued; the conditional UPDATE makes a double click queue it once."""
    with transaction.atomic():
        now = timezone.now()
        queued = BulkEdit.objects.filter(id=bulk_edit.id, state=BulkEdit.State.REVIEW).update(
            state=BulkEdit.State.QUEUED, confirmed_at=now, heartbeat_at=now
        )
        if not queued:
            raise BulkEditError("This job is not waiting for confirmation any more.")
        _enqueue_run(bulk_edit)


def bulk_edit_discard(*, bulk_edit: BulkEdit) -> None:
    with transaction.atomic():
        if not BulkEdit.objects.filter(id=bulk_edit.id, state=BulkEdit.State.REVIEW).update(
            state=BulkEdit.State.DISCARDED, finished_at=timezone.now()
        ):
            raise BulkEditError("Only a job waiting for confirmation can be discarded.")
        bulk_edit.rows.all().delete()


def bulk_edit_cancel(*, bulk_edit: BulkEdit) -> None:
    """Stops after the chunks in flight: they finish and are recorded, no new chunk starts."""
    from contacts.sending import bulk_edit_finish_if_complete

    if not BulkEdit.objects.filter(id=bulk_edit.id, state__in=BulkEdit.SENDING_STATES).update(cancel_requested=True):
        raise BulkEditError("This job is not running any more.")
    bulk_edit_finish_if_complete(bulk_edit_id=bulk_edit.id)


# -- helpers -------------------------------------------------------------------------------------


def _enqueue_check(bulk_edit: BulkEdit) -> None:
    from contacts.tasks import bulk_edit_check as bulk_edit_check_task

    transaction.on_commit(lambda: enqueue(bulk_edit_check_task, str(bulk_edit.id)))


def _enqueue_run(bulk_edit: BulkEdit) -> None:
    from contacts.tasks import bulk_edit_run as bulk_edit_run_task

    transaction.on_commit(lambda: enqueue(bulk_edit_run_task, str(bulk_edit.id)))


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _resized(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Upload chunks regrouped into parts of `size` bytes."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)
