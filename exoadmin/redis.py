"""One Redis connection pool per URL, read from settings when first used (tests move Redis)."""

from functools import cache

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry


@cache
def _client(url: str) -> redis.Redis:
    # Fail fast: a caller (health check, rate budget) decides what to do when Redis is down. One retry
    # at once replaces a pooled connection that a Redis restart closed (down, it fails as fast).
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, retry=Retry(NoBackoff(), 1))


def get_redis() -> redis.Redis:
    return _client(settings.REDIS_URL)
