"""Celery tasks: thin wrappers that take ids and call the agents' services (sync, freshness, shifts).

They import the services in their bodies: the services enqueue these tasks, so importing them here
at module level would be circular.

Names starting with `bulk_` go to the bulk queue (CELERY_TASK_ROUTES), so they never queue in
front of a supervisor's click.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready

from exoadmin.accounts.models import ExotelAccount

log = logging.getLogger("exoadmin.agents")


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_end_of_shift_run(job_id: int) -> None:
    from agents.shifts import end_of_shift_job_run

    end_of_shift_job_run(job_id=job_id)


@shared_task(bind=True, max_retries=4)
def bulk_agents_sync(self, account_id: int) -> None:
    from agents.sync import agents_sync

    account = ExotelAccount.objects.filter(pk=account_id).first()
    if account is not None:
        result = agents_sync(account=account)
        log.info("agent sync: %s", result.summary(), extra={"account_id": account_id})
        # Exotel (or the sandbox, starting next to this worker) not reachable yet: soon again,
        # rather than leaving the board unsynced until beat's next tick.
        if result.retry_later and self.request.retries < self.max_retries:
            raise self.retry(countdown=15)


@worker_ready.connect
def _sync_agents_on_worker_start(**_) -> None:
    """Sync every account as soon as a worker runs, not minutes later at beat's first tick, so the
    board never says "synced never" after a start. worker_ready fires once per worker, in its main
    process (never per pool child); workers starting together each claim an account only once."""
    from agents.sync import accounts_to_sync_on_start, agents_sync_start

    agents_sync_start(account_ids=accounts_to_sync_on_start())


@shared_task
def bulk_agents_sync_all() -> None:
    """Beat, every few minutes: one sync task per account."""
    from agents.sync import agents_sync_start

    agents_sync_start(account_ids=ExotelAccount.objects.values_list("pk", flat=True))


@shared_task
def bulk_watched_agents_refresh() -> None:
    """Beat, every 10 s: ask Exotel again about the agents open boards show, as their answers age."""
    from agents.freshness import watched_agents_refresh

    watched_agents_refresh()


@shared_task
def auto_off_rules_run_due() -> None:
    """Beat, every minute: start the end-of-shift jobs whose time has come, and send again those
    whose task never reached a worker."""
    from agents.shifts import auto_off_rules_run_due as run_due
    from agents.shifts import end_of_shift_jobs_resume

    run_due()
    end_of_shift_jobs_resume()
