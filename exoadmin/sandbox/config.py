"""Runtime behaviour of the sandbox: timings, rate limit and fault fractions.

Defaults, then environment variables, then command-line flags; `POST /_sandbox/config` changes
the live copy and `POST /_sandbox/reset` restores the start-up one. Config is not persisted: a
restart takes its behaviour from the flags and environment again.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Mapping
from typing import Any

DEFAULTS: dict[str, Any] = {
    "rate_limit": 200,
    "ring_seconds": 2.0,
    "talk_seconds": 6.0,
    "recording_ttl_seconds": 3600,
    "app_token_ttl_seconds": 90 * 24 * 3600,  # an issued integrations app token lives 90 days
    "faults": {"error_500": 0.0, "error_429": 0.0, "slow": 0.0, "slow_seconds": 2.0, "drop": 0.0},
    "callbacks": {"delay": 0.0, "duplicate": 0.0, "reorder": 0.0, "loss": 0.0, "timeout_seconds": 5.0},
}

# Keys whose values are fractions of requests (or callbacks) in 0..1.
FRACTIONS = {"error_500", "error_429", "slow", "drop", "duplicate", "reorder", "loss"}

ENVIRONMENT: dict[str, tuple[str, ...]] = {
    "EXOTEL_SANDBOX_RATE_LIMIT": ("rate_limit",),
    "EXOTEL_SANDBOX_RING_SECONDS": ("ring_seconds",),
    "EXOTEL_SANDBOX_TALK_SECONDS": ("talk_seconds",),
    "EXOTEL_SANDBOX_RECORDING_TTL_SECONDS": ("recording_ttl_seconds",),
    "EXOTEL_SANDBOX_APP_TOKEN_TTL_SECONDS": ("app_token_ttl_seconds",),
    "EXOTEL_SANDBOX_FAULT_500": ("faults", "error_500"),
    "EXOTEL_SANDBOX_FAULT_429": ("faults", "error_429"),
    "EXOTEL_SANDBOX_FAULT_SLOW": ("faults", "slow"),
    "EXOTEL_SANDBOX_SLOW_SECONDS": ("faults", "slow_seconds"),
    "EXOTEL_SANDBOX_FAULT_DROP": ("faults", "drop"),
    "EXOTEL_SANDBOX_CALLBACK_DELAY": ("callbacks", "delay"),
    "EXOTEL_SANDBOX_CALLBACK_DUPLICATE": ("callbacks", "duplicate"),
    "EXOTEL_SANDBOX_CALLBACK_REORDER": ("callbacks", "reorder"),
    "EXOTEL_SANDBOX_CALLBACK_LOSS": ("callbacks", "loss"),
    "EXOTEL_SANDBOX_CALLBACK_TIMEOUT_SECONDS": ("callbacks", "timeout_seconds"),
}


def from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The config changes that environment variables ask for, as a nested dict."""
    changes: dict[str, Any] = {}
    for name, path in ENVIRONMENT.items():
        if name in environ:
            target = changes
            for key in path[:-1]:
                target = target.setdefault(key, {})
            target[path[-1]] = float(environ[name])
    return changes


class Config:
    """A thread-safe nested dict of settings, validated on every change."""

    def __init__(self, *changes: Mapping[str, Any]) -> None:
        self._lock = threading.Lock()
        self._current = copy.deepcopy(DEFAULTS)
        for change in changes:
            self.update(change)
        self._initial = copy.deepcopy(self._current)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._current)

    def update(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Merge `changes` into the live config; ValueError names the first bad key."""
        with self._lock:
            merged = copy.deepcopy(self._current)
            _merge(merged, changes, DEFAULTS, "")
            self._current = merged
            return copy.deepcopy(merged)

    def restore(self) -> None:
        with self._lock:
            self._current = copy.deepcopy(self._initial)


def _merge(target: dict[str, Any], changes: Mapping[str, Any], schema: Mapping[str, Any], prefix: str) -> None:
    if not isinstance(changes, Mapping):
        raise ValueError(f"{prefix or 'config'} must be an object")
    for key, value in changes.items():
        name = prefix + key
        if key not in schema:
            raise ValueError(f"unknown setting {name}")
        if isinstance(schema[key], dict):
            _merge(target[key], value, schema[key], name + ".")
        else:
            target[key] = _number(name, key, value)


def _number(name: str, key: str, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a number >= 0")
    if key in FRACTIONS and value > 1:
        raise ValueError(f"{name} is a fraction between 0 and 1")
    if key == "rate_limit":
        if value < 1:
            raise ValueError("rate_limit must be at least 1")
        return int(value)
    return value
