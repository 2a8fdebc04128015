"""Redis for every process: short time limits, and a breaker that stops asking a sick Redis.

Redis answers in well under a millisecond, so a command that takes REDIS_TIMEOUT seconds means
Redis is hung (a full disk, a stuck fork, a network blackhole), not busy. The first such command
opens this process's `redis` breaker (exoadmin.breakers); until it closes, every command fails at
once with `RedisSkipped` (a redis ConnectionError, so each caller's fallback for "Redis down" runs)
instead of each request paying the time limit again. The Django cache uses the same connection
class (`pool_options`), so it is bounded and guarded alike.
"""

from functools import cache
from typing import Any

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from exoadmin.breakers import Breaker, breaker

OPEN_SECONDS = 5.0  # a hung Redis costs each process one time limit per this many seconds
ACTION = "Check that Redis is running and answering (redis-cli ping); nothing is lost meanwhile"


class RedisSkipped(redis.ConnectionError):
    """Not sent: this process found Redis sick moments ago."""


def redis_breaker() -> Breaker:
    return breaker("redis", open_seconds=OPEN_SECONDS, action=ACTION)


def redis_found_sick() -> bool:
    """This process found Redis sick moments ago (its breaker is open); asking changes nothing."""
    return redis_breaker().status().state == "open"


class _Guarded:
    """Mixed into redis-py's connection classes: asks the breaker before talking to Redis and
    tells it how each exchange went."""

    def connect(self) -> None:
        self.connect_check_health()

    def connect_check_health(self, check_health: bool = True, retry_socket_connect: bool = True) -> None:
        # Connecting is tried once: redis-py's own retry around it would wait out the time limit twice
        # before the breaker could say anything (commands are still retried once, through the breaker).
        self._ask()
        self._watched(super().connect_check_health, check_health, False)  # type: ignore[misc]

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        self._ask()
        self._watched(super().send_packed_command, command, check_health)  # type: ignore[misc]

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        answer = self._watched(super().read_response, *args, **kwargs)  # type: ignore[misc]
        redis_breaker().succeeded()
        return answer

    @staticmethod
    def _ask() -> None:
        guard = redis_breaker()
        if not guard.allow():
            raise RedisSkipped(f"Redis skipped for {guard.retry_in():.0f} s more: it failed moments ago")

    @staticmethod
    def _watched(send: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return send(*args, **kwargs)
        except RedisSkipped:
            raise
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            redis_breaker().failed(exc)
            raise


class GuardedConnection(_Guarded, redis.Connection):
    pass


class GuardedSSLConnection(_Guarded, redis.SSLConnection):
    pass


class GuardedUnixConnection(_Guarded, redis.UnixDomainSocketConnection):
    pass


def pool_options(url: str, timeout: float | None = None) -> dict[str, Any]:
    """Connection-pool keyword arguments for Redis at `url`: the time limits and the breaker.

    One retry at once replaces a pooled connection that a Redis restart closed; with Redis down or
    hung, the breaker makes that retry fail at once (redis-py's default retries, with backoff, would
    take seconds).
    """
    scheme = url.partition("://")[0]
    connection_class = {"rediss": GuardedSSLConnection, "unix": GuardedUnixConnection}.get(scheme, GuardedConnection)
    timeout = timeout or settings.REDIS_TIMEOUT
    return {
        "connection_class": connection_class,
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "retry": Retry(NoBackoff(), 1),
    }


class GuardedPool(redis.ConnectionPool):
    """A pool of guarded connections, whatever else the caller asks (settings.CACHES uses it)."""

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "GuardedPool":
        return super().from_url(url, **{**kwargs, **pool_options(url)})


@cache
def _client(url: str, timeout: float | None) -> redis.Redis:
    return redis.Redis(connection_pool=redis.ConnectionPool.from_url(url, **pool_options(url, timeout)))


def get_redis(*, timeout: float | None = None) -> redis.Redis:
    """The shared client; `timeout` for a path whose own time limit is shorter than REDIS_TIMEOUT."""
    return _client(settings.REDIS_URL, timeout)
