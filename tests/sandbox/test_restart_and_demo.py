"""Processes of their own: state (in-flight calls included) survives a restart; the demo seed;
configuration from the command line and the environment."""

import requests

from exoadmin.sandbox.demo import DEMO_ACCOUNT, DEMO_EXOPHONES, DEMO_USERS
from tests.support.sandbox import SandboxProcess

from .conftest import TEST_ACCOUNT
from .helpers import ExotelHttp, SandboxAccount, add_agent, tel, wait_for_terminal

FAST = {"EXOTEL_SANDBOX_RING_SECONDS": "0.3", "EXOTEL_SANDBOX_TALK_SECONDS": "0.3"}


def test_state_and_an_in_flight_call_survive_a_restart(tmp_path, receiver):
    sandbox = SandboxProcess(tmp_path / "state.sqlite3", extra_args=["--rate-limit", "50"], env=FAST)
    sandbox.start()
    try:
        sandbox.control("POST", "/_sandbox/accounts", TEST_ACCOUNT.as_control())
        exotel = ExotelHttp(sandbox.url, TEST_ACCOUNT)
        agent = add_agent(sandbox, TEST_ACCOUNT, tel("+919900000101"), tel("+919900000102"))
        phone = agent["devices"][1]
        exotel.v2("PUT", f"/users/{agent['id']}/devices/{phone['id']}", json={"available": True})
        callbacks = [{"event": "terminal", "url": f"{receiver.url}/terminal"}]
        launched = exotel.launch_v3("+919900000102", "+919812345670", status_callback=callbacks)
        sid = launched.json()["response"]["call_details"]["sid"]
        in_flight = sandbox.control("GET", f"/_sandbox/calls/{sid}")
        assert in_flight["call_details"]["state"] == "active" and in_flight["events"]

        sandbox.restart()

        config = sandbox.control("GET", "/_sandbox/config")
        assert (config["rate_limit"], config["ring_seconds"], config["talk_seconds"]) == (50, 0.3, 0.3)
        assert wait_for_terminal(exotel, sid)["status"] == "completed"
        assert receiver.wait_for(1, "/terminal")[0]["body"]["call_details"]["sid"] == sid
        user = exotel.v2("GET", f"/users/{agent['id']}").json()["response"][0]["data"]
        assert [(d["available"], d["status"]) for d in user["devices"]] == [(False, "free"), (True, "free")]
    finally:
        sandbox.stop()


def test_the_demo_seed_serves_the_demo_account_agents_integrations_and_contacts(sandbox):
    sandbox.reset(seed="demo", contacts=30)
    demo = ExotelHttp(
        sandbox.url,
        SandboxAccount(
            DEMO_ACCOUNT["sid"],
            DEMO_ACCOUNT["api_key"],
            DEMO_ACCOUNT["api_token"],
            DEMO_ACCOUNT["customer_id"],
            DEMO_ACCOUNT["app_id"],
            DEMO_ACCOUNT["app_token"],
            tuple(DEMO_EXOPHONES),
        ),
    )
    users = [r["data"] for r in demo.v2("GET", "/users", params={"fields": "devices"}).json()["response"]]
    assert [(u["first_name"], u["last_name"], u["email"]) for u in users] == [
        (u["first_name"], u["last_name"], u["email"]) for u in DEMO_USERS
    ]
    assert users[0]["email"] == "asha@example.com" and users[1]["email"] == "vikram@example.com"
    states = {d["contact_uri"]: (d["available"], d["verified"], d["status"]) for u in users for d in u["devices"]}
    assert states["+919876500001"] == (True, True, "free")  # Asha's phone is ON
    assert states["sip:vikram.shah"] == (True, True, "free")  # Vikram's softphone is ON
    assert states["+919876500003"] == (None, False, None)  # Meera's new phone is unverified
    assert states["+919876500004"] == (True, True, "busy")  # Rahul is busy
    sips = {
        user_id: demo.integrations("GET", user_id).json()["data"]["devices"]["sip"]
        for user_id in ("agent_001", "agent_002", "agent_003")
    }
    assert [sip["registered"] for sip in sips.values()] == [True, False, True]
    contacts = demo.v2("GET", "/contacts").json()
    assert contacts["metadata"]["total"] == 30
    sandbox.reset(seed="demo", contacts=30)
    again = demo.v2("GET", "/contacts").json()
    assert [c["data"]["sid"] for c in again["response"]] == [c["data"]["sid"] for c in contacts["response"]]
    assert demo.launch_v3("+919876500001", "+919812345670").status_code == 200


def test_a_demo_seed_is_planted_only_into_an_empty_state_file(tmp_path):
    sandbox = SandboxProcess(tmp_path / "state.sqlite3", extra_args=["--seed", "demo", "--contacts", "5"])
    sandbox.start()
    try:
        auth = (DEMO_ACCOUNT["api_key"], DEMO_ACCOUNT["api_token"])
        contact = f"{sandbox.url}/v2/accounts/{DEMO_ACCOUNT['sid']}/contacts"
        first = requests.get(contact, auth=auth, timeout=5).json()["response"][0]["data"]["sid"]
        requests.delete(f"{contact}/{first}", auth=auth, timeout=5)
        sandbox.restart()
        assert requests.get(contact, auth=auth, timeout=5).json()["metadata"]["total"] == 4
    finally:
        sandbox.stop()
