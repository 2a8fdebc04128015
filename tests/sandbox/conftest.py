"""Fixtures for the sandbox's own tests: a fresh account on the session's sandbox, raw HTTP to it,
and a callback receiver. The session-wide `sandbox` process fixture lives in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.sandbox import SandboxProcess

from .helpers import CallbackReceiver, ExotelHttp, SandboxAccount

TEST_ACCOUNT = SandboxAccount(
    sid="acct-test",
    key="test-key",
    token="test-token-s3cret",
    customer_id="test-customer",
    app_id="test-app",
    app_token="test-app-token-s3cret",
    exophones=("+918030752400", "+918030752401"),
)
# Quick calls so a whole call (two rings and the talk) takes about a second.
FAST_CALLS = {"ring_seconds": 0.2, "talk_seconds": 0.5}


@pytest.fixture
def sandbox_account(sandbox: SandboxProcess) -> SandboxAccount:
    """An empty sandbox holding one account with known credentials and two ExoPhones."""
    sandbox.reset(seed="empty")
    sandbox.configure(**FAST_CALLS)
    sandbox.control("POST", "/_sandbox/accounts", TEST_ACCOUNT.as_control())
    return TEST_ACCOUNT


@pytest.fixture
def exotel(sandbox: SandboxProcess, sandbox_account: SandboxAccount) -> ExotelHttp:
    return ExotelHttp(sandbox.url, sandbox_account)


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    server = CallbackReceiver()
    server.start()
    yield server
    server.stop()
