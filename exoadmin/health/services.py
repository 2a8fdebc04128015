import socket

from django.utils import timezone

from exoadmin.health.models import WorkerHeartbeat


def heartbeat_record() -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"seen_at": timezone.now()}
    )
    return heartbeat
