"""Enabling and disabling an agent's phone and SIP devices: Exotel's integrations model (seed 001).

At least one of them stays enabled (Exotel rings one of them for every call), so a change that
would leave both disabled is refused before Exotel is asked.
"""

from __future__ import annotations

from agents.audit import Actor, agent_state_refresh, audit, log_exotel_failure, on_off, refusal
from agents.mirror import apply_integration_devices
from agents.models import Agent, Outcome, PhoneSip
from exoadmin.accounts.clients import exotel_client
from exoadmin.exotel import integrations
from exoadmin.exotel.errors import ExotelError
from exoadmin.locks import agent_change_lock
from exoadmin.refusals import Refused

KEEP_ONE_ENABLED = (
    "At least one of phone and SIP must stay enabled (Exotel rings one of them for every call): "
    "enable the other one first"
)


def phone_sip_set(*, agent: Agent, actor: Actor, phone: bool | None = None, sip: bool | None = None) -> PhoneSip:
    """Enable or disable the phone and/or SIP device; refuses to leave both disabled."""
    with agent_change_lock(agent.pk):
        phone_sip = PhoneSip.objects.filter(agent=agent).first()
        if phone_sip is None:
            raise Refused("This agent has no phone/SIP devices in Exotel yet: sync from Exotel first")
        wanted = {
            "phone": phone_sip.phone_enabled if phone is None else phone,
            "sip": phone_sip.sip_enabled if sip is None else sip,
        }
        changes = [
            (name, label, getattr(phone_sip, f"{name}_enabled"), wanted[name])
            for name, label in (("phone", phone_sip.phone_label), ("sip", phone_sip.sip_label))
            if wanted[name] != getattr(phone_sip, f"{name}_enabled")
        ]
        if not wanted["phone"] and not wanted["sip"]:
            label = ", ".join(label for _, label, *_ in changes) or "Phone and SIP"
            raise refusal(agent, actor, label, "ON", "OFF", KEEP_ONE_ENABLED)
        if not changes:
            return phone_sip
        client = exotel_client(agent.account)
        try:
            result = integrations.set_devices(client, agent.integrations_user_id, phone=phone, sip=sip)
        except ExotelError as exc:
            log_exotel_failure(agent.pk, "changing phone/SIP", exc)
            for _, label, before, after in changes:
                audit(
                    agent,
                    actor,
                    label,
                    on_off(before),
                    on_off(after),
                    Outcome.FAILED,
                    request_id=exc.request_id,
                    message=exc.user_message,
                )
            raise Refused.from_exotel(exc) from exc
        apply_integration_devices(phone_sip, result)
        phone_sip.expected_phone_enabled, phone_sip.expected_sip_enabled = wanted["phone"], wanted["sip"]
        phone_sip.save()
        for name, label, before, _ in changes:
            audit(
                agent,
                actor,
                label,
                on_off(before),
                on_off(getattr(phone_sip, f"{name}_enabled")),
                Outcome.APPLIED,
                request_id=result.request_id,
            )
        agent_state_refresh(agent=agent)
    return phone_sip
