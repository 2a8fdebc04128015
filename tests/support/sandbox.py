"""The Exotel sandbox as a child process for tests: start, stop, restart, and its control API."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from tests.support.processes import ManagedProcess, free_port

find_free_port = free_port


class SandboxProcess(ManagedProcess):
    """`python -m exoadmin.sandbox` on a loopback port, with `state_path` as its SQLite state.

    It starts empty (`--seed empty`); `extra_args` are appended to the command line and `env`
    adds environment variables (EXOTEL_SANDBOX_*, see exoadmin/sandbox/README.md).
    """

    def __init__(
        self,
        state_path: str | Path,
        port: int | None = None,
        extra_args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.state_path = Path(state_path)
        self.port = port or find_free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [
            sys.executable,
            "-m",
            "exoadmin.sandbox",
            "--port",
            str(self.port),
            "--state",
            str(self.state_path),
            "--seed",
            "empty",
            *extra_args,
        ]
        super().__init__(f"sandbox-{self.port}", argv, self.state_path.parent, {**os.environ, **(env or {})})
        self._http = requests.Session()

    def start(self) -> None:
        super().start()
        self.wait_ready(lambda: self._http.get(f"{self.url}/_sandbox/health", timeout=0.5).ok, timeout=20)

    def restart(self) -> None:
        self.stop()
        self.start()

    def control(self, method: str, path: str, json: Any = None) -> Any:
        """Call the control API; answers the parsed JSON, raises AssertionError on an error."""
        response = self._http.request(method, f"{self.url}{path}", json=json, timeout=30)
        assert response.ok, f"{method} {path} -> {response.status_code}: {response.text}"
        return response.json()

    def reset(self, seed: str = "empty", contacts: int = 0) -> Any:
        return self.control("POST", "/_sandbox/reset", {"seed": seed, "contacts": contacts})

    def configure(self, **config: Any) -> dict[str, Any]:
        return self.control("POST", "/_sandbox/config", config)

    def requests(self, path: str | None = None, method: str | None = None) -> list[dict[str, Any]]:
        """The Exotel requests the sandbox received, oldest first."""
        return self.control("GET", _with_query("/_sandbox/requests", path=path, method=method))

    def callbacks(self, call_sid: str | None = None) -> list[dict[str, Any]]:
        """Status callbacks attempted (sent, failed, lost or still pending), oldest first."""
        return self.control("GET", _with_query("/_sandbox/callbacks", call_sid=call_sid))


def _with_query(endpoint: str, **params: str | None) -> str:
    query = urlencode({key: value for key, value in params.items() if value is not None})
    return f"{endpoint}?{query}" if query else endpoint
