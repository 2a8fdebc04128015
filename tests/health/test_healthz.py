import json
import os
import signal
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from calls.inbox import FAILED, PENDING
from exoadmin.accounts.clients import rate_budget
from exoadmin.health.models import WorkerHeartbeat
from exoadmin.health.services import heartbeat_record
from exoadmin.redis import get_redis


@pytest.fixture(autouse=True)
def fresh_probe_cache():
    cache.clear()


def checks_by_name(response) -> dict:
    return {check["name"]: check for check in response.json()["checks"]}


def test_all_green_when_every_part_works(client, exotel_account, supervisor_login):
    heartbeat_record()
    client.login(username=supervisor_login.username, password=supervisor_login.password)

    response = client.get("/healthz?format=json")

    assert response.status_code == 200, response.json()
    checks = checks_by_name(response)
    assert {name for name in checks if not name.startswith("breaker: ")} == {
        "database",
        "redis",
        "celery worker",
        "email",
        "callback inbox",
        "celery queue: interactive",
        "celery queue: bulk",
        "exotel: Acme",
        "integrations app token: Acme",
        "configuration",
    }
    # Breakers this process made (earlier tests may have made others): Redis's and, on PostgreSQL, the
    # database's from the start; the Exotel host's once the probe used it.
    exotel_host = urlsplit(exotel_account.base_url("ccm")).netloc
    assert {"breaker: redis", f"breaker: exotel {exotel_host}"} <= set(checks)
    assert ("breaker: database" in checks) == settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    assert checks["breaker: redis"]["ok"] and not checks["breaker: redis"]["warning"]
    assert checks["integrations app token: Acme"]["warning"]  # pasted with no issue date: expiry unknown
    assert checks["exotel: Acme"]["latency_ms"] > 0
    assert response.json()["healthy"] is True


def test_a_stale_worker_heartbeat_turns_the_page_red(client, exotel_account):
    WorkerHeartbeat.objects.create(hostname="old", seen_at=timezone.now() - timedelta(minutes=10))

    response = client.get("/healthz?format=json")

    assert response.status_code == 503
    assert checks_by_name(response)["celery worker"]["ok"] is False


def test_rejected_exotel_credentials_are_explained_to_people(client, exotel_account, admin_login):
    heartbeat_record()
    exotel_account.api_token = "wrong"
    exotel_account.save()
    client.login(username=admin_login.username, password=admin_login.password)

    response = client.get("/healthz", HTTP_ACCEPT="text/html")

    assert response.status_code == 503
    row = response.content.decode().split('data-check="exotel: Acme"')[1].split("</tr>")[0]
    assert "Failing" in row and "API key" in row


def test_missing_configuration_is_listed(client, db):
    heartbeat_record()

    response = client.get("/healthz?format=json")

    assert checks_by_name(response)["configuration"]["ok"] is False


def test_anonymous_callers_get_states_but_not_details(client, exotel_account):
    response = client.get("/healthz?format=json")

    assert all("detail" not in check for check in response.json()["checks"])


def test_exotel_probe_is_shared_between_callers(client, exotel_account, sandbox):
    heartbeat_record()
    client.get("/healthz?format=json")
    client.get("/healthz?format=json")

    assert len(sandbox.requests(path="/users", method="GET")) == 1


def test_details_say_how_much_of_the_exotel_rate_budget_is_in_use(client, exotel_account, sandbox, supervisor_login):
    heartbeat_record()
    client.login(username=supervisor_login.username, password=supervisor_login.password)
    used_before = rate_budget().usage("acme").used  # earlier tests' requests may still count
    client.get("/healthz?format=json")  # the probe spends one request

    response = client.get("/healthz?format=json")

    detail = checks_by_name(response)["exotel: Acme"]["detail"]
    assert f"{used_before + 1} of 200 requests used in the last 60 s" in detail


@pytest.fixture
def empty_inbox_and_queues(redis_server):
    redis = get_redis()
    keys = (PENDING, FAILED, "interactive", "bulk")
    redis.delete(*keys)
    yield redis
    redis.delete(*keys)


def waiting_callback(age: float) -> str:
    return json.dumps({"payload": {}, "ref": None, "at": time.time() - age})


def test_callbacks_waiting_over_a_minute_say_to_check_the_worker(client, db, admin_login, empty_inbox_and_queues):
    redis = empty_inbox_and_queues
    redis.lpush(PENDING, waiting_callback(age=90), waiting_callback(age=5))  # the oldest is drained first
    redis.lpush(FAILED, waiting_callback(age=600))
    redis.lpush("bulk", "task-1", "task-2", "task-3")
    client.login(username=admin_login.username, password=admin_login.password)

    checks = checks_by_name(client.get("/healthz?format=json"))

    inbox = checks["callback inbox"]
    assert inbox["ok"] and inbox["warning"]
    assert "2 status callbacks waiting to be applied, the oldest for 90 s" in inbox["detail"]
    assert "the worker is behind or down" in inbox["detail"] and "celery -A exoadmin inspect ping" in inbox["detail"]
    assert checks["celery queue: bulk"]["detail"] == "3 tasks waiting"
    assert checks["celery queue: interactive"]["detail"] == "0 tasks waiting"


def test_a_callback_waiting_five_minutes_fails_and_failed_callbacks_are_pointed_at(
    client, db, admin_login, empty_inbox_and_queues
):
    redis = empty_inbox_and_queues
    client.login(username=admin_login.username, password=admin_login.password)
    redis.lpush(FAILED, waiting_callback(age=600))

    failed_only = checks_by_name(client.get("/healthz?format=json"))["callback inbox"]
    redis.lpush(PENDING, waiting_callback(age=400))
    response = client.get("/healthz?format=json")

    assert (
        failed_only["warning"] and "1 could not be applied" in failed_only["detail"] and FAILED in failed_only["detail"]
    )
    assert response.status_code == 503
    stuck = checks_by_name(response)["callback inbox"]
    assert not stuck["ok"] and "call pages show stale states" in stuck["detail"]


def test_a_deep_queue_asks_for_its_workers(client, db, admin_login, empty_inbox_and_queues):
    empty_inbox_and_queues.lpush("interactive", *[f"task-{n}" for n in range(51)])
    client.login(username=admin_login.username, password=admin_login.password)

    queue = checks_by_name(client.get("/healthz?format=json"))["celery queue: interactive"]

    assert queue["warning"] and "51 tasks waiting (more than 50)" in queue["detail"]
    assert "exoadmin-worker@interactive" in queue["detail"]


def test_a_hung_redis_is_reported_within_two_seconds_with_its_breaker_open(
    client, exotel_account, admin_login, redis_server
):
    heartbeat_record()
    client.login(username=admin_login.username, password=admin_login.password)
    get_redis().ping()  # a pooled connection, as a running process has
    os.kill(redis_server.process.pid, signal.SIGSTOP)  # Redis accepts connections but answers nothing
    try:
        started = time.monotonic()
        response = client.get("/healthz?format=json")
        elapsed = time.monotonic() - started
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)

    assert elapsed < 2
    assert response.status_code == 503
    checks = checks_by_name(response)
    assert not checks["redis"]["ok"]
    for name in ("callback inbox", "celery queue: interactive", "celery queue: bulk"):
        assert checks[name] == {
            **checks[name],
            "ok": False,
            "detail": "unknown: Redis does not answer (see the redis line)",
        }
    breaker = checks["breaker: redis"]
    assert breaker["warning"] and breaker["detail"].startswith("open: this process skips it at once (1 failed in a row")
    assert "Check that Redis is running and answering (redis-cli ping)" in breaker["detail"]


def test_people_see_each_breaker_and_what_to_do(client, db, admin_login, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens: refused, as with Redis stopped
    client.login(username=admin_login.username, password=admin_login.password)

    response = client.get("/healthz", HTTP_ACCEPT="text/html")

    row = response.content.decode().split('data-check="breaker: redis"')[1].split("</tr>")[0]
    assert "Needs attention" in row and "redis-cli ping" in row and "nothing is lost meanwhile" in row
