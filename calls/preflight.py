"""Pre-flight: just before dialling, ask Exotel (fresh, not our last sync) whether the agent's
device is ON, verified and free, and work out which device rings first. An agent already on a call
placed through exoadmin (agents/on_call.py) is not dialled again: the integrations API (phone/SIP)
has no busy flag, and our own live calls are the best knowledge we have."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

from django.utils import timezone

from agents.models import Agent, DeviceModel, DeviceType
from agents.on_call import live_call_now
from agents.words import missing_in_words
from exoadmin.accounts.clients import exotel_client
from exoadmin.exotel import integrations, users
from exoadmin.exotel.errors import ExotelError
from exoadmin.refusals import Refused

log = logging.getLogger("exoadmin.calls")


@dataclass(frozen=True)
class Preflight:
    ok: bool
    reason: str = ""  # why not, and what to do
    rings_first: str = ""  # "Phone +9199…", "SIP sip:asha"
    from_contact_uri: str = ""
    request_id: str = ""
    checked_at: str = field(default_factory=lambda: timezone.now().isoformat())

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def refusal(self) -> Refused | None:
        """Why not to dial, with the request id of Exotel's answer; None when the device is ready."""
        return None if self.ok else Refused(self.reason, request_id=self.request_id)


def preflight_check(*, agent: Agent) -> Preflight:
    if agent.is_gone_from_exotel:  # Exotel would only answer 404
        return Preflight(
            False,
            f"{agent.name}: {missing_in_words(agent)}, removed there? "
            "Sync the agents if the user is back, or ask an admin to remove the agent here.",
        )
    live = live_call_now(agent)
    if live:  # a call placed through exoadmin that has not ended: Exotel would refuse a second one
        return Preflight(
            False, f"{agent.name} is already on a call with {live.number} since {live.since_words}: wait until it ends."
        )
    if agent.device_model == DeviceModel.INTEGRATIONS:
        return _check_phone_sip(agent)
    return _check_ccm(agent)


def _check_ccm(agent: Agent) -> Preflight:
    if not agent.exotel_user_id:
        return Preflight(False, f"{agent.name} is not linked to an Exotel user: sync the agents first.")
    try:
        user = users.get_user(exotel_client(agent.account), agent.exotel_user_id)
    except ExotelError as exc:
        return _failed(agent, exc)
    request_id = user.request_id
    if user.active_call:
        return Preflight(False, f"{agent.name} is on another call: wait until it ends.", request_id=request_id)
    on = [device for device in user.devices if device.available]
    if not on:
        return Preflight(False, f"None of {agent.name}'s devices is ON: turn one ON first.", request_id=request_id)
    device = on[0]
    if not device.verified:
        return Preflight(False, f"{agent.name}'s device {device.contact_uri} is not verified.", request_id=request_id)
    if device.status == "busy":
        return Preflight(
            False, f"{agent.name}'s device {device.contact_uri} is busy: wait until it is free.", request_id=request_id
        )
    label = f"{'SIP' if device.type == DeviceType.SIP else 'Phone'} {device.contact_uri}"
    return Preflight(True, rings_first=label, from_contact_uri=device.contact_uri, request_id=request_id)


def _check_phone_sip(agent: Agent) -> Preflight:
    if not agent.integrations_user_id:
        return Preflight(False, f"{agent.name} is not linked to an integrations user: sync the agents first.")
    try:
        devices = integrations.get_devices(exotel_client(agent.account), agent.integrations_user_id)
    except (ExotelError, ValueError) as exc:
        return _failed(agent, exc)
    request_id = devices.request_id
    ringing = []
    if devices.phone.enabled and devices.phone.number:
        ringing.append(("Phone", devices.phone.number))
    if devices.sip.enabled and devices.sip.username and devices.sip.registered is not False:
        ringing.append(("SIP", f"sip:{devices.sip.username}"))
    if not ringing:
        return Preflight(
            False,
            f"{agent.name} has no phone enabled and no registered SIP device: enable one first.",
            request_id=request_id,
        )
    label = " and ".join(f"{kind} {uri}" for kind, uri in ringing)
    return Preflight(
        True,
        rings_first=label + (" (together)" if len(ringing) > 1 else ""),
        from_contact_uri=ringing[0][1],
        request_id=request_id,
    )


def _failed(agent: Agent, exc: ExotelError | ValueError) -> Preflight:
    prefix = f"Could not check {agent.name}'s devices with Exotel: "
    refusal = Refused.from_exotel(exc, prefix=prefix) if isinstance(exc, ExotelError) else Refused(prefix + str(exc))
    log.warning("call pre-flight failed for agent %s: %s", agent.pk, exc, extra={"request_id": refusal.request_id})
    return Preflight(False, refusal.message, request_id=refusal.request_id)
