"""A background thread that runs one job over and over (scheduled call steps, callback sending)."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

POLL_SECONDS = 0.05


class Worker:
    def __init__(self, name: str, job: Callable[[], None]) -> None:
        self._job = job
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stopping.wait(POLL_SECONDS):
            try:
                self._job()
            except Exception:  # keep the sandbox alive; the traceback says what broke
                traceback.print_exc()
