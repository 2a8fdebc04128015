"""A requests.Session stand-in for the few cases the sandbox cannot produce on demand.

It answers canned responses (or raises canned exceptions) in order and records what was sent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

FIXTURES = Path(__file__).parent / "fixtures"


def seed_body(name: str) -> dict:
    """A response body copied from a seed document."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def response(
    status: int = 200, body: Any = None, *, headers: dict | None = None, raw: bytes | None = None
) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = raw if raw is not None else json.dumps(body).encode()
    resp.headers.update(headers or {})
    return resp


class StubSession:
    def __init__(self, *outcomes: requests.Response | Exception) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[dict[str, Any]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.sent.append({"method": method, "url": url, **kwargs})
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def close(self) -> None:
        pass
