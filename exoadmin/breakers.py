"""Circuit breakers: a process that finds a dependency sick stops waiting on it for a while.

A hung Redis or database answers nothing until a time limit ends; paying that limit on every
request would hold every web worker. So each process keeps one breaker per dependency: after
`threshold` failures in a row it *opens* and callers fail at once (each has its own fallback, or a
clear message) for `open_seconds`; then one caller is let through as a *trial* while the others
still fail at once, and the trial's outcome closes or re-opens it.

Breakers are per process on purpose: nothing shared (which lives in the very Redis that may be
sick) can tell a process that a dependency is sick, and each process pays the time limit once
per `open_seconds` at most. /healthz shows the answering process's breakers with what to do; /metrics
shows every process's, through `observe()`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

State = Literal["closed", "open", "trial"]
Event = Literal["closed", "open", "trial", "refused"]  # a new state, or a caller turned away at once
Observer = Callable[[str, Event], None]  # (breaker name, event); must be quick and never raise

_observers: list[Observer] = []


def observe(observer: Observer) -> None:
    """Tells `observer` of every breaker this process makes (as "closed"), each change of state, and
    each caller refused while open; /metrics counts them for every process (exoadmin.metrics)."""
    _observers.append(observer)


def _tell(name: str, event: Event) -> None:
    for observer in _observers:
        observer(name, event)


@dataclass(frozen=True)
class BreakerStatus:
    name: str
    state: State
    failures: int  # in a row
    last_error: str
    seconds_open: float  # since it opened (0 when closed)
    action: str  # what an operator should do while it is not closed


class Breaker:
    def __init__(self, name: str, *, open_seconds: float, threshold: int = 1, action: str) -> None:
        self.name = name
        self.open_seconds = open_seconds
        self.threshold = threshold
        self.action = action
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None  # time.monotonic()
        self._trial_until = 0.0  # a trial lets nobody else through until it ends or this passes
        self._trial_thread: int | None = None  # the trial's thread may ask again (connect, then send)
        self._last_error = ""

    def allow(self) -> bool:
        """True when the dependency may be asked now (closed, or this caller is the trial)."""
        starts_trial = False
        with self._lock:
            if self._opened_at is None:
                return True
            now, me = time.monotonic(), threading.get_ident()
            if now < self._trial_until:
                allowed = self._trial_thread == me
            elif now - self._opened_at < self.open_seconds:
                allowed = False
            else:
                self._trial_until, self._trial_thread = now + self.open_seconds, me  # a lost trial frees itself
                allowed = starts_trial = True
        if starts_trial or not allowed:
            _tell(self.name, "trial" if starts_trial else "refused")
        return allowed

    def succeeded(self) -> None:
        if self._failures or self._opened_at is not None:  # the common case takes no lock
            with self._lock:
                was_open = self._opened_at is not None
                self._failures, self._opened_at, self._trial_until, self._trial_thread = 0, None, 0.0, None
            if was_open:
                _tell(self.name, "closed")

    def failed(self, error: object) -> None:
        with self._lock:
            self._failures += 1
            self._last_error = str(error)[:200]
            opens = self._failures >= self.threshold
            if opens:
                self._opened_at, self._trial_until, self._trial_thread = time.monotonic(), 0.0, None
        if opens:
            _tell(self.name, "open")

    def retry_in(self) -> float:
        """Seconds until a caller may try again (0 when it may now)."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self._opened_at + self.open_seconds - time.monotonic())

    def status(self) -> BreakerStatus:
        with self._lock:
            opened = self._opened_at
            since = time.monotonic() - opened if opened is not None else 0.0
            state: State = "closed" if opened is None else ("open" if since < self.open_seconds else "trial")
            return BreakerStatus(self.name, state, self._failures, self._last_error, since, self.action)


_registry: dict[str, Breaker] = {}
_registry_lock = threading.Lock()


def breaker(name: str, *, open_seconds: float, threshold: int = 1, action: str) -> Breaker:
    """This process's breaker called `name`, made on first use (later settings are ignored)."""
    with _registry_lock:
        found = _registry.get(name)
        made = found is None
        if found is None:
            found = _registry[name] = Breaker(name, open_seconds=open_seconds, threshold=threshold, action=action)
    if made:
        _tell(name, "closed")
    return found


def breakers() -> list[Breaker]:
    """Every breaker this process has made, by name."""
    with _registry_lock:
        return sorted(_registry.values(), key=lambda b: b.name)
