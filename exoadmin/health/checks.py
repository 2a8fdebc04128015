"""What /healthz reports: each part the product needs, whether it works, and how fast."""

import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from exoadmin.accounts.integrations_token import token_warning
from exoadmin.accounts.models import ExotelAccount
from exoadmin.health.models import WorkerHeartbeat
from exoadmin.redis import get_redis

# Each Exotel probe spends one request of the account's 200/min budget, so probes are shared
# by every caller of /healthz (load balancers poll it) for this long.
EXOTEL_PROBE_TTL = 30


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
        cache.set(key, cached, EXOTEL_PROBE_TTL)
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


def run_checks() -> list[Check]:
    checks = [check_database(), check_redis(), check_worker(), check_email()]
    try:
        accounts = list(ExotelAccount.objects.prefetch_related("exophones"))
    except Exception:  # the database check above already says why
        return checks
    checks += [check_exotel(account) for account in accounts]
    checks += [check_integrations_token(account) for account in accounts if account.integrations_app_token]
    return checks + [check_configuration(accounts)]
