"""The integrations phone/SIP model: at least one stays enabled, and Exotel's answer is stored."""

import pytest

from agents.models import Outcome
from agents.phone_sip import phone_sip_set
from exoadmin.refusals import Refused

from .conftest import exotel_phone_sip


def test_enabling_sip_and_disabling_the_phone_is_applied_in_exotel(phone_sip_agent, sandbox, supervisor_actor):
    phone_sip_set(agent=phone_sip_agent, actor=supervisor_actor, sip=True)
    phone_sip_set(agent=phone_sip_agent, actor=supervisor_actor, phone=False)

    devices = exotel_phone_sip(sandbox, "agent_007")
    assert (devices["phone"]["enabled"], devices["sip"]["enabled"]) == (False, True)
    assert list(phone_sip_agent.events.order_by("id").values_list("device", "after", "outcome")) == [
        ("SIP agent_007@acme-app.exotel.com", "ON", Outcome.APPLIED),
        ("Phone +919900000777", "OFF", Outcome.APPLIED),
    ]


def test_disabling_both_is_refused_with_a_clear_message(phone_sip_agent, sandbox, supervisor_actor):
    with pytest.raises(Refused, match="At least one of phone and SIP must stay enabled"):
        phone_sip_set(agent=phone_sip_agent, actor=supervisor_actor, phone=False)

    assert sandbox.requests("/devices", "PUT") == []
    assert exotel_phone_sip(sandbox, "agent_007")["phone"]["enabled"] is True
    assert phone_sip_agent.events.get().outcome == Outcome.REFUSED
