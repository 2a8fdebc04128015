"""CCM v2 users: the list envelope, paging, the `fields` blocks and one user."""

import pytest

from .helpers import add_agent, exotel_error, sip, tel


@pytest.fixture
def three_agents(sandbox, sandbox_account):
    return [
        add_agent(sandbox, sandbox_account, tel(f"+91990000010{i}"), first_name=name)
        for i, name in enumerate(["Asha", "Vikram", "Meera"])
    ]


def test_users_list_pages_with_total_count_offset_and_limit(exotel, three_agents):
    first = exotel.v2("GET", "/users", params={"limit": 2}).json()
    rest = exotel.v2("GET", "/users", params={"offset": 2, "limit": 2}).json()
    assert first["metadata"] == {"total": 3, "count": 2, "offset": 0, "limit": 2}
    assert rest["metadata"] == {"total": 3, "count": 1, "offset": 2, "limit": 2}
    names = [r["data"]["first_name"] for r in first["response"] + rest["response"]]
    assert names == ["Asha", "Vikram", "Meera"]
    assert all(r["code"] == 200 and r["status"] == "success" and r["error_data"] is None for r in first["response"])


@pytest.mark.parametrize("query", [{"limit": 51}, {"limit": 0}, {"offset": -1}, {"limit": "ten"}])
def test_users_list_refuses_a_bad_page_with_400_1002(exotel, query):
    assert exotel_error(exotel.v2("GET", "/users", params=query)) == (400, 1002)


def test_users_list_accepts_the_maximum_limit_of_50(exotel, three_agents):
    assert exotel.v2("GET", "/users", params={"limit": 50}).json()["metadata"]["limit"] == 50


def test_devices_active_call_and_last_login_come_only_when_fields_ask(exotel, three_agents):
    plain = exotel.v2("GET", "/users").json()["response"][0]["data"]
    full = exotel.v2("GET", "/users", params={"fields": "devices,active_call,last_login"}).json()["response"][0]["data"]
    assert not {"devices", "active_call", "last_login"} & plain.keys()
    assert full["devices"] == [
        {
            "id": three_agents[0]["devices"][0]["id"],
            "name": "Mobile",
            "contact_uri": "+919900000100",
            "type": "tel",
            "available": False,
            "verified": True,
            "status": "free",
        }
    ]
    assert full["active_call"] is None and full["last_login"] is None


def test_last_login_is_an_iso_time(sandbox, sandbox_account, exotel):
    add_agent(sandbox, sandbox_account, tel("+919900000100"), last_login="2026-11-20T09:15:00+00:00")
    data = exotel.v2("GET", "/users", params={"fields": "last_login"}).json()["response"][0]["data"]
    assert data["last_login"] == "2026-11-20T09:15:00Z"


def test_users_can_be_found_by_device_contact_uri_or_email(sandbox, sandbox_account, exotel):
    add_agent(sandbox, sandbox_account, tel("+919900000100"), first_name="Asha", email="asha@example.com")
    add_agent(sandbox, sandbox_account, sip("sip:vikram"), first_name="Vikram", email="vikram@example.com")
    by_uri = exotel.v2("GET", "/users", params={"devices.contact_uri": "sip:vikram"}).json()
    by_email = exotel.v2("GET", "/users", params={"email": "asha@example.com"}).json()
    assert [r["data"]["first_name"] for r in by_uri["response"]] == ["Vikram"]
    assert [r["data"]["first_name"] for r in by_email["response"]] == ["Asha"]


def test_one_user_is_a_one_element_list_with_its_devices(sandbox, sandbox_account, exotel):
    agent = add_agent(sandbox, sandbox_account, tel("+919900000100"), sip("sip:asha", verified=False))
    body = exotel.v2("GET", f"/users/{agent['id']}").json()
    assert body["http_code"] == 200 and len(body["response"]) == 1
    data = body["response"][0]["data"]
    assert data["id"] == agent["id"]
    assert [(d["contact_uri"], d["available"], d["verified"]) for d in data["devices"]] == [
        ("+919900000100", False, True),
        ("sip:asha", None, False),
    ]
    assert data["active_call"] is None


def test_unknown_user_is_404_10801(exotel):
    assert exotel_error(exotel.v2("GET", "/users/nobody")) == (404, 10801)
