"""One Redis connection pool per URL, read from settings when first used (tests move Redis)."""

from functools import cache

import redis
from django.conf import settings


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def get_redis() -> redis.Redis:
    return _client(settings.REDIS_URL)
