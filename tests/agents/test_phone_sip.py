"""The integrations phone/SIP model: at least one stays enabled; going unavailable is not possible."""

import pytest

from agents import services
from agents.models import Outcome
from agents.services import ChangeRefused

from .conftest import exotel_phone_sip


def test_enabling_sip_and_disabling_the_phone_is_applied_in_exotel(phone_sip_agent, sandbox, supervisor_actor):
    services.phone_sip_set(agent=phone_sip_agent, actor=supervisor_actor, sip=True)
    services.phone_sip_set(agent=phone_sip_agent, actor=supervisor_actor, phone=False)

    devices = exotel_phone_sip(sandbox, "agent_007")
    assert (devices["phone"]["enabled"], devices["sip"]["enabled"]) == (False, True)
    assert list(phone_sip_agent.events.order_by("id").values_list("device", "after", "outcome")) == [
        ("SIP agent_007@acme-app.exotel.com", "ON", Outcome.APPLIED),
        ("Phone +919900000777", "OFF", Outcome.APPLIED),
    ]


def test_disabling_both_is_refused_with_a_clear_message(phone_sip_agent, sandbox, supervisor_actor):
    with pytest.raises(ChangeRefused, match="At least one of phone and SIP must stay enabled"):
        services.phone_sip_set(agent=phone_sip_agent, actor=supervisor_actor, phone=False)

    assert sandbox.requests("/devices", "PUT") == []
    assert exotel_phone_sip(sandbox, "agent_007")["phone"]["enabled"] is True
    assert phone_sip_agent.events.get().outcome == Outcome.REFUSED


def test_going_unavailable_says_honestly_that_exotel_keeps_one_enabled(phone_sip_agent, supervisor_actor):
    with pytest.raises(ChangeRefused, match="one of them must always stay enabled"):
        services.agent_go_unavailable(agent=phone_sip_agent, actor=supervisor_actor)

    assert phone_sip_agent.events.get().outcome == Outcome.REFUSED


def test_ccm_agent_going_unavailable_turns_every_device_off(ccm_agent, ccm_user, sandbox, supervisor_actor):
    from .conftest import exotel_devices

    services.agent_go_unavailable(agent=ccm_agent, actor=supervisor_actor)

    assert not any(d["available"] for d in exotel_devices(sandbox, ccm_user["id"]).values())
    ccm_agent.refresh_from_db()
    assert ccm_agent.availability == "off"
