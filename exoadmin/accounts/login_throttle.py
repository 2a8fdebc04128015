"""Slows password guessing: too many failed logins for a username, or from an address, lock it
for a while. Counters live in the cache (Redis), so every web process shares them."""

import logging
import time

from django.core.cache import cache

log = logging.getLogger("exoadmin.accounts")

WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20


def _keys(username: str, address: str) -> dict[str, int]:
    return {
        f"login-failures:user:{username.strip().lower()}": MAX_FAILURES_PER_USERNAME,
        f"login-failures:addr:{address}": MAX_FAILURES_PER_ADDRESS,
    }


def lockout_seconds(*, username: str, address: str) -> int:
    """Seconds until this username and address may try again; 0 when they may now."""
    keys = _keys(username, address)
    try:
        found = cache.get_many([*keys, *(f"{key}:since" for key in keys)])
    except Exception:  # Redis down: let people log in rather than lock everyone out
        log.warning("login throttle unavailable; not limiting logins")
        return 0
    ends = [found.get(f"{key}:since", 0) + WINDOW_SECONDS for key, limit in keys.items() if found.get(key, 0) >= limit]
    return max(0, int(max(ends) - time.time())) if ends else 0


def failure_record(*, username: str, address: str) -> None:
    for key in _keys(username, address):
        try:
            # The window starts at the first failure and is not extended by later ones.
            cache.add(f"{key}:since", time.time(), WINDOW_SECONDS)
            cache.add(key, 0, WINDOW_SECONDS)
            cache.incr(key)
        except Exception:
            log.warning("login throttle unavailable; failure not counted")
            return
    log.info("login failed", extra={"username": username, "address": address})


def failures_clear(*, username: str) -> None:
    try:
        key = f"login-failures:user:{username.strip().lower()}"
        cache.delete_many([key, f"{key}:since"])
    except Exception:
        log.warning("login throttle unavailable; failures not cleared")
