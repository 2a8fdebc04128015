"""The per-account rate limit and injected faults (500s, 429s, slow answers, dropped connections)."""

import time

import pytest
import requests

from .helpers import ExotelHttp, SandboxAccount, exotel_error


def test_requests_past_the_rate_limit_get_429_with_retry_after(sandbox, exotel):
    sandbox.configure(rate_limit=3)
    assert [exotel.v2("GET", "/users").status_code for _ in range(3)] == [200, 200, 200]
    refused = exotel.v2("GET", "/users")
    assert exotel_error(refused) == (429, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_the_legs_api_says_429_with_code_10724(sandbox, exotel):
    sandbox.configure(rate_limit=1)
    exotel.v2("GET", "/users")
    assert exotel_error(exotel.v3("GET", "/calls/" + "0" * 32 + "/legs")) == (429, 10724)


def test_every_api_family_shares_one_budget_per_account(sandbox, sandbox_account, exotel):
    sandbox.configure(rate_limit=2)
    sandbox.control("POST", "/_sandbox/accounts", {"sid": "other", "api_key": "other-key", "api_token": "t"})
    other = ExotelHttp(sandbox.url, SandboxAccount("other", "other-key", "t", "", "", "", ()))
    exotel.v2("GET", "/users")
    exotel.v2("GET", "/contacts")
    assert exotel.integrations("GET", "agent_001").status_code == 429
    assert other.v2("GET", "/users").status_code == 200


def test_unauthenticated_requests_do_not_use_the_budget(sandbox, exotel):
    sandbox.configure(rate_limit=1)
    for _ in range(3):
        exotel.v2("GET", "/users", auth=("test-key", "wrong"))
    assert exotel.v2("GET", "/users").status_code == 200


def test_injected_500s_follow_the_configured_fraction(sandbox, exotel):
    sandbox.configure(rate_limit=1000, faults={"error_500": 0.5})
    responses = [exotel.v2("GET", "/contacts") for _ in range(200)]
    failed = [r for r in responses if r.status_code != 200]
    assert 60 <= len(failed) <= 140  # 100 expected; this range is five standard deviations wide
    assert {exotel_error(r) for r in failed} == {(500, 1100)}


def test_an_injected_500_on_legs_carries_code_500(sandbox, exotel):
    sandbox.configure(faults={"error_500": 1.0})
    assert exotel_error(exotel.v3("GET", "/calls/" + "0" * 32 + "/legs")) == (500, 500)
    assert exotel.integrations("GET", "agent_001").json() == {
        "success": False,
        "error": {"code": 500, "message": "Internal Server Error"},
    }


def test_an_injected_429_says_when_to_retry(sandbox, exotel):
    sandbox.configure(faults={"error_429": 1.0})
    response = exotel.v2("GET", "/users")
    assert exotel_error(response) == (429, 429) and response.headers["Retry-After"] == "1"


def test_a_dropped_connection_closes_without_an_answer_and_is_logged(sandbox, exotel):
    sandbox.configure(faults={"drop": 1.0})
    with pytest.raises(requests.ConnectionError):
        exotel.v2("GET", "/users")
    assert sandbox.requests("/users")[-1]["status"] is None


def test_a_slow_answer_takes_the_configured_time(sandbox, exotel):
    sandbox.configure(faults={"slow": 1.0, "slow_seconds": 0.3})
    started = time.perf_counter()
    assert exotel.v2("GET", "/users").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_the_control_api_is_never_faulted_or_limited(sandbox, exotel):
    sandbox.configure(rate_limit=1, faults={"drop": 1.0, "error_500": 1.0})
    for _ in range(5):
        assert sandbox.control("GET", "/_sandbox/health")["ok"] is True


def test_a_reset_restores_the_start_up_config(sandbox, exotel):
    sandbox.configure(rate_limit=1, faults={"error_500": 1.0})
    sandbox.reset()
    config = sandbox.control("GET", "/_sandbox/config")
    assert (config["rate_limit"], config["faults"]["error_500"]) == (200, 0.0)


@pytest.mark.parametrize(
    "change",
    [
        {"faults": {"error_500": 1.5}},
        {"nonsense": 1},
        {"rate_limit": 0},
        {"callbacks": {"loss": "all"}},
        {"faults": 0.5},
    ],
)
def test_the_config_refuses_bad_values(sandbox, change):
    response = requests.post(f"{sandbox.url}/_sandbox/config", json=change, timeout=5)
    assert response.status_code == 400 and response.json()["error"]
