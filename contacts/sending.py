"""Sending a confirmed bulk edit to Exotel: chunks claimed, sent, recorded exactly once.

How nothing is lost or done twice:
- A chunk is claimed with a conditional UPDATE (pending, or sending with an expired lease) and a
  lease that the runner renews every few seconds while it lives. A runner killed with kill -9
  stops renewing; its chunks become claimable again after LEASE and the job's heartbeat goes
  stale, so `bulk_edits_resume_stalled` (beat) queues the job again.
- A chunk's outcomes are recorded in one transaction that starts by moving the chunk from
  "sending, claimed by me" to "recorded". Only one runner can win that UPDATE, so each row's
  outcome and the job's counters are written once.
- A chunk is sent again only when its outcome was never recorded (a runner died between send
  and record, or Exotel's answer never arrived). That is safe because the bulk PUT is
  idempotent: it sets each field to an absolute value, so applying a chunk twice leaves each
  contact as applying it once does; we record the answer to the send that we saw.
- Several senders per runner keep requests in flight, so the shared rate budget (bulk share:
  limit minus EXOTEL_INTERACTIVE_RESERVE) is what bounds the job, not our round trips.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta

from django.db import close_old_connections, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from contacts.models import EDITABLE_FIELDS, BulkEdit, BulkEditChunk, BulkEditRow, Contact
from exoadmin.accounts.clients import exotel_client
from exoadmin.exotel import contacts as exotel_contacts
from exoadmin.exotel.errors import AuthenticationFailed, ExotelError, Forbidden, UnknownOutcome
from exoadmin.exotel.models import BulkResult
from exoadmin.live.publish import Topic, changed
from exoadmin.metrics import BULK_EDIT_ROWS
from exoadmin.queueing import enqueue

log = logging.getLogger(__name__)

SENDERS = 2  # chunks in flight per runner: enough to keep the budget the bound (see bench)
LEASE = timedelta(seconds=15)  # a claim not renewed for this long belongs to a dead runner
RENEW_EVERY = 3.0  # seconds
STALLED_AFTER = timedelta(seconds=20)  # no heartbeat for this long: the job's runner is gone
MAX_CHUNK_ATTEMPTS = 8  # each attempt already includes the client's own retries
CANCELLED_MESSAGE = "Not sent: the job was cancelled before this row's turn."


def bulk_edit_run(*, bulk_edit_id) -> None:
    """Sends every unrecorded chunk of a queued or running job; returns when none is left to claim."""
    now = timezone.now()
    if not BulkEdit.objects.filter(id=bulk_edit_id, state__in=BulkEdit.SENDING_STATES).update(
        state=BulkEdit.State.RUNNING, heartbeat_at=now
    ):
        return
    BulkEdit.objects.filter(id=bulk_edit_id, started_at__isnull=True).update(started_at=now)
    bulk_edit = BulkEdit.objects.select_related("account").get(id=bulk_edit_id)
    bulk_edit_progressed(bulk_edit)
    token = uuid.uuid4().hex
    with ThreadPoolExecutor(SENDERS, thread_name_prefix=f"bulk-{str(bulk_edit_id)[:8]}") as pool:
        senders = [pool.submit(_sender, bulk_edit, token) for _ in range(SENDERS)]
        while wait(senders, timeout=RENEW_EVERY).not_done:
            _renew(bulk_edit_id, token)
    for future in senders:
        future.result()  # a sender's crash fails the task; its claims expire and the job resumes
    bulk_edit_finish_if_complete(bulk_edit_id=bulk_edit_id)


def bulk_edit_finish_if_complete(*, bulk_edit_id) -> None:
    """Moves the job to its final state once no chunk is left to send (or it was cancelled)."""
    with transaction.atomic():
        bulk_edit = _lock_job(bulk_edit_id)
        if bulk_edit is None or bulk_edit.state not in BulkEdit.SENDING_STATES:
            return
        chunks = bulk_edit.chunks
        if bulk_edit.cancel_requested:
            chunks.filter(state=BulkEditChunk.State.PENDING).update(state=BulkEditChunk.State.SKIPPED)
        if chunks.filter(state__in=[BulkEditChunk.State.PENDING, BulkEditChunk.State.SENDING]).exists():
            return
        bulk_edit.rows.filter(outcome=BulkEditRow.Outcome.PENDING).update(
            outcome=BulkEditRow.Outcome.NOT_SENT, message=bulk_edit.error or CANCELLED_MESSAGE
        )
        bulk_edit.not_sent = bulk_edit.rows.filter(outcome=BulkEditRow.Outcome.NOT_SENT).count()
        bulk_edit.state = _final_state(bulk_edit)
        bulk_edit.finished_at = timezone.now()
        bulk_edit.save(update_fields=["not_sent", "state", "finished_at"])
        bulk_edit_progressed(bulk_edit)
    log.info(
        "bulk edit %s %s: %s applied, %s failed, %s not sent",
        bulk_edit.id,
        bulk_edit.state,
        bulk_edit.applied,
        bulk_edit.failed,
        bulk_edit.not_sent,
    )


def bulk_edits_resume_stalled(*, stalled_after: timedelta = STALLED_AFTER) -> list[str]:
    """Queues again the jobs whose runner stopped giving signs of life (killed worker, lost message).

    Answers their ids. Touching the heartbeat first means one resume per stall, not one per tick.
    """
    from contacts.tasks import bulk_edit_check
    from contacts.tasks import bulk_edit_run as bulk_edit_run_task

    now = timezone.now()
    stale = Q(heartbeat_at__lt=now - stalled_after) | Q(heartbeat_at__isnull=True)
    resumed = []
    active = [BulkEdit.State.VALIDATING, *BulkEdit.SENDING_STATES]
    for bulk_edit in BulkEdit.objects.filter(stale, state__in=active).only("id", "state", "heartbeat_at"):
        if not BulkEdit.objects.filter(id=bulk_edit.id, heartbeat_at=bulk_edit.heartbeat_at).update(heartbeat_at=now):
            continue
        task = bulk_edit_check if bulk_edit.state == BulkEdit.State.VALIDATING else bulk_edit_run_task
        if not enqueue(task, str(bulk_edit.id)):
            continue  # the broker is sick: the next sweep after this claim lapses tries again
        log.warning("bulk edit %s (%s) had stalled: queued again", bulk_edit.id, bulk_edit.state)
        resumed.append(str(bulk_edit.id))
    return resumed


# -- one sender thread ---------------------------------------------------------------------------


def _sender(bulk_edit: BulkEdit, token: str) -> None:
    client = exotel_client(bulk_edit.account, priority="bulk")
    try:
        while True:
            chunk = _claim(bulk_edit.id, token)
            if chunk is None:
                if not _wait_for_backoff(bulk_edit.id):
                    return
                continue
            _send(bulk_edit, chunk, token, client)
    finally:
        connection.close()  # this thread's own connection


def _claim(bulk_edit_id, token: str) -> BulkEditChunk | None:
    """The next chunk nobody is sending, claimed with a conditional UPDATE; None when there is none."""
    while True:
        now = timezone.now()
        claimable = Q(state=BulkEditChunk.State.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now)) | Q(
            state=BulkEditChunk.State.SENDING, lease_until__lt=now
        )
        with transaction.atomic():
            # The job row lock also orders claims after a cancel (see bulk_edit_finish_if_complete).
            job = _lock_job(bulk_edit_id)
            if job is None or job.state != BulkEdit.State.RUNNING:
                return None
            if job.cancel_requested:  # send nothing new, but finish a chunk whose sender died mid-PUT
                claimable = Q(state=BulkEditChunk.State.SENDING, lease_until__lt=now)
            chunk = BulkEditChunk.objects.filter(claimable, bulk_edit_id=bulk_edit_id).order_by("index").first()
            if chunk is None:
                return None
            if BulkEditChunk.objects.filter(claimable, id=chunk.id).update(
                state=BulkEditChunk.State.SENDING,
                claim_token=token,
                lease_until=now + LEASE,
                attempts=F("attempts") + 1,
            ):
                chunk.refresh_from_db()
                return chunk


def _wait_for_backoff(bulk_edit_id) -> bool:
    """When only chunks in back-off remain, sleeps a little and answers True to try again."""
    waiting = BulkEditChunk.objects.filter(
        bulk_edit_id=bulk_edit_id, state=BulkEditChunk.State.PENDING, not_before__gt=timezone.now()
    )
    running = BulkEdit.objects.filter(id=bulk_edit_id, cancel_requested=False, state=BulkEdit.State.RUNNING)
    if not (waiting.exists() and running.exists()):
        return False
    threading.Event().wait(1.0)
    return True


def _send(bulk_edit: BulkEdit, chunk: BulkEditChunk, token: str, client) -> None:
    rows = list(
        BulkEditRow.objects.filter(bulk_edit_id=bulk_edit.id, chunk_index=chunk.index)
        .order_by("line")
        .values_list("id", "sid", *EDITABLE_FIELDS)
    )
    payload = [
        {"sid": sid, **{name: value for name, value in zip(EDITABLE_FIELDS, values, strict=True) if value is not None}}
        for _, sid, *values in rows
    ]
    try:
        result = exotel_contacts.bulk_update(client, payload)
    except ExotelError as exc:
        _after_failure(bulk_edit, chunk, token, [row[0] for row in rows], exc)
        return
    close_old_connections()  # the send may have outlived the connection's max age
    if len(result.rows) != len(payload):
        error = UnknownOutcome(
            f"Exotel answered {len(result.rows)} outcomes for {len(payload)} contacts", request_id=result.request_id
        )
        _after_failure(bulk_edit, chunk, token, [row[0] for row in rows], error)
        return
    _record(bulk_edit, chunk, token, [row[0] for row in rows], result)


def _record(bulk_edit: BulkEdit, chunk: BulkEditChunk, token: str, row_ids: list[int], result: BulkResult) -> None:
    """Every row's outcome, the mirror and the counters, once: only the claim holder wins the first UPDATE."""
    now = timezone.now()
    failures = defaultdict(list)
    for outcome in result.rows:
        if not outcome.ok:
            failures[(outcome.code, outcome.exotel_code, outcome.message or "")].append(row_ids[outcome.index])
    with transaction.atomic():
        _lock_job(bulk_edit.id)
        if not _mark_recorded(chunk, token, now, result.request_id):
            log.warning("bulk edit %s chunk %s: claim lost, outcome left to its new sender", bulk_edit.id, chunk.index)
            return
        rows = BulkEditRow.objects.filter(bulk_edit_id=bulk_edit.id, chunk_index=chunk.index)
        for (code, exotel_code, message), ids in failures.items():
            rows.filter(id__in=ids).update(
                outcome=BulkEditRow.Outcome.FAILED,
                code=code,
                exotel_code=exotel_code,
                message=message,
                request_id=result.request_id,
            )
        failed = sum(len(ids) for ids in failures.values())
        rows.filter(outcome=BulkEditRow.Outcome.PENDING).update(
            outcome=BulkEditRow.Outcome.APPLIED, code=200, request_id=result.request_id
        )
        _update_mirror(bulk_edit, chunk.index, now)
        BulkEdit.objects.filter(id=bulk_edit.id).update(
            applied=F("applied") + len(row_ids) - failed, failed=F("failed") + failed, heartbeat_at=now
        )
        bulk_edit_progressed(bulk_edit)
    BULK_EDIT_ROWS.labels("applied").inc(len(row_ids) - failed)
    BULK_EDIT_ROWS.labels("failed").inc(failed)
    if failed:
        log.info(
            "bulk edit %s chunk %s: %s of %s rows refused by Exotel (request_id %s)",
            bulk_edit.id,
            chunk.index,
            failed,
            len(row_ids),
            result.request_id,
        )


def _after_failure(bulk_edit: BulkEdit, chunk: BulkEditChunk, token: str, row_ids: list[int], exc: ExotelError) -> None:
    """The whole request failed: stop the job (credentials), try the chunk later, or report its rows."""
    log.warning(
        "bulk edit %s chunk %s attempt %s failed: %s (request_id %s)",
        bulk_edit.id,
        chunk.index,
        chunk.attempts,
        exc.user_message,
        exc.request_id,
    )
    message = f"{exc.user_message} ({exc.reference})" if exc.reference else exc.user_message
    if isinstance(exc, (AuthenticationFailed, Forbidden)):
        # Every other chunk would fail the same way: stop, and say so on the unsent rows.
        BulkEdit.objects.filter(id=bulk_edit.id).update(error=f"Not sent: {message}", cancel_requested=True)
        _release(chunk, token, message, delay=0)
    elif (exc.retryable or isinstance(exc, UnknownOutcome)) and chunk.attempts < MAX_CHUNK_ATTEMPTS:
        _release(chunk, token, message, delay=min(60, 2**chunk.attempts) * random.uniform(0.5, 1))
    else:
        _record_all_failed(bulk_edit, chunk, token, row_ids, exc, message)


def _release(chunk: BulkEditChunk, token: str, message: str, *, delay: float) -> None:
    BulkEditChunk.objects.filter(id=chunk.id, state=BulkEditChunk.State.SENDING, claim_token=token).update(
        state=BulkEditChunk.State.PENDING,
        lease_until=None,
        last_error=message,
        not_before=timezone.now() + timedelta(seconds=delay),
    )


def _record_all_failed(bulk_edit, chunk, token, row_ids, exc: ExotelError, message: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        _lock_job(bulk_edit.id)
        if not _mark_recorded(chunk, token, now, exc.request_id, last_error=message):
            return
        BulkEditRow.objects.filter(bulk_edit_id=bulk_edit.id, chunk_index=chunk.index).update(
            outcome=BulkEditRow.Outcome.FAILED,
            code=exc.http_status,
            exotel_code=exc.code,
            message=message,
            request_id=exc.request_id,
        )
        BulkEdit.objects.filter(id=bulk_edit.id).update(failed=F("failed") + len(row_ids), heartbeat_at=now)
        bulk_edit_progressed(bulk_edit)


def bulk_edit_progressed(bulk_edit: BulkEdit) -> None:
    """Tells the job's open pages that its state or counts moved (once the change commits)."""
    changed(Topic.BULK_EDIT, str(bulk_edit.id), account_id=bulk_edit.account_id)


def _mark_recorded(chunk, token, now, request_id, last_error: str = "") -> bool:
    return bool(
        BulkEditChunk.objects.filter(id=chunk.id, state=BulkEditChunk.State.SENDING, claim_token=token).update(
            state=BulkEditChunk.State.RECORDED,
            recorded_at=now,
            request_id=request_id,
            lease_until=None,
            last_error=last_error,
        )
    )


def _update_mirror(bulk_edit: BulkEdit, chunk_index: int, now) -> None:
    """Applied values into the local copy: one UPDATE per field, whatever the chunk's size."""
    applied = BulkEditRow.objects.filter(
        bulk_edit_id=bulk_edit.id, chunk_index=chunk_index, outcome=BulkEditRow.Outcome.APPLIED
    ).order_by()
    for name in EDITABLE_FIELDS:
        setting = applied.filter(**{f"{name}__isnull": False})
        Contact.objects.filter(account_id=bulk_edit.account_id, sid__in=setting.values("sid")).update(
            **{name: Subquery(setting.filter(sid=OuterRef("sid")).values(name)[:1])}, synced_at=now
        )


def _renew(bulk_edit_id, token: str) -> None:
    """The runner's sign of life: its claims' leases and the job's heartbeat."""
    now = timezone.now()
    with transaction.atomic():
        _lock_job(bulk_edit_id)
        BulkEditChunk.objects.filter(
            bulk_edit_id=bulk_edit_id, claim_token=token, state=BulkEditChunk.State.SENDING
        ).update(lease_until=now + LEASE)
        BulkEdit.objects.filter(id=bulk_edit_id).update(heartbeat_at=now)


def _lock_job(bulk_edit_id) -> BulkEdit | None:
    """Every transaction that writes chunks locks the job row first: one lock order, no deadlocks.

    A no-op UPDATE rather than SELECT ... FOR UPDATE: it row-locks on PostgreSQL the same way, and on
    SQLite (which ignores FOR UPDATE) it takes the write lock at the start of the transaction, so
    that the transaction waits its turn instead of failing with "database is locked" on upgrade.
    """
    if not BulkEdit.objects.filter(id=bulk_edit_id).update(cancel_requested=F("cancel_requested")):
        return None
    return BulkEdit.objects.get(id=bulk_edit_id)


def _final_state(bulk_edit: BulkEdit) -> str:
    if bulk_edit.error:
        return BulkEdit.State.FAILED
    if bulk_edit.cancel_requested:
        return BulkEdit.State.CANCELLED
    return BulkEdit.State.DONE_WITH_ERRORS if bulk_edit.failed else BulkEdit.State.DONE
