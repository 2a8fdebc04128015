"""The Celery app: Redis broker, configuration from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exoadmin.settings")

app = Celery("exoadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
