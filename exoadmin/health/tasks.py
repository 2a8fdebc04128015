import atexit
import os

from celery import shared_task
from celery.signals import beat_init, worker_process_shutdown, worker_ready, worker_shutdown

from exoadmin.health import services


@shared_task
def record_worker_heartbeat() -> None:
    services.heartbeat_record()


@worker_ready.connect
def _heartbeat_on_start(**_):
    """Report at once, not only at beat's first tick, so /healthz is green as soon as a worker runs."""
    services.heartbeat_record()


@worker_process_shutdown.connect
@worker_shutdown.connect
def _metrics_forget_this_process(**_):
    """A stopped worker's breakers leave /metrics (exoadmin_breaker_state); its counters stay counted.
    gunicorn does the same for web workers (deploy/gunicorn.conf.py)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())


@beat_init.connect
def _metrics_forget_beat_at_exit(**_):
    atexit.register(_metrics_forget_this_process)  # beat does not fork, and sends no signal when it stops
