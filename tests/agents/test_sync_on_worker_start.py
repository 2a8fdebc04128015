"""A worker that starts syncs every account at once, so the board is fresh without waiting for beat."""

import os
import sys

import pytest
from django.test.utils import override_settings

from agents import sync
from agents.models import Agent, DeviceModel
from exoadmin.redis import get_redis
from tests.conftest import _database_url
from tests.support.processes import ManagedProcess, free_port, wait_until

from .conftest import sandbox_user


def forget_start_up_claims():
    """Workers started earlier in this session claimed their start-up syncs; this test starts afresh."""
    redis = get_redis()
    for key in redis.scan_iter("exoadmin:agents:sync-on-start:*"):
        redis.delete(key)


def start_worker(name: str, real_services: dict, log_dir) -> ManagedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": real_services["REDIS_URL"],
        **{key: value for key, value in real_services.items() if key != "CACHES"},
    }
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "exoadmin",
        "worker",
        "-Q",
        "interactive,bulk",
        "--concurrency",
        "2",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
        "--hostname",
        f"{name}-{os.getpid()}@%h",
    ]
    worker = ManagedProcess(name, argv, log_dir, env)
    worker.start()
    return worker


@pytest.fixture
def start_workers(transactional_db, real_services, service_logs):
    """Starts fresh worker processes (no beat anywhere); stops them and drops what they left queued."""
    from exoadmin.celery import app as celery_app

    started = []

    def start(*names):
        forget_start_up_claims()
        started.extend(start_worker(name, real_services, service_logs) for name in names)
        return started

    yield start
    for worker in started:
        worker.stop(sig_timeout=30)
    celery_app.control.purge()


def test_workers_starting_together_sync_each_account_once_without_waiting_for_beat(
    start_workers, exotel_account, sandbox
):
    sandbox_user(sandbox)
    assert not Agent.objects.exists()

    workers = start_workers("agents-start-a", "agents-start-b")  # two workers, two pool children each

    logs = lambda: "\n".join(worker.log_tail() for worker in workers)  # noqa: E731
    try:
        agent = wait_until(
            lambda: Agent.objects.filter(synced_at__isnull=False).first(), timeout=60, what="the start-up sync"
        )
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{logs()}") from None
    assert agent.name == "Asha Rao" and agent.availability == "available"
    assert len(sandbox.requests("/v2/accounts/acme/users", "GET")) == 1, "one listing, not one per worker or child"


def test_a_worker_starting_right_after_another_claims_no_account_again(db, exotel_account, redis_server):
    forget_start_up_claims()

    assert sync.accounts_to_sync_on_start() == [exotel_account.pk]
    assert sync.accounts_to_sync_on_start() == []


def test_a_sync_that_cannot_reach_exotel_asks_to_be_tried_again_soon(db, exotel_account):
    for n in range(3):
        Agent.objects.create(
            account=exotel_account,
            name=f"Phone/SIP {n}",
            integrations_user_id=f"ps-{n}",
            device_model=DeviceModel.INTEGRATIONS,
        )
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    with override_settings(EXOTEL_CCM_BASE_URL=nowhere, EXOTEL_INTEGRATIONS_BASE_URL=f"{nowhere}/v2/integrations"):
        result = sync.agents_sync(account=exotel_account)

    assert result.retry_later and not result.listing_complete
    assert "Could not connect to Exotel" in result.errors[0] and "request id" not in result.errors[0]
    assert len(result.errors) == 2, "phone/SIP stops at the first agent it cannot reach, not one error per agent"
