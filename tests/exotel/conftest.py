"""Fixtures for the Exotel client's contract tests: a fresh sandbox account and clients on it.

The sandbox (`sandbox`) and Redis (`redis_server`) processes come from tests/conftest.py.
"""

import json

import pytest
import redis

from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.transport import RetryPolicy

from .helpers import config_for

ACCOUNT = {
    "sid": "acme",
    "api_key": "acme-key",
    "api_token": "acme-token-s3cret",
    "customer_id": "acme-customer",
    "app_id": "acme-app",
    "app_token": "acme-app-token-s3cret",
    "exophones": ["+918030752400"],
}
EXOPHONE = ACCOUNT["exophones"][0]
# Quick retries, so that fault-injection tests take seconds, not minutes.
FAST_RETRY = RetryPolicy(max_attempts=6, base_delay=0.02, max_delay=1.5)


@pytest.fixture
def acme(sandbox):
    """An empty sandbox holding one account, "acme", with one ExoPhone."""
    sandbox.reset(seed="empty")
    sandbox.control("POST", "/_sandbox/accounts", ACCOUNT)
    return ACCOUNT


@pytest.fixture
def client(sandbox, acme):
    client = ExotelClient(config_for(sandbox.url), retry=FAST_RETRY)
    yield client
    client.close()


@pytest.fixture
def redis_client(redis_server):
    return redis.Redis.from_url(redis_server.url)


def add_agent(sandbox, first_name="Asha", devices=None) -> dict:
    """A CCM user with devices (default: one verified phone, OFF); answers it with its ids."""
    devices = devices if devices is not None else [phone("+919900000101")]
    return sandbox.control(
        "POST",
        "/_sandbox/users",
        {
            "account_sid": ACCOUNT["sid"],
            "first_name": first_name,
            "last_name": "Agent",
            "devices": devices,
        },
    )


def phone(number, *, available=False, verified=True, name="Mobile") -> dict:
    return {"name": name, "contact_uri": number, "type": "tel", "available": available, "verified": verified}


def logged_body(entry):
    """The JSON body of a logged request, whether the log keeps it as text or as JSON."""
    body = entry["body"]
    return json.loads(body) if isinstance(body, str) and body else body
