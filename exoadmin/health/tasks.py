from celery import shared_task
from celery.signals import worker_ready

from exoadmin.health import services


@shared_task
def record_worker_heartbeat() -> None:
    services.heartbeat_record()


@worker_ready.connect
def _heartbeat_on_start(**_):
    """Report at once, not only at beat's first tick, so /healthz is green as soon as a worker runs."""
    services.heartbeat_record()
