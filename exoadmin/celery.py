"""The Celery app: Redis broker, configuration from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exoadmin.settings")

# A worker waits this long on a hung broker before giving up on a command. Short time limits are
# for web requests; in a worker, a failed acknowledgement is worse than waiting: kombu then keeps
# the message counted as unacknowledged for good, and once as many acks as the prefetch window
# (concurrency × prefetch multiplier) failed, the worker never takes another task.
WORKER_BROKER_TIMEOUT = 30.0

app = Celery("exoadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _wait_out_a_hung_broker(**_) -> None:
    app.conf.broker_transport_options = {**app.conf.broker_transport_options, "socket_timeout": WORKER_BROKER_TIMEOUT}
