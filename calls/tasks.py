"""Celery tasks for calls: thin, by id, idempotent."""

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=1, max_retries=8)
def drain_callback_inbox() -> int:
    """Store and apply the status callbacks the webhook queued (also run by beat, as a sweep)."""
    from calls.inbox import inbox_drain, inbox_requeue_stale
    from calls.tracking import callback_receive

    inbox_requeue_stale()
    return inbox_drain(lambda payload, ref: callback_receive(payload=payload, ref=ref))


@shared_task
def bulk_fetch_call_legs(call_id: int) -> None:
    """After the terminal callback: the legs for the call's timeline. On the bulk queue: a burst of
    ended calls must never queue in front of the callback drain (the load test saw 40 s of delay)."""
    from calls.tracking import call_legs_fetch

    call_legs_fetch(call_id=call_id, priority="bulk")


@shared_task
def reconcile_call(call_id: int) -> None:
    """A launch whose outcome is unknown: look for the call in Exotel (never launch again)."""
    from calls.reconciling import call_reconcile

    call_reconcile(call_id=call_id)


@shared_task
def bulk_poll_stale_calls(active_after_seconds: float | None = None) -> int:
    """Beat: poll calls whose callbacks are late or lost (bulk priority, within the rate budget)."""
    from calls.tracking import POLL_ACTIVE_AFTER, calls_poll_stale

    after = POLL_ACTIVE_AFTER if active_after_seconds is None else timedelta(seconds=active_after_seconds)
    return calls_poll_stale(active_after=after)
