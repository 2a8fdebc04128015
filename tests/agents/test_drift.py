"""Drift found by a sync, resolved by a supervisor: accept Exotel's state, or set Exotel back."""

from agents.drift import ACCEPT, REAPPLY, agent_drift_resolve
from agents.models import Agent
from agents.sync import agents_sync

from .conftest import PHONE, SIP, change_in_exotel, exotel_devices


def test_accepting_drift_takes_exotels_state(ccm_agent, ccm_user, sandbox, exotel_account, supervisor_actor):
    change_in_exotel(sandbox, ccm_user["id"], PHONE, available=False)
    agents_sync(account=exotel_account)

    agent_drift_resolve(agent=Agent.objects.get(pk=ccm_agent.pk), action=ACCEPT, actor=supervisor_actor)

    ccm_agent.refresh_from_db()
    assert not ccm_agent.has_drift
    assert ccm_agent.devices.get(contact_uri=PHONE).expected_available is False


def test_reapplying_drift_sets_exotel_back(ccm_agent, ccm_user, sandbox, exotel_account, supervisor_actor):
    """Someone switched Asha to SIP in Exotel's dashboard; re-apply puts her phone back ON."""
    change_in_exotel(sandbox, ccm_user["id"], PHONE, available=False)
    change_in_exotel(sandbox, ccm_user["id"], SIP, available=True)
    agents_sync(account=exotel_account)

    agent_drift_resolve(agent=Agent.objects.get(pk=ccm_agent.pk), action=REAPPLY, actor=supervisor_actor)

    devices = exotel_devices(sandbox, ccm_user["id"])
    assert (devices[PHONE]["available"], devices[SIP]["available"]) == (True, False)
    ccm_agent.refresh_from_db()
    assert not ccm_agent.has_drift
