"""Exotel's per-account request budget: a sliding 60-second window, shared by every API family."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque

WINDOW_SECONDS = 60.0


class RateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: defaultdict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, account_sid: str, limit: int) -> int | None:
        """Count a request; None if it fits the budget, else whole seconds until a slot frees."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits[account_sid]
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, math.ceil(hits[-limit] + WINDOW_SECONDS - now))
            hits.append(now)
            return None

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()
