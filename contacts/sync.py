"""Mirroring an account's Exotel contacts locally, so that supervisors can search them and
previews can show old → new.

Exotel lists contacts 20 per request, so a million contacts take 50,000 requests: about 4.4 hours
at the bulk share of the rate budget (190/min). A sync therefore is a resumable job: each run
fetches at most PAGES_PER_RUN pages, checkpoints `next_offset` after every page and queues the
next run, so a worker is never held for hours and a killed worker loses at most one page.
Contacts created or deleted during a sync can shift offsets; the next sync corrects that.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from contacts.models import Contact, ContactSync
from exoadmin.accounts.clients import exotel_client
from exoadmin.exotel import contacts as exotel_contacts
from exoadmin.exotel.errors import ExotelError
from exoadmin.queueing import enqueue

log = logging.getLogger(__name__)

PAGES_PER_RUN = 60  # about 20 s of requests at the bulk share, then the next run is queued
RETRY_SECONDS = 30  # after Exotel failed a page even with the client's retries
STALLED_AFTER = timedelta(minutes=5)  # no page stored for this long: the run was lost


def contacts_sync_start(*, account) -> ContactSync:
    """Starts a sync of the account, or answers the one already running."""
    from contacts.tasks import bulk_contacts_sync

    with transaction.atomic():
        running = ContactSync.objects.filter(account=account, state=ContactSync.State.RUNNING).first()
        if running:
            return running
        sync = ContactSync.objects.create(account=account, heartbeat_at=timezone.now())
        transaction.on_commit(lambda: enqueue(bulk_contacts_sync, sync.id))
    return sync


def contacts_sync_run(*, sync_id: int) -> float | None:
    """Fetches up to PAGES_PER_RUN pages; answers the seconds after which to run again, None when done."""
    sync = ContactSync.objects.select_related("account").filter(id=sync_id, state=ContactSync.State.RUNNING).first()
    if sync is None:
        return None
    client = exotel_client(sync.account, priority="bulk")
    try:
        for _ in range(PAGES_PER_RUN):
            page = exotel_contacts.list_page(client, offset=sync.next_offset, limit=exotel_contacts.MAX_PAGE)
            _store_page(sync, page)
            if len(page.contacts) < exotel_contacts.MAX_PAGE:
                _finish(sync)
                return None
        return 0
    except ExotelError as exc:
        log.warning(
            "contact sync %s failed at offset %s: %s (request_id %s)",
            sync.id,
            sync.next_offset,
            exc.user_message,
            exc.request_id,
        )
        if exc.retryable:
            return RETRY_SECONDS  # the checkpoint stays; the next run starts from it
        ContactSync.objects.filter(id=sync.id).update(
            state=ContactSync.State.FAILED, error=exc.user_message, finished_at=timezone.now()
        )
        return None


def _store_page(sync: ContactSync, page) -> None:
    now = timezone.now()
    with transaction.atomic():
        Contact.objects.bulk_create(
            [
                Contact(
                    account_id=sync.account_id,
                    sid=c.sid,
                    number=c.number or "",
                    first_name=c.first_name or "",
                    last_name=c.last_name or "",
                    company_name=c.company_name or "",
                    email=c.email or "",
                    tag=c.tag or "",
                    custom_field=c.custom_field,
                    synced_at=now,
                )
                for c in page.contacts
            ],
            update_conflicts=True,
            unique_fields=["account", "sid"],
            update_fields=[
                "number",
                "first_name",
                "last_name",
                "company_name",
                "email",
                "tag",
                "custom_field",
                "synced_at",
            ],
        )
        sync.next_offset += len(page.contacts)
        sync.fetched += len(page.contacts)
        sync.total = page.total
        sync.heartbeat_at = now
        sync.save(update_fields=["next_offset", "fetched", "total", "heartbeat_at"])


def _finish(sync: ContactSync) -> None:
    """A complete pass: contacts it did not see were deleted in Exotel, so they leave the mirror."""
    with transaction.atomic():
        Contact.objects.filter(account_id=sync.account_id, synced_at__lt=sync.started_at).delete()
        sync.state = ContactSync.State.DONE
        sync.finished_at = timezone.now()
        sync.save(update_fields=["state", "finished_at"])


def contact_syncs_resume_stalled() -> None:
    """A sync whose run was lost (killed worker, Redis restart) continues from its checkpoint."""
    from contacts.tasks import bulk_contacts_sync

    now = timezone.now()
    for sync in ContactSync.objects.filter(state=ContactSync.State.RUNNING, heartbeat_at__lt=now - STALLED_AFTER):
        if ContactSync.objects.filter(id=sync.id, heartbeat_at=sync.heartbeat_at).update(heartbeat_at=now):
            enqueue(bulk_contacts_sync, sync.id)  # unsent: the next sweep after this claim lapses tries again
