"""Authentication, account scoping and the envelope every CCM answer comes in."""

import json

import pytest
import requests

from .helpers import exotel_error


def test_missing_credentials_are_refused_with_401_1010(exotel):
    assert exotel_error(exotel.v2("GET", "/users", auth=None)) == (401, 1010)


def test_wrong_token_is_refused_with_401_1010(exotel, sandbox_account):
    assert exotel_error(exotel.v2("GET", "/users", auth=(sandbox_account.key, "nope"))) == (401, 1010)


def test_credentials_of_another_account_than_the_path_are_404_1017(exotel, sandbox_account):
    response = exotel.request("GET", "/v2/accounts/someone-else/users")
    assert exotel_error(response) == (404, 1017)
    assert response.json()["response"][0]["error_data"]["description"] == "AccountSid not found"


def test_every_answer_carries_its_request_id_in_body_header_and_log(exotel, sandbox):
    response = exotel.v2("GET", "/users")
    body = response.json()
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert len(body["request_id"]) == 32
    assert (body["method"], body["http_code"]) == ("GET", 200)
    assert sandbox.requests("/users", "GET")[-1]["request_id"] == body["request_id"]


def test_request_log_keeps_method_path_body_and_outcome_but_never_credentials(exotel, sandbox, sandbox_account):
    exotel.v3("POST", "/calls", json={"to": {"contact_uri": "+919800000000"}})
    entry = sandbox.requests("/calls", "POST")[-1]
    assert entry["body"] == {"to": {"contact_uri": "+919800000000"}}
    assert (entry["status"], entry["exotel_code"], entry["account_sid"]) == (400, 1001, sandbox_account.sid)
    assert sandbox_account.token not in json.dumps(sandbox.requests())


def test_invalid_json_is_400_1007(exotel):
    response = exotel.v3("POST", "/calls", data=b"{not json", headers={"Content-Type": "application/json"})
    assert exotel_error(response) == (400, 1007)


def test_unknown_exotel_path_is_404_in_an_envelope(exotel):
    assert exotel_error(exotel.v2("GET", "/no-such-thing")) == (404, 1000)


@pytest.mark.parametrize("path", ["/v2/accounts/x/users", "/v2/integrations/c/apps/a/users/u/devices"])
def test_control_paths_are_separate_from_exotel_paths(sandbox, path):
    assert requests.get(f"{sandbox.url}/_sandbox{path}", timeout=5).status_code == 404
