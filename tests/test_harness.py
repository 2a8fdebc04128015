"""Each real-service fixture proves itself: without the service, these fail."""

import socket

import redis
import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from exoadmin.health.models import WorkerHeartbeat
from exoadmin.health.tasks import record_worker_heartbeat
from tests.support.processes import wait_until


def test_product_cache_writes_to_the_sessions_redis_server_beside_the_broker(redis_server):
    cache.set("harness-probe", "written by the product", 30)

    cache_db = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert cache_db.connection_pool.connection_kwargs["port"] == redis_server.port
    assert any(b"harness-probe" in key for key in cache_db.keys("*"))
    assert not redis.Redis.from_url(redis_server.url).keys("*harness-probe*")


def test_a_task_sent_to_the_worker_process_writes_a_row(transactional_db, celery_worker):
    WorkerHeartbeat.objects.all().delete()
    sent_at = timezone.now()

    record_worker_heartbeat.delay()

    heartbeat = wait_until(WorkerHeartbeat.objects.first, timeout=20, what="the worker's heartbeat row")
    assert heartbeat.hostname == socket.gethostname() and heartbeat.seen_at >= sent_at


def test_sandbox_answers_over_http_on_its_own_port(sandbox):
    answer = requests.get(f"{sandbox.url}/_sandbox/health", timeout=5)

    assert answer.status_code == 200
    assert answer.json()["ok"] is True
