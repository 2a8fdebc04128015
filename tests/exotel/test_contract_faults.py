"""Injected faults: idempotent requests ride them out within their retry budget."""

from exoadmin.exotel import devices, users

from .conftest import add_agent, phone


def test_idempotent_requests_succeed_despite_20_percent_faults(sandbox, client):
    asha = add_agent(sandbox, devices=[phone("+919900000101")])
    user_id, device_id = str(asha["id"]), str(asha["devices"][0]["id"])
    sandbox.configure(faults={"error_500": 0.1, "error_429": 0.05, "drop": 0.05})
    for n in range(20):
        available = n % 2 == 0
        assert (
            devices.set_device_available(client, user_id=user_id, device_id=device_id, available=available).available
            is available
        )
        assert users.get_user(client, user_id).devices[0].available is available
    logged = sandbox.requests("/users", None)
    assert len(logged) > 40  # the faults were really there, and were retried
