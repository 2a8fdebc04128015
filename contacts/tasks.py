"""Celery tasks: thin wrappers taking ids. Names starting with bulk_ run on the "bulk" queue
(CELERY_TASK_ROUTES), so a long job never queues in front of a supervisor's click.

acks_late + reject_on_worker_lost: a task whose worker dies is delivered again; every service
called here is idempotent (checks start over, sends claim unrecorded chunks only).
"""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_edit_check(bulk_edit_id: str) -> None:
    from contacts.services import bulk_edit_check as check

    check(bulk_edit_id=bulk_edit_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_edit_run(bulk_edit_id: str) -> None:
    from contacts.sending import bulk_edit_run as run

    run(bulk_edit_id=bulk_edit_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_contacts_sync(sync_id: int) -> None:
    from contacts.sync import contacts_sync_run

    again_after = contacts_sync_run(sync_id=sync_id)
    if again_after is not None:
        bulk_contacts_sync.apply_async((sync_id,), countdown=again_after)


@shared_task
def resume_stalled_bulk_edits(stalled_after_seconds: float | None = None) -> list[str]:
    """Beat runs this every 30 s; a job whose worker died is queued again."""
    from datetime import timedelta

    from contacts.sending import STALLED_AFTER, bulk_edits_resume_stalled
    from contacts.sync import contact_syncs_resume_stalled

    stalled_after = timedelta(seconds=stalled_after_seconds) if stalled_after_seconds else STALLED_AFTER
    contact_syncs_resume_stalled()
    return bulk_edits_resume_stalled(stalled_after=stalled_after)
