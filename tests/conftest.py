"""Real services for the whole suite: Redis, the Exotel sandbox, a Celery worker and chromium.

Each starts once per session as its own process on a free loopback port and stops at the end.
Settings that point at them are overridden for the session, because the product reads them
when it connects, not at import.
"""

import os
import signal
from dataclasses import dataclass

import kombu.exceptions
import pytest
import redis
from django.conf import settings
from django.test.utils import override_settings

from exoadmin.settings import cache_settings
from tests.support.processes import CeleryWorker, RedisServer, wait_until

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def service_logs(tmp_path_factory):
    return tmp_path_factory.mktemp("services")


@pytest.fixture(scope="session")
def redis_server(service_logs):
    server = RedisServer(service_logs)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sandbox(service_logs):
    from tests.support.sandbox import SandboxProcess

    process = SandboxProcess(service_logs / "sandbox.sqlite3")
    process.start()
    yield process
    process.stop()


def _sandbox_urls(sandbox) -> dict:
    return {
        "EXOTEL_CCM_BASE_URL": sandbox.url,
        "EXOTEL_CONTACTS_BASE_URL": sandbox.url,
        "EXOTEL_INTEGRATIONS_BASE_URL": f"{sandbox.url}/v2/integrations",
    }


@pytest.fixture(scope="session", autouse=True)
def real_services(redis_server, sandbox):
    """Points the product at this session's Redis and sandbox."""
    from exoadmin.celery import app as celery_app

    overrides = {
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": redis_server.url,
        "CACHES": cache_settings(redis_server.url),
        **_sandbox_urls(sandbox),
    }
    celery_app.conf.update(broker_url=redis_server.url)
    with override_settings(**overrides):
        yield overrides


@pytest.fixture(autouse=True)
def breakers_closed():
    """Each test starts with this process's breakers closed: a test that stopped Redis, or made Exotel
    fail, must not leave the next test skipping it (exoadmin/breakers.py)."""
    from exoadmin.breakers import breakers

    for found in breakers():
        found.succeeded()


@pytest.fixture(autouse=True)
def budgets_unspent(real_services):
    """Each test starts with every account's Exotel rate budget unspent: the tests share one account
    sid, and a test must not wait out the minute of requests the tests before it made."""
    client = redis.Redis.from_url(real_services["REDIS_URL"])
    spent = client.keys("exoadmin:exotel:budget:*")
    if spent:
        client.delete(*spent)
    client.close()


@pytest.fixture
def hung_redis(tmp_path):
    """The product on a Redis of its own that is hung (SIGSTOPped: connections are accepted, nothing
    answers), after one command warmed the pool as a running product's would. The Celery app keeps
    the session's broker; the product's own sends follow the Redis breaker (exoadmin/queueing.py)."""
    from exoadmin.redis import get_redis

    server = RedisServer(tmp_path)
    server.start()
    with override_settings(REDIS_URL=server.url, CELERY_BROKER_URL=server.url, CACHES=cache_settings(server.url)):
        get_redis().ping()
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            yield server
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
            server.stop()


def _database_url() -> str:
    """The test database as a URL, for processes that are not this one (the worker)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def asgi_server(transactional_db, real_services):
    """The product under uvicorn, for live streams (tests/support/asgi.py); `.url` like live_server's."""
    from tests.support.asgi import AsgiServer

    server = AsgiServer.start()
    yield server
    server.stop()


QUEUES = ("interactive", "bulk")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, real_services, service_logs):
    """A real worker process on the session's Redis and the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": real_services["REDIS_URL"],
        "CELERY_BROKER_URL": real_services["REDIS_URL"],
        **real_services,
    }
    env.pop("CACHES")
    worker = CeleryWorker(service_logs, env)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(transactional_db, celery_worker_process):
    """The worker, for one test. The test needs `transactional_db`: the worker sees only committed rows.

    Afterwards the worker stops consuming and finishes what it holds, and queued leftovers are
    purged, before the database is flushed: a task still writing during the flush deadlocks it
    (PostgreSQL) and a leftover task would act in the next test.
    """
    from exoadmin.celery import app as celery_app

    _control(celery_app, "add_consumer")
    yield celery_worker_process
    _control(celery_app, "cancel_consumer")
    wait_until(lambda: _worker_idle(celery_app), timeout=60, what="the worker to finish its tasks", interval=0.2)
    celery_app.control.purge()


def _control(celery_app, command: str) -> None:
    """Broadcast to the worker; once more if a test restarted Redis under the pooled connection."""
    for attempt in (1, 2):
        try:
            for queue in QUEUES:
                getattr(celery_app.control, command)(queue, reply=True, timeout=5, limit=1)
            return
        except (redis.ConnectionError, kombu.exceptions.OperationalError):
            if attempt == 2:
                raise


def _worker_idle(celery_app) -> bool:
    inspect = celery_app.control.inspect(timeout=1, limit=1)
    active = inspect.active()
    return active is not None and not any(active.values())


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium; never a downloaded browser."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


# --- people and accounts -------------------------------------------------------------------


@dataclass
class Login:
    user: object
    username: str
    password: str


def _login(username, role, first_name, last_name="") -> Login:
    from exoadmin.accounts.services import user_create_or_update

    password = f"pw-{username}-2026"
    user = user_create_or_update(
        username=username, password=password, role=role, first_name=first_name, last_name=last_name
    )
    return Login(user, username, password)


@pytest.fixture
def admin_login(db):
    from exoadmin.accounts.roles import Role

    return _login("ada", Role.ADMIN, "Ada", "Admin")


@pytest.fixture
def supervisor_login(db):
    from exoadmin.accounts.roles import Role

    return _login("sunil", Role.SUPERVISOR, "Sunil", "Menon")


@pytest.fixture
def agent_login(db):
    from exoadmin.accounts.roles import Role

    return _login("asha", Role.AGENT, "Asha", "Rao")


@pytest.fixture
def other_agent_login(db):
    from exoadmin.accounts.roles import Role

    return _login("vikram", Role.AGENT, "Vikram", "Shah")


@pytest.fixture
def exotel_account(db, sandbox):
    """A fresh sandbox account and the product's ExotelAccount for it, with one ExoPhone."""
    from exoadmin.accounts.services import account_create_or_update

    sandbox.reset(seed="empty")
    creds = {
        "sid": "acme",
        "api_key": "acme-key",
        "api_token": "acme-token-s3cret",
        "customer_id": "acme-customer",
        "app_id": "acme-app",
        "app_token": "acme-app-token-s3cret",
        "exophones": ["+918030752400"],
    }
    sandbox.control("POST", "/_sandbox/accounts", creds)
    return account_create_or_update(
        name="Acme",
        account_sid=creds["sid"],
        api_key=creds["api_key"],
        api_token=creds["api_token"],
        integrations_customer_id=creds["customer_id"],
        integrations_app_id=creds["app_id"],
        integrations_app_token=creds["app_token"],
        exophones=creds["exophones"],
    )
