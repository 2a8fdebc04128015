"""Switching the ringing device in one action: OFF, ON, read back; a failed ON is rolled back."""

import pytest

from agents import devices
from agents.models import Outcome
from exoadmin.refusals import Refused

from .conftest import PHONE, SIP, change_in_exotel, exotel_devices


def test_switch_turns_the_old_device_off_and_the_new_one_on(ccm_agent, ccm_user, sandbox, supervisor_actor):
    sip = ccm_agent.devices.get(contact_uri=SIP)

    devices.device_switch_to(device=sip, actor=supervisor_actor)

    in_exotel = exotel_devices(sandbox, ccm_user["id"])
    assert (in_exotel[PHONE]["available"], in_exotel[SIP]["available"]) == (False, True)
    assert sandbox.requests(f"/users/{ccm_user['id']}", "GET"), "the switch reads the devices back"
    ccm_agent.refresh_from_db()
    assert ccm_agent.availability == "available" and not ccm_agent.has_drift
    steps = list(ccm_agent.events.order_by("id").values_list("device", "after", "outcome"))
    assert steps == [(f"Phone {PHONE}", "OFF", Outcome.APPLIED), (f"SIP {SIP}", "ON", Outcome.APPLIED)]


def test_failed_on_step_turns_the_first_device_back_on_and_says_so(ccm_agent, ccm_user, sandbox, supervisor_actor):
    # Behind the product's back, Exotel no longer considers the SIP device verified.
    change_in_exotel(sandbox, ccm_user["id"], SIP, verified=False)
    sip = ccm_agent.devices.get(contact_uri=SIP)

    with pytest.raises(Refused) as failure:
        devices.device_switch_to(device=sip, actor=supervisor_actor)

    assert failure.value.message == (
        f"Could not turn ON SIP ({SIP}): Exotel said: This device is not verified yet: verify it in Exotel "
        f"before turning it ON. Asha Rao's phone {PHONE} is ON again."
    )
    assert exotel_devices(sandbox, ccm_user["id"])[PHONE]["available"] is True
    steps = list(ccm_agent.events.order_by("id").values_list("after", "outcome"))
    assert steps == [("OFF", Outcome.APPLIED), ("ON", Outcome.FAILED), ("ON", Outcome.ROLLED_BACK)]
    assert all(ccm_agent.events.values_list("request_id", flat=True))
    ccm_agent.refresh_from_db()
    assert ccm_agent.availability == "available"


def test_an_agent_switching_themselves_hears_about_their_own_phone(ccm_agent, ccm_user, sandbox, agent_login):
    from agents.audit import Actor
    from agents.models import Source

    change_in_exotel(sandbox, ccm_user["id"], SIP, verified=False)

    with pytest.raises(Refused, match=rf"Your phone \{PHONE} is ON again\.$"):
        devices.device_switch_to(
            device=ccm_agent.devices.get(contact_uri=SIP), actor=Actor.person(agent_login.user, Source.AGENT)
        )


def test_switching_to_an_unverified_device_is_refused_before_anything_changes(
    sandbox, exotel_account, supervisor_actor
):
    from .conftest import sandbox_user, synced_agent

    sandbox_user(
        sandbox,
        devices=[
            {"contact_uri": PHONE, "type": "tel", "available": True},
            {"contact_uri": SIP, "type": "sip", "verified": False},
        ],
    )
    agent = synced_agent(exotel_account)

    with pytest.raises(Refused, match="not verified"):
        devices.device_switch_to(device=agent.devices.get(contact_uri=SIP), actor=supervisor_actor)

    assert sandbox.requests("/devices/", "PUT") == []
