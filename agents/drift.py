"""Drift: Exotel reports a device state other than what the product last set (someone changed it
outside exoadmin). A supervisor either accepts Exotel's state or re-applies the product's."""

from __future__ import annotations

from agents.audit import Actor, agent_state_refresh, audit, on_off
from agents.devices import device_set_available
from agents.models import Agent, Device, Outcome, PhoneSip
from agents.phone_sip import phone_sip_set
from exoadmin.locks import agent_change_lock
from exoadmin.refusals import Refused

ACCEPT, REAPPLY = "accept", "reapply"


def agent_drift_resolve(*, agent: Agent, action: str, actor: Actor) -> Agent:
    """`accept`: take Exotel's state as the expected one. `reapply`: set Exotel back to what the
    product last set (OFFs first, so the single-ON rule holds)."""
    if action == ACCEPT:
        with agent_change_lock(agent.pk):
            return _drift_accept(agent, actor)
    if action != REAPPLY:
        raise Refused("Choose to accept Exotel's state or to re-apply the product's.")
    drifted = sorted(
        (d for d in Device.objects.filter(agent=agent) if d.has_drift), key=lambda d: bool(d.expected_available)
    )
    for device in drifted:
        device_set_available(device=device, available=bool(device.expected_available), actor=actor)
    phone_sip = PhoneSip.objects.filter(agent=agent).first()
    if phone_sip and phone_sip.has_drift:
        phone_sip_set(
            agent=agent, actor=actor, phone=phone_sip.expected_phone_enabled, sip=phone_sip.expected_sip_enabled
        )
    return agent_state_refresh(agent=agent)


def _drift_accept(agent: Agent, actor: Actor) -> Agent:
    for device in Device.objects.filter(agent=agent):
        if device.has_drift:
            audit(
                agent,
                actor,
                device.label,
                on_off(device.expected_available),
                on_off(device.available),
                Outcome.APPLIED,
                message="Accepted Exotel's state.",
            )
            device.expected_available = bool(device.available)
            device.save(update_fields=["expected_available"])
    phone_sip = PhoneSip.objects.filter(agent=agent).first()
    if phone_sip and phone_sip.has_drift:
        audit(agent, actor, "Phone and SIP", "", "", Outcome.APPLIED, message="Accepted Exotel's state.")
        phone_sip.expected_phone_enabled = phone_sip.phone_enabled
        phone_sip.expected_sip_enabled = phone_sip.sip_enabled
        phone_sip.save()
    return agent_state_refresh(agent=agent)
