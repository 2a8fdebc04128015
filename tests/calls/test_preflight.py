"""Pre-flight with fresh Exotel data, for both device models."""

import html

import pytest
from django.utils import timezone

from agents.models import Agent, DeviceModel
from calls.preflight import preflight_check
from tests.calls.conftest import CUSTOMER, EXOPHONE, launches, sandbox_agent
from tests.support.live_calls import callbacks_withheld, place_call


@pytest.fixture
def phone_sip_agent(exotel_account, sandbox):
    def make(phone=True, sip=True, registered=True):
        sandbox.control(
            "POST",
            "/_sandbox/integration-users",
            {
                "account_sid": "acme",
                "user_id": "ps-1",
                "phone": {"enabled": phone, "number": "+919900000009"},
                "sip": {"enabled": sip, "username": "priya@acme.sip", "registered": registered},
            },
        )
        return Agent.objects.create(
            account=exotel_account,
            name="Priya Nair",
            device_model=DeviceModel.INTEGRATIONS,
            integrations_user_id="ps-1",
        )

    return make


def test_phone_and_sip_both_ring(phone_sip_agent):
    result = preflight_check(agent=phone_sip_agent())

    assert result.ok and result.rings_first == "Phone +919900000009 and SIP sip:priya@acme.sip (together)"
    assert result.from_contact_uri == "+919900000009" and result.request_id


def test_unregistered_sip_alone_cannot_take_the_call(phone_sip_agent):
    result = preflight_check(agent=phone_sip_agent(phone=False, registered=False))

    assert not result.ok and "no phone enabled and no registered SIP device" in result.reason


@pytest.mark.parametrize(
    "device,reason",
    [
        ({"available": False}, "None of Ravi Test's devices is ON"),
        ({"verified": False, "available": True}, "None of Ravi Test's devices is ON"),  # unverified reads as OFF
        ({"status": "busy"}, "is busy"),
    ],
)
def test_ccm_device_must_be_on_verified_and_free(exotel_account, sandbox, device, reason):
    user = sandbox_agent(sandbox, first_name="Ravi", **device)
    agent = Agent.objects.create(account=exotel_account, name="Ravi Test", exotel_user_id=user["id"])

    result = preflight_check(agent=agent)

    assert not result.ok and reason in result.reason


def test_agent_not_linked_to_exotel_is_refused_without_asking(exotel_account):
    result = preflight_check(agent=Agent.objects.create(account=exotel_account, name="Nobody"))

    assert not result.ok and "not linked to an Exotel user" in result.reason


def test_agent_no_longer_in_exotel_is_refused_in_words_without_asking(exotel_account, sandbox):
    user = sandbox_agent(sandbox, first_name="Ravi", available=True)
    agent = Agent.objects.create(
        account=exotel_account, name="Ravi Test", exotel_user_id=user["id"], missing_in_exotel_since=timezone.now()
    )
    asked_before = len(sandbox.requests(path=f"/users/{user['id']}", method="GET"))

    result = preflight_check(agent=agent)

    assert not result.ok and "Ravi Test: Not found in Exotel since" in result.reason
    assert "Sync the agents if the user is back" in result.reason
    assert len(sandbox.requests(path=f"/users/{user['id']}", method="GET")) == asked_before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device_model", ["ccm", "phone_sip"])
def test_an_agent_already_on_a_call_placed_here_is_not_dialled_again(
    client, sandbox, supervisor, asha, phone_sip_agent, device_model
):
    agent = asha if device_model == "ccm" else phone_sip_agent()
    callbacks_withheld(sandbox)  # the product has not heard that the first call ended
    assert client.login(username=supervisor.username, password=supervisor.password)
    call = place_call(client, agent, CUSTOMER)
    since = timezone.localtime(call.since).strftime("%H:%M")

    result = preflight_check(agent=agent)
    response = client.post("/calls/new/", {"agent": agent.pk, "customer_number": "+919876543220", "exophone": EXOPHONE})

    reason = f"{agent.name} is already on a call with {CUSTOMER} since {since}: wait until it ends."
    assert (result.ok, result.reason) == (False, reason)
    assert response.status_code == 409 and reason in html.unescape(response.content.decode())
    assert len(launches(sandbox)) == 1
