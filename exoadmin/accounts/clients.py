"""Builds Exotel clients for an account: the one place where the product meets exoadmin.exotel."""

from functools import lru_cache
from urllib.parse import urlsplit

import redis
from django.conf import settings

from exoadmin.accounts.models import ExotelAccount
from exoadmin.breakers import Breaker, breaker
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.config import ExotelConfig
from exoadmin.exotel.ratelimit import Priority, RateBudget
from exoadmin.metrics import exotel_request_seen
from exoadmin.redis import get_redis


def exotel_config(account: ExotelAccount) -> ExotelConfig:
    return ExotelConfig(
        account_sid=account.account_sid,
        api_key=account.api_key,
        api_token=account.api_token,
        ccm_base_url=account.base_url("ccm"),
        contacts_base_url=account.base_url("contacts"),
        integrations_base_url=account.base_url("integrations"),
        integrations_customer_id=account.integrations_customer_id,
        integrations_app_id=account.integrations_app_id,
        integrations_app_token=account.integrations_app_token,
        connect_timeout=settings.EXOTEL_CONNECT_TIMEOUT,
        read_timeout=settings.EXOTEL_READ_TIMEOUT,
    )


EXOTEL_FAILURES_TO_OPEN = 5  # in a row: no answer or 5xx; one or two are Exotel's everyday faults
EXOTEL_OPEN_SECONDS = 15.0


def exotel_breaker(base_url: str) -> Breaker:
    """This process's breaker for one Exotel host (every account and API family on it shares it)."""
    return breaker(
        f"exotel {_host(base_url)}",
        open_seconds=EXOTEL_OPEN_SECONDS,
        threshold=EXOTEL_FAILURES_TO_OPEN,
        action="Check Exotel's status page and this server's outbound network; clicks are refused meanwhile",
    )


def _host(base_url: str) -> str:
    """host[:port], never credentials a URL may carry: breaker names are shown on /healthz and /metrics."""
    parts = urlsplit(base_url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def rate_budget(redis_client: redis.Redis | None = None) -> RateBudget:
    """The shared budget, over `redis_client` when a caller needs other time limits than get_redis()'s."""
    return RateBudget(
        redis_client if redis_client is not None else get_redis(),
        limit=settings.EXOTEL_RATE_LIMIT_PER_MINUTE,
        interactive_reserve=settings.EXOTEL_INTERACTIVE_RESERVE,
    )


@lru_cache(maxsize=128)
def _client(config: ExotelConfig, priority: Priority, redis_url: str, budget_wait: float | None) -> ExotelClient:
    # One client (one pooled Session) per account configuration, priority, wait and process; a
    # changed token or base URL is a different config and so a fresh client.
    return ExotelClient(
        config,
        budget=rate_budget(),
        priority=priority,
        budget_wait=budget_wait,
        observer=exotel_request_seen,
        breaker_for=exotel_breaker,
    )


def exotel_client(
    account: ExotelAccount, *, priority: Priority = "interactive", budget_wait: float | None = None
) -> ExotelClient:
    """A client sharing the account's rate budget with every other process of the product;
    `budget_wait` (seconds) for work that would rather stop than wait its priority's usual time."""
    return _client(exotel_config(account), priority, settings.REDIS_URL, budget_wait)
