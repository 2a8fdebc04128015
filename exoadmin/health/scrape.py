"""What /metrics reads when it is scraped: shared state, so every process' view of it is the same.

Each read has a short time limit: a sick Redis or database makes its gauges missing from this
scrape and adds one to exoadmin_scrape_errors_total{source=...}, it never holds the scrape.
"""

import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from redis.backoff import NoBackoff
from redis.retry import Retry

from calls.inbox import FAILED, PENDING
from exoadmin.accounts.clients import rate_budget
from exoadmin.accounts.models import ExotelAccount
from exoadmin.health.models import WorkerHeartbeat

log = logging.getLogger("exoadmin.health")

QUEUES = ("interactive", "bulk")
READ_TIMEOUT = 0.3  # seconds per Redis read, never retried: a scrape reads Redis three times at most

SCRAPE_ERRORS = Counter(
    "exoadmin_scrape_errors",
    "Scrape-time reads that failed (their gauges are missing from that scrape), by source",
    ["source"],
)


@cache
def short_redis(url: str) -> redis.Redis:
    """A client for reads that must never hold their caller: READ_TIMEOUT, no retry, no breaker."""
    return redis.Redis.from_url(
        url, socket_connect_timeout=READ_TIMEOUT, socket_timeout=READ_TIMEOUT, retry=Retry(NoBackoff(), 0)
    )


def queue_depths(broker: redis.Redis) -> dict[str, int]:
    """Tasks waiting in each Celery queue (a Redis list named after the queue)."""
    return {queue: broker.llen(queue) for queue in QUEUES}


@dataclass(frozen=True)
class InboxState:
    waiting: int  # status callbacks stored, not yet applied
    oldest_seconds: float  # age of the oldest of them (0 when none wait)
    failed: int  # callbacks that could not be applied, kept for a person to look at


def inbox_state(store: redis.Redis) -> InboxState:
    waiting = store.llen(PENDING)
    oldest = store.lindex(PENDING, -1)  # pushed on the left, drained from the right
    age = time.time() - json.loads(oldest)["at"] if oldest else 0.0
    return InboxState(waiting, age, store.llen(FAILED))


def _queue_depths() -> Iterator[Metric]:
    depth = GaugeMetricFamily("exoadmin_celery_queue_depth", "Tasks waiting in a Celery queue", labels=["queue"])
    for queue, waiting in queue_depths(short_redis(settings.CELERY_BROKER_URL)).items():
        depth.add_metric([queue], waiting)
    yield depth


def _inbox() -> Iterator[Metric]:
    inbox = inbox_state(short_redis(settings.REDIS_URL))
    yield GaugeMetricFamily(
        "exoadmin_callback_inbox_length", "Status callbacks stored, not yet applied", value=inbox.waiting
    )
    yield GaugeMetricFamily(
        "exoadmin_callback_inbox_oldest_seconds",
        "Age of the oldest status callback not yet applied",
        value=inbox.oldest_seconds,
    )
    yield GaugeMetricFamily(
        "exoadmin_callback_inbox_failed",
        "Status callbacks that could not be applied, kept for a person",
        value=inbox.failed,
    )


def _budget() -> Iterator[Metric]:
    budget = rate_budget(short_redis(settings.REDIS_URL))
    used = GaugeMetricFamily(
        "exoadmin_exotel_budget_used", "Exotel requests counted in the account's current window", labels=["account"]
    )
    limit = GaugeMetricFamily(
        "exoadmin_exotel_budget_limit", "Exotel requests the account may send per window", labels=["account"]
    )
    for account in ExotelAccount.objects.order_by("name"):
        usage = budget.usage(account.account_sid)
        used.add_metric([account.name], usage.used)
        limit.add_metric([account.name], usage.limit)
    yield used
    yield limit


def _heartbeat() -> Iterator[Metric]:
    latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if latest is not None:
        yield GaugeMetricFamily(
            "exoadmin_worker_heartbeat_age_seconds",
            "Seconds since the latest Celery worker heartbeat (beat schedules one every 30 s)",
            value=(timezone.now() - latest).total_seconds(),
        )


class SharedState(Collector):
    READS = {"queues": _queue_depths, "inbox": _inbox, "budget": _budget, "heartbeat": _heartbeat}

    def collect(self) -> Iterator[Metric]:
        for source, read in self.READS.items():
            try:
                metrics = list(read())
            except Exception as exc:  # Redis or the database is sick: this scrape goes on without them
                log.warning("metrics: %s could not be read: %s", source, exc)
                SCRAPE_ERRORS.labels(source).inc()
                continue
            yield from metrics


def exposition() -> bytes:
    """The text /metrics answers: shared state read now, then every process' counters."""
    registry = CollectorRegistry()
    registry.register(SharedState())
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(registry) + generate_latest(REGISTRY)
