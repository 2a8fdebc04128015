"""Users and the single-ON device model (seed 000), against the real sandbox over HTTP."""

from urllib.parse import parse_qs

import pytest

from exoadmin.exotel import devices, users
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import AuthenticationFailed, Conflict, Forbidden, NotFound

from .conftest import FAST_RETRY, add_agent, phone
from .helpers import config_for


def test_list_users_returns_agents_with_their_devices(sandbox, client):
    asha = add_agent(sandbox, "Asha", [phone("+919900000101"), phone("+919900000102", name="Desk")])
    page = users.list_users(client)
    assert (page.total, page.offset, page.limit) == (1, 0, 50)
    assert page.request_id
    (user,) = page.users
    assert user.id == str(asha["id"]) and user.first_name == "Asha"
    assert [d.contact_uri for d in user.devices] == ["+919900000101", "+919900000102"]
    entry = sandbox.requests("/users", "GET")[-1]
    assert "fields=devices" in entry["query"].replace("%2C", ",")


def test_iter_all_users_walks_every_page(sandbox, client):
    for n in range(5):
        add_agent(sandbox, f"Agent{n}", [phone(f"+91990000020{n}")])
    assert sorted(u.first_name for u in users.iter_all_users(client, page_size=2)) == [f"Agent{n}" for n in range(5)]
    assert len(sandbox.requests("/users", "GET")) == 3


def test_list_users_refuses_a_page_over_50_before_sending(sandbox, client):
    with pytest.raises(ValueError):
        users.list_users(client, limit=51)
    assert sandbox.requests("/users", "GET") == []


def test_users_are_read_by_email_fifty_to_one_request(sandbox, client):
    for n in range(3):
        sandbox.control(
            "POST",
            "/_sandbox/users",
            {
                "account_sid": "acme",
                "first_name": f"Agent{n}",
                "last_name": "Agent",
                "email": f"agent+{n}@example.com",
                "devices": [],
            },
        )
    found = users.users_by_email(client, ["agent+0@example.com", "agent+2@example.com", "nobody@example.com"])
    assert sorted(user.email for user in found) == ["agent+0@example.com", "agent+2@example.com"]
    (entry,) = sandbox.requests("/users", "GET")
    query = parse_qs(entry["query"])
    assert query["email"] == ["agent+0@example.com,agent+2@example.com,nobody@example.com"] and query["limit"] == ["50"]


@pytest.mark.parametrize("emails", [[], [f"a{n}@example.com" for n in range(51)], ["a@example.com,b@example.com"]])
def test_a_users_by_email_request_exotel_cannot_answer_is_refused_before_sending(sandbox, client, emails):
    with pytest.raises(ValueError):
        users.users_by_email(client, emails)
    assert sandbox.requests("/users", "GET") == []


def test_get_user_returns_one_agent_with_devices(sandbox, client):
    asha = add_agent(sandbox)
    user = users.get_user(client, str(asha["id"]))
    assert user.first_name == "Asha" and len(user.devices) == 1 and user.request_id


def test_unknown_user_is_reported_as_not_in_the_account(client):
    with pytest.raises(NotFound) as caught:
        users.get_user(client, "nobody")
    assert (caught.value.code, caught.value.user_message) == (
        10801,
        "This agent is not in the Exotel account: refresh the agent list",
    )
    assert caught.value.request_id


def _device_ids(agent):
    return [str(d["id"]) for d in agent["devices"]]


def test_turning_a_device_on_then_off_returns_the_confirmed_state(sandbox, client):
    asha = add_agent(sandbox)
    (device_id,) = _device_ids(asha)
    on = devices.set_device_available(client, user_id=str(asha["id"]), device_id=device_id, available=True)
    assert on.available is True and on.id == device_id and on.request_id
    off = devices.set_device_available(client, user_id=str(asha["id"]), device_id=device_id, available=False)
    assert off.available is False


def test_turning_on_second_device_is_refused_with_message(sandbox, client):
    asha = add_agent(sandbox, devices=[phone("+919900000101", available=True), phone("+919900000102", name="Desk")])
    with pytest.raises(Forbidden) as caught:
        devices.set_device_available(client, user_id=str(asha["id"]), device_id=_device_ids(asha)[1], available=True)
    assert (caught.value.http_status, caught.value.code) == (403, 10810)
    assert caught.value.user_message == "Another device is ON: turn it OFF first"


def test_unverified_device_cannot_be_turned_on(sandbox, client):
    asha = add_agent(sandbox, devices=[phone("+919900000101", verified=False)])
    with pytest.raises(Conflict) as caught:
        devices.set_device_available(client, user_id=str(asha["id"]), device_id=_device_ids(asha)[0], available=True)
    assert caught.value.code == 10809
    assert caught.value.user_message == "This device is not verified yet: verify it in Exotel before turning it ON"


def test_unknown_device_is_reported(sandbox, client):
    asha = add_agent(sandbox)
    with pytest.raises(NotFound) as caught:
        devices.set_device_available(client, user_id=str(asha["id"]), device_id="999999", available=True)
    assert caught.value.code == 10702
    assert caught.value.user_message.startswith("This device is no longer in Exotel")


def test_wrong_api_token_is_reported_as_bad_credentials(sandbox, acme):
    client = ExotelClient(config_for(sandbox.url, api_token="wrong"), retry=FAST_RETRY)
    with pytest.raises(AuthenticationFailed) as caught:
        users.list_users(client)
    assert caught.value.code == 1010
    assert caught.value.user_message == "Exotel rejected the API key/token: check the account's credentials"


def test_account_sid_not_matching_the_credentials_is_reported(sandbox, acme):
    client = ExotelClient(config_for(sandbox.url, account_sid="someone-else"), retry=FAST_RETRY)
    with pytest.raises(NotFound) as caught:
        users.list_users(client)
    assert caught.value.code == 1017
    assert "account SID" in caught.value.user_message


def test_users_are_found_by_a_device_number_or_sip_address(sandbox, client):
    asha = add_agent(sandbox, "Asha", [phone("+919900000101"), {"contact_uri": "sip:asha.rao", "type": "sip"}])
    add_agent(sandbox, "Vikram", [phone("+919900000202")])

    by_number = users.users_by_device(client, "+919900000101")
    by_sip = users.users_by_device(client, "sip:asha.rao")

    assert [u.id for u in by_number] == [asha["id"]] == [u.id for u in by_sip]
    assert parse_qs(sandbox.requests("/users", "GET")[-1]["query"])["devices.contact_uri"] == ["sip:asha.rao"]
    assert users.users_by_device(client, "+919900000999") == []
    with pytest.raises(ValueError):
        users.users_by_device(client, "+91990,0000101")
