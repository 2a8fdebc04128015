"""Sending bulk edits with the real Celery worker and the sandbox: outcomes per row, faults, a killed
worker, cancel. Every row must end applied or reported, and nothing applied may be sent again."""

import json
import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from contacts import services
from contacts.models import BulkEdit, BulkEditChunk, BulkEditRow, Contact
from contacts.tasks import bulk_edit_run, resume_stalled_bulk_edits
from tests.contacts.helpers import exotel_contact, seed_contacts
from tests.support.processes import CeleryWorker, wait_until

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture(autouse=True)
def quick_sandbox(sandbox):
    yield
    sandbox.configure(faults={"error_500": 0, "error_429": 0, "slow": 0, "drop": 0})


def job_for(account, user, sids, fields, **options) -> BulkEdit:
    return services.bulk_edit_create_from_selection(account=account, user=user, sids=sids, fields=fields, **options)


def finished(bulk_edit: BulkEdit, timeout: float = 60) -> BulkEdit:
    def final():
        bulk_edit.refresh_from_db()
        return bulk_edit if bulk_edit.is_final else None

    return wait_until(final, timeout=timeout, what=f"bulk edit {bulk_edit.id} to finish")


def answered_puts(sandbox) -> list[str]:
    """Request ids of the bulk PUTs Exotel answered with outcomes (a 500 or 429 changed nothing).

    The sandbox logs bodies only up to 64 KB, so a 5,000-contact chunk is matched by request id.
    """
    return [entry["request_id"] for entry in sandbox.requests("/contacts", "PUT") if entry["status"] in (200, 207)]


def logged_body(entry) -> dict:
    return json.loads(entry["body"]) if isinstance(entry["body"], str) else entry["body"]


def recorded_answers(bulk_edit) -> list[str]:
    return list(bulk_edit.chunks.values_list("request_id", flat=True))


def test_each_row_stores_exotels_outcome_and_applied_rows_update_exotel_and_the_mirror(
    sandbox, exotel_account, member, celery_worker
):
    known = seed_contacts(sandbox, exotel_account, 5)
    bulk_edit = job_for(
        exotel_account, member.user, [*known, "gone-1", "gone-2"], {"tag": "renewal", "first_name": "Ada"}
    )

    services.bulk_edit_confirm(bulk_edit=bulk_edit)
    finished(bulk_edit)

    assert bulk_edit.state == BulkEdit.State.DONE_WITH_ERRORS
    assert (bulk_edit.applied, bulk_edit.failed, bulk_edit.not_sent) == (5, 2, 0)
    gone = bulk_edit.rows.get(sid="gone-1")
    assert (gone.outcome, gone.code, gone.exotel_code) == ("failed", 404, 1000)
    assert gone.message.startswith("This contact is not in Exotel") and gone.request_id
    assert set(bulk_edit.rows.filter(sid__in=known).values_list("outcome", "code")) == {("applied", 200)}
    assert {exotel_contact(sandbox, sid)["tag"] for sid in known} == {"renewal"}
    assert set(Contact.objects.filter(sid__in=known).values_list("first_name", "tag")) == {("Ada", "renewal")}


def test_with_20_percent_faults_every_row_ends_applied_or_reported_and_none_is_sent_twice_after_success(
    sandbox, exotel_account, member, celery_worker
):
    known = seed_contacts(sandbox, exotel_account, 2_000, mirrored=False)
    # 41 chunks of 50: enough requests that the faults surely hit some
    bulk_edit = job_for(exotel_account, member.user, [*known, "gone-1"], {"tag": "faulty-day"}, chunk_size=50)
    sandbox.configure(faults={"error_500": 0.1, "error_429": 0.1})

    services.bulk_edit_confirm(bulk_edit=bulk_edit)
    finished(bulk_edit, timeout=120)

    faulted = [e for e in sandbox.requests("/contacts", "PUT") if e["status"] in (429, 500)]
    assert len(faulted) >= 2
    assert (bulk_edit.applied, bulk_edit.failed, bulk_edit.not_sent) == (2_000, 1, 0)
    assert not bulk_edit.rows.filter(outcome=BulkEditRow.Outcome.PENDING).exists()
    # One answered PUT per chunk, the one recorded, and each contact in exactly one of them.
    assert sorted(answered_puts(sandbox)) == sorted(recorded_answers(bulk_edit))
    sent = Counter(
        contact["sid"]
        for entry in sandbox.requests("/contacts", "PUT")
        if entry["status"] in (200, 207)
        for contact in logged_body(entry)["contacts"]
    )
    assert set(sent) == {*known, "gone-1"} and set(sent.values()) == {1}
    assert set(bulk_edit.rows.values_list("request_id", flat=True)) == set(recorded_answers(bulk_edit))
    assert exotel_contact(sandbox, known[-1])["tag"] == "faulty-day"


def test_cancel_stops_after_the_chunks_in_flight_and_reports_the_rest_as_not_sent(
    sandbox, exotel_account, member, celery_worker
):
    bulk_edit = job_for(exotel_account, member.user, [f"unknown-{i}" for i in range(25_000)], {"tag": "x"})
    sandbox.configure(faults={"slow": 1.0, "slow_seconds": 1.5})

    services.bulk_edit_confirm(bulk_edit=bulk_edit)
    wait_until(
        lambda: bulk_edit.chunks.filter(state=BulkEditChunk.State.SENDING).exists(),
        timeout=30,
        what="a chunk in flight",
    )
    services.bulk_edit_cancel(bulk_edit=bulk_edit)
    finished(bulk_edit)

    assert bulk_edit.state == BulkEdit.State.CANCELLED
    assert bulk_edit.failed + bulk_edit.not_sent == 25_000 and bulk_edit.not_sent >= 5000
    assert bulk_edit.failed == 5000 * bulk_edit.chunks.filter(state=BulkEditChunk.State.RECORDED).count()
    assert set(bulk_edit.rows.filter(outcome="not_sent").values_list("message", flat=True)) == {
        "Not sent: the job was cancelled before this row's turn."
    }
    assert len(sandbox.requests("/contacts", "PUT")) == bulk_edit.failed // 5000


def test_a_worker_killed_mid_job_is_replaced_and_the_job_completes_with_the_same_totals(
    sandbox, exotel_account, member, real_services, service_logs, django_db_setup
):
    from tests.conftest import _database_url

    known = seed_contacts(sandbox, exotel_account, 30_000, mirrored=False)
    bulk_edit = job_for(exotel_account, member.user, [*known, "gone-1"], {"tag": "survivor"})
    BulkEdit.objects.filter(id=bulk_edit.id).update(state=BulkEdit.State.QUEUED)
    sandbox.configure(faults={"slow": 1.0, "slow_seconds": 1.0})
    env = {**os.environ, "DATABASE_URL": _database_url(), **{k: v for k, v in real_services.items() if k != "CACHES"}}
    doomed = CeleryWorker(service_logs, env)
    doomed.argv[doomed.argv.index("interactive,bulk")] = "contacts-doomed"
    doomed.start()
    replacement = None
    try:
        bulk_edit_run.apply_async((str(bulk_edit.id),), queue="contacts-doomed")
        wait_until(
            lambda: bulk_edit.rows.filter(outcome=BulkEditRow.Outcome.APPLIED).exists(),
            timeout=60,
            what="the first chunk to be recorded",
        )
        os.killpg(doomed.process.pid, signal.SIGKILL)  # the worker and its pool children, like a lost machine
        doomed.process.wait()
        unrecorded = bulk_edit.chunks.exclude(state=BulkEditChunk.State.RECORDED).count()
        assert unrecorded, "the kill came too late to interrupt the job"

        replacement = CeleryWorker(service_logs, env)
        replacement.start()

        def resumed_and_finished():  # what beat does every 15 s
            resume_stalled_bulk_edits.delay()
            time.sleep(2)
            bulk_edit.refresh_from_db()
            return bulk_edit.is_final

        wait_until(resumed_and_finished, timeout=120, what="the job to resume and finish")
    finally:
        doomed.stop()
        if replacement:
            replacement.stop()

    assert bulk_edit.state == BulkEdit.State.DONE_WITH_ERRORS
    assert (bulk_edit.applied, bulk_edit.failed, bulk_edit.not_sent) == (30_000, 1, 0)
    assert Counter(bulk_edit.rows.values_list("outcome", flat=True)) == {"applied": 30_000, "failed": 1}
    assert exotel_contact(sandbox, known[-1])["tag"] == "survivor"
    answered = answered_puts(sandbox)
    assert set(recorded_answers(bulk_edit)) <= set(answered)
    # Only the chunks in flight at the kill may have gone twice (safe: the bulk PUT is idempotent).
    assert len(answered) <= bulk_edit.chunks.count() + unrecorded


def test_a_job_whose_queued_message_was_lost_in_a_redis_restart_is_queued_again(
    sandbox, exotel_account, member, celery_worker, redis_server
):
    known = seed_contacts(sandbox, exotel_account, 3)
    bulk_edit = job_for(exotel_account, member.user, known, {"tag": "after-restart"})
    # Confirmed a while ago, but its message sat in the Redis that restarts now (no persistence).
    BulkEdit.objects.filter(id=bulk_edit.id).update(
        state=BulkEdit.State.QUEUED, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    redis_server.stop()
    redis_server.start()

    def resumed_and_finished():  # beat's tick, once the worker has reconnected
        resume_stalled_bulk_edits.delay()
        time.sleep(1)
        bulk_edit.refresh_from_db()
        return bulk_edit.is_final

    wait_until(resumed_and_finished, timeout=60, what="the job to be queued again and finish")

    assert (bulk_edit.state, bulk_edit.applied) == (BulkEdit.State.DONE, 3)
    assert {exotel_contact(sandbox, sid)["tag"] for sid in known} == {"after-restart"}
