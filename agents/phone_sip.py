"""Enabling and disabling an agent's phone and SIP devices: Exotel's integrations model (seed 001).

At least one of them stays enabled (Exotel rings one of them for every call), so a change that
would leave both disabled is refused before Exotel is asked. When Exotel refuses or does not
answer, its devices are read back before anyone is told what is enabled now.
"""

from __future__ import annotations

from agents.audit import Actor, agent_state_refresh, audit, log_exotel_failure, on_off, refusal
from agents.mirror import NOT_CONFIRMED, apply_integration_devices, phone_sip_apply
from agents.models import Agent, Outcome, PhoneSip
from agents.words import phone_sip_places
from exoadmin.accounts.clients import exotel_client
from exoadmin.exotel import integrations
from exoadmin.exotel.client import ExotelClient
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
            now = _enabled_now(agent, actor, client)
            agent_state_refresh(agent=agent)
            raise Refused(f"Exotel said: {exc.user_message.rstrip('.')}. {now}", request_id=exc.request_id) from exc
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


def _enabled_now(agent: Agent, actor: Actor, client: ExotelClient) -> str:
    """Read the devices back from Exotel (stored, drift audited) and say what Exotel has enabled."""
    try:
        phone_sip = phone_sip_apply(agent=agent, remote=integrations.get_devices(client, agent.integrations_user_id))
    except ExotelError as exc:
        log_exotel_failure(agent.pk, "reading phone/SIP back", exc)
        return NOT_CONFIRMED
    places = phone_sip_places(phone_sip)
    if not places:
        return "Exotel has neither phone nor SIP enabled now."
    return f"Exotel has {actor.whose(agent)} {' and '.join(f'{p.kind} {p.address}' for p in places)} enabled now."
