"""People and devices for the agents tests: sandbox users synced into the product."""

import pytest
import requests

from agents.audit import Actor
from agents.models import Agent, DeviceModel, Source
from agents.sync import agents_sync

PHONE = "+919900000101"
SIP = "sip:asha.rao"


def sandbox_user(sandbox, *, first_name="Asha", last_name="Rao", email="asha@example.com", devices=None) -> dict:
    """A CCM user in the sandbox; default devices: a phone that is ON and a verified SIP that is OFF."""
    devices = (
        devices
        if devices is not None
        else [
            {"name": "Mobile", "contact_uri": PHONE, "type": "tel", "available": True},
            {"name": "Softphone", "contact_uri": SIP, "type": "sip", "available": False},
        ]
    )
    return sandbox.control(
        "POST",
        "/_sandbox/users",
        {
            "account_sid": "acme",
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "devices": devices,
        },
    )


def exotel_devices(sandbox, user_id: str) -> dict[str, dict]:
    """The user's devices as Exotel (the sandbox) reports them now, by contact URI; no product code."""
    response = requests.get(
        f"{sandbox.url}/v2/accounts/acme/users/{user_id}",
        params={"fields": "devices"},
        auth=("acme-key", "acme-token-s3cret"),
        timeout=5,
    )
    record = response.json()["response"][0]["data"]
    return {d["contact_uri"]: d for d in record["devices"]}


def change_in_exotel(sandbox, user_id: str, contact_uri: str, **changes) -> None:
    """Change a device behind the product's back (the sandbox's control API)."""
    device_id = exotel_devices(sandbox, user_id)[contact_uri]["id"]
    sandbox.control("PATCH", f"/_sandbox/devices/{device_id}", changes)


def exotel_phone_sip(sandbox, user_id: str) -> dict:
    response = requests.get(
        f"{sandbox.url}/v2/integrations/acme-customer/apps/acme-app/users/{user_id}/devices",
        headers={"Authorization": "Bearer acme-app-token-s3cret"},
        timeout=5,
    )
    return response.json()["data"]["devices"]


def synced_agent(exotel_account, **kwargs) -> Agent:
    agents_sync(account=exotel_account)
    return Agent.objects.get(account=exotel_account, email=kwargs.get("email", "asha@example.com"))


@pytest.fixture
def ccm_user(sandbox, exotel_account):
    return sandbox_user(sandbox)


@pytest.fixture
def ccm_agent(exotel_account, ccm_user, agent_login):
    """Asha: phone ON, SIP OFF (both verified), linked to the `asha` login by email."""
    agent_login.user.email = "asha@example.com"
    agent_login.user.save()
    agent = synced_agent(exotel_account)
    assert agent.user == agent_login.user
    return agent


@pytest.fixture
def phone_sip_agent(sandbox, exotel_account):
    """An integrations agent with the phone enabled and SIP disabled."""
    sandbox.control(
        "POST",
        "/_sandbox/integration-users",
        {
            "account_sid": "acme",
            "user_id": "agent_007",
            "phone": {"enabled": True, "number": "+919900000777"},
            "sip": {"enabled": False, "username": "agent_007@acme-app.exotel.com", "registered": False},
        },
    )
    agent = Agent.objects.create(
        account=exotel_account,
        name="Priya Nair",
        integrations_user_id="agent_007",
        device_model=DeviceModel.INTEGRATIONS,
    )
    agents_sync(account=exotel_account)
    agent.refresh_from_db()
    return agent


@pytest.fixture
def supervisor_actor(supervisor_login):
    return Actor.person(supervisor_login.user, Source.SUPERVISOR)


@pytest.fixture
def board_supervisor(supervisor_login, exotel_account):
    exotel_account.members.add(supervisor_login.user)
    exotel_account.account_wide.add(supervisor_login.user)  # sees every team
    return supervisor_login
