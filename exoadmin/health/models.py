from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by a Celery worker on beat's schedule: proves broker, beat and worker all run."""

    hostname = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%H:%M:%S}"
