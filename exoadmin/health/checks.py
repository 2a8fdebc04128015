"""What /healthz reports: each part the product needs, whether it works, and how fast."""

import time
from dataclasses import asdict, dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from calls.inbox import FAILED
from exoadmin.accounts.integrations_token import token_warning
from exoadmin.accounts.models import ExotelAccount
from exoadmin.breakers import BreakerStatus, breakers
from exoadmin.health.models import WorkerHeartbeat
from exoadmin.health.scrape import QUEUES, inbox_state, queue_depths, short_redis
from exoadmin.queueing import broker_is_redis
from exoadmin.redis import get_redis, redis_breaker

# Each Exotel probe spends one request of the account's 200/min budget, so probes are shared
# by every caller of /healthz (load balancers poll it) for this long.
EXOTEL_PROBE_TTL = 30

# A status callback is applied within a second or two; a minute means the worker is behind, five
# that call pages and the floor show stale states (as the CallbackInboxOldestEntryOld alert).
INBOX_BEHIND_SECONDS = 60
INBOX_STUCK_SECONDS = 300
# Tasks waiting before a queue is called behind: clicks' follow-ups never queue for long, while
# bulk edits and syncs come in batches.
QUEUE_BEHIND = {"interactive": 50, "bulk": 500}
REDIS_UNKNOWN = "unknown: Redis does not answer (see the redis line)"
WORKER_ACTION = (
    "check that a worker runs (`celery -A exoadmin inspect ping`, "
    "`systemctl status exoadmin-worker@interactive`), that the database answers, and the worker's log"
)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    latency_ms: float | None = None
    warning: bool = False  # works, but needs someone's attention soon (/healthz still answers 200)

    def as_dict(self, *, with_detail: bool) -> dict:
        data = asdict(self)
        if not with_detail:
            data.pop("detail")
        return data


def _timed(probe) -> tuple[object, float]:
    started = time.perf_counter()
    result = probe()
    return result, round((time.perf_counter() - started) * 1000, 1)


def check_database() -> Check:
    def probe():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    try:
        _, ms = _timed(probe)
    except Exception as exc:  # any driver error means the database is not usable
        return Check("database", False, f"The database does not answer: {exc}")
    return Check("database", True, f"{connection.vendor} answers", ms)


def check_redis() -> Check:
    try:
        _, ms = _timed(get_redis().ping)
    except Exception as exc:  # connection refused, timeout, auth
        return Check("redis", False, f"Redis does not answer at the configured REDIS_URL: {exc}")
    return Check("redis", True, "Redis answers", ms)


def check_worker() -> Check:
    heartbeat = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if heartbeat is None:
        return Check("celery worker", False, "No worker heartbeat yet: start `celery worker` and `celery beat`.")
    age = (timezone.now() - heartbeat.seen_at).total_seconds()
    if age > settings.WORKER_HEARTBEAT_MAX_AGE:
        return Check("celery worker", False, f"Last worker heartbeat was {age:.0f} s ago ({heartbeat.hostname}).")
    return Check("celery worker", True, f"Heartbeat {age:.0f} s ago from {heartbeat.hostname}")


def _probe_exotel(account: ExotelAccount) -> Check:
    from exoadmin.accounts.clients import exotel_client
    from exoadmin.exotel import users
    from exoadmin.exotel.errors import ExotelError

    name = f"exotel: {account.name}"
    host = account.base_url("ccm")
    try:
        _, ms = _timed(lambda: users.list_users(exotel_client(account), offset=0, limit=1))
    except ExotelError as exc:
        return Check(name, False, f"{host}: {exc.user_message}")
    except Exception as exc:  # e.g. Redis (the rate budget) is down; that check says more
        return Check(name, False, f"{host}: could not ask Exotel: {exc}")
    return Check(name, True, f"{host} answers", ms)


def check_exotel(account: ExotelAccount) -> Check:
    key = f"health:exotel:{account.pk}"
    try:
        cached = cache.get(key)
    except Exception:  # the cache is Redis: without it (and so without the rate budget) don't probe per request
        return Check(f"exotel: {account.name}", False, "Not checked: Redis (the cache and rate budget) is down.")
    if cached is None:
        cached = asdict(_probe_exotel(account))
        try:
            cache.set(key, cached, EXOTEL_PROBE_TTL)
        except Exception:  # Redis failed since the read: the next call probes again
            pass
    check = Check(**cached)
    check.detail += f"; {_budget_in_words(account)}"
    return check


def _budget_in_words(account: ExotelAccount) -> str:
    """How much of the account's shared rate budget is in use right now (never cached)."""
    from exoadmin.accounts.clients import rate_budget

    try:
        usage = rate_budget().usage(account.account_sid)
    except Exception:  # Redis went away since the cache answered: the redis check says so
        return "rate budget unknown"
    words = f"{usage.used} of {usage.limit} requests used in the last {usage.window_seconds:.0f} s"
    if usage.used >= usage.limit - usage.interactive_reserve:
        words += " (bulk work waits; the reserve is kept for clicks)"
    return words


def check_configuration(accounts: list[ExotelAccount]) -> Check:
    missing = [] if accounts else ["an Exotel account (add one in Django admin)"]
    for account in accounts:
        missing += [f"{item} for {account.name}" for item in account.missing_configuration()]
    if not settings.EXOADMIN_PUBLIC_URL:
        missing.append("EXOADMIN_PUBLIC_URL (where Exotel sends call status callbacks)")
    if missing:
        return Check("configuration", False, "Missing: " + "; ".join(missing) + ".")
    return Check("configuration", True, "Nothing missing")


def check_integrations_token(account: ExotelAccount) -> Check:
    name = f"integrations app token: {account.name}"
    now = timezone.now()
    warning = token_warning(account, now)
    expires = account.integrations_token_expires_at
    if not warning:
        when = f"valid until {timezone.localtime(expires):%d %b %Y}" if expires else "in use (issue date unknown)"
        renewing = "renewed by exoadmin" if account.integrations_app_secret else "renewed by hand"
        return Check(name, True, f"The app token is {when}; {renewing}.")
    return Check(name, expires is None or expires > now, warning, warning=True)


def check_email() -> Check:
    """Whether the daily report emails can go out: said here, not found out when the first one fails.
    Names the server, never the credentials."""
    missing = ["EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.com:587)"] if settings.EMAIL_MISSING else []
    if not settings.DEFAULT_FROM_EMAIL:
        missing.append("DEFAULT_FROM_EMAIL (the sender address)")
    if missing:
        return Check("email", False, "Daily report emails cannot be sent. Missing: " + "; ".join(missing) + ".")
    if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        return Check(
            "email", True, f"SMTP at {settings.EMAIL_HOST}:{settings.EMAIL_PORT}, from {settings.DEFAULT_FROM_EMAIL}"
        )
    return Check("email", True, f"Emails go to {settings.EMAIL_BACKEND.rsplit('.', 2)[-2]} (development), not sent")


def check_inbox() -> Check:
    name = "callback inbox"
    try:
        inbox = inbox_state(get_redis())
    except redis.RedisError:
        return Check(name, False, REDIS_UNKNOWN)
    words = f"{inbox.waiting} status callbacks waiting to be applied, the oldest for {inbox.oldest_seconds:.0f} s"
    if inbox.oldest_seconds > INBOX_STUCK_SECONDS:
        return Check(name, False, f"{words}: call pages show stale states; {WORKER_ACTION}.")
    if inbox.oldest_seconds > INBOX_BEHIND_SECONDS:
        return Check(name, True, f"{words}: the worker is behind or down; {WORKER_ACTION}.", warning=True)
    if inbox.failed:
        return Check(
            name,
            True,
            f"{words}; {inbox.failed} could not be applied (a bug): the worker's log says why ('status callback"
            f" could not be applied'); they are kept in the Redis list {FAILED}.",
            warning=True,
        )
    return Check(name, True, words)


def _broker() -> redis.Redis:
    """The Celery broker: the product's Redis client when it is the same server (so it fails at once
    while the redis breaker is open), else one with the scrape's short time limit."""
    if broker_is_redis():
        return get_redis()
    return short_redis(settings.CELERY_BROKER_URL)


def check_queues() -> list[Check]:
    try:
        depths = queue_depths(_broker())
    except redis.RedisError:
        return [Check(f"celery queue: {queue}", False, REDIS_UNKNOWN) for queue in QUEUES]
    return [_queue_check(queue, waiting) for queue, waiting in depths.items()]


def _queue_check(queue: str, waiting: int) -> Check:
    name, limit = f"celery queue: {queue}", QUEUE_BEHIND[queue]
    if waiting > limit:
        action = f"check that its workers run (`systemctl status exoadmin-worker@{queue}`) or add one"
        return Check(
            name, True, f"{waiting} tasks waiting (more than {limit}): the workers are behind; {action}.", warning=True
        )
    return Check(name, True, f"{waiting} tasks waiting")


def check_breakers() -> list[Check]:
    """This web process's breakers. Redis's is made here so it is listed before first use; on
    PostgreSQL, check_database's connection has made the database's."""
    redis_breaker()
    return [_breaker_check(found.status()) for found in breakers()]


def _breaker_check(status: BreakerStatus) -> Check:
    name = f"breaker: {status.name}"
    if status.state == "closed":
        recent = f"; {status.failures} failed in a row, the last: {status.last_error}" if status.failures else ""
        return Check(name, True, f"closed: asked as usual{recent}")
    # Needs attention, never failing by itself: the dependency's own line fails when it is down, and
    # a load balancer must not take a node out that answers people with clear messages meanwhile.
    why = f"{status.failures} failed in a row, {status.seconds_open:.0f} s ago: {status.last_error}"
    if status.state == "open":
        return Check(name, True, f"open: this process skips it at once ({why}). {status.action}.", warning=True)
    return Check(name, True, f"trying again: its next caller tests it ({why}). {status.action}.", warning=True)


def run_checks() -> list[Check]:
    checks = [check_database(), check_redis(), check_worker(), check_email(), check_inbox(), *check_queues()]
    try:
        accounts = list(ExotelAccount.objects.prefetch_related("exophones"))
    except Exception:  # the database check above already says why
        return checks + check_breakers()
    checks += [check_exotel(account) for account in accounts]
    checks += [check_integrations_token(account) for account in accounts if account.integrations_app_token]
    return checks + check_breakers() + [check_configuration(accounts)]
