"""Going unavailable: every CCM device OFF at once; for phone/SIP agents an honest refusal."""

import pytest

from agents import devices
from agents.models import Outcome
from exoadmin.refusals import Refused

from .conftest import exotel_devices


def test_going_unavailable_says_honestly_that_exotel_keeps_one_enabled(phone_sip_agent, supervisor_actor):
    with pytest.raises(Refused, match="one of them must always stay enabled"):
        devices.agent_go_unavailable(agent=phone_sip_agent, actor=supervisor_actor)

    assert phone_sip_agent.events.get().outcome == Outcome.REFUSED


def test_ccm_agent_going_unavailable_turns_every_device_off(ccm_agent, ccm_user, sandbox, supervisor_actor):
    devices.agent_go_unavailable(agent=ccm_agent, actor=supervisor_actor)

    assert not any(d["available"] for d in exotel_devices(sandbox, ccm_user["id"]).values())
    ccm_agent.refresh_from_db()
    assert ccm_agent.availability == "off"
