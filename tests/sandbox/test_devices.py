"""The single-ON device model (seed 000): at most one device ON, never switched over by Exotel."""

import pytest

from .helpers import add_agent, exotel_error, sip, tel


def _put(exotel, agent, device, body):
    return exotel.v2("PUT", f"/users/{agent['id']}/devices/{device['id']}", json=body)


def _devices(exotel, agent):
    data = exotel.v2("GET", f"/users/{agent['id']}").json()["response"][0]["data"]
    return {d["contact_uri"]: d["available"] for d in data["devices"]}


@pytest.fixture
def agent(sandbox, sandbox_account):
    return add_agent(
        sandbox, sandbox_account, tel("+919900000101"), sip("sip:asha"), sip("sip:asha-new", verified=False)
    )


def test_turning_a_device_on_answers_the_device_in_a_one_element_list(exotel, agent):
    phone = agent["devices"][0]
    body = _put(exotel, agent, phone, {"available": True}).json()
    assert (body["method"], body["http_code"]) == ("PUT", 200)
    assert body["response"] == [
        {
            "code": 200,
            "status": "success",
            "error_data": None,
            "data": {
                "id": phone["id"],
                "name": "Mobile",
                "contact_uri": "+919900000101",
                "type": "tel",
                "available": True,
                "verified": True,
                "status": "free",
            },
        }
    ]
    assert _devices(exotel, agent)["+919900000101"] is True


def test_turning_on_second_device_is_refused_with_10810(exotel, agent):
    phone, softphone = agent["devices"][:2]
    _put(exotel, agent, phone, {"available": True})
    response = _put(exotel, agent, softphone, {"available": True})
    assert exotel_error(response) == (403, 10810)
    assert _devices(exotel, agent) == {"+919900000101": True, "sip:asha": False, "sip:asha-new": None}


def test_switching_devices_is_off_then_on(exotel, agent):
    phone, softphone = agent["devices"][:2]
    _put(exotel, agent, phone, {"available": True})
    assert _put(exotel, agent, phone, {"available": False}).status_code == 200
    assert _put(exotel, agent, softphone, {"available": True}).status_code == 200
    assert _devices(exotel, agent) == {"+919900000101": False, "sip:asha": True, "sip:asha-new": None}


def test_turning_on_the_device_that_is_already_on_is_fine(exotel, agent):
    phone = agent["devices"][0]
    _put(exotel, agent, phone, {"available": True})
    assert _put(exotel, agent, phone, {"available": True}).status_code == 200


def test_unverified_device_cannot_be_turned_on_with_409_10809(exotel, agent):
    unverified = agent["devices"][2]
    assert exotel_error(_put(exotel, agent, unverified, {"available": True})) == (409, 10809)
    assert _devices(exotel, agent)["sip:asha-new"] is None


def test_unknown_device_or_another_users_device_is_404_10702(sandbox, sandbox_account, exotel, agent):
    other = add_agent(sandbox, sandbox_account, tel("+919900000202"), first_name="Vikram")
    assert exotel_error(_put(exotel, agent, {"id": 999999}, {"available": True})) == (404, 10702)
    assert exotel_error(_put(exotel, agent, other["devices"][0], {"available": True})) == (404, 10702)


def test_unknown_user_is_404_10801(exotel, agent):
    response = _put(exotel, {"id": "nobody"}, agent["devices"][0], {"available": True})
    assert exotel_error(response) == (404, 10801)


@pytest.mark.parametrize("body", [{}, {"available": "yes"}, {"available": 1}, [True], None])
def test_a_body_without_a_boolean_available_is_400_1007(exotel, agent, body):
    assert exotel_error(_put(exotel, agent, agent["devices"][0], body)) == (400, 1007)


def test_a_device_changed_behind_the_products_back_shows_up(sandbox, exotel, agent):
    phone = agent["devices"][0]
    changed = sandbox.control("PATCH", f"/_sandbox/devices/{phone['id']}", {"available": True, "status": "busy"})
    assert (changed["available"], changed["status"]) == (True, "busy")
    assert _devices(exotel, agent)["+919900000101"] is True
    sandbox.control("PATCH", f"/_sandbox/devices/{phone['id']}", {"verified": False})
    assert _devices(exotel, agent)["+919900000101"] is None
