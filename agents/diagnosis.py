"""“Why isn't this agent getting calls?”: plain checks over fresh Exotel data, each with a fix."""

from __future__ import annotations

from dataclasses import dataclass

from agents.models import Agent, Device, DeviceModel
from agents.selectors import missing_in_words
from agents.services import FreshState, device_label


@dataclass(frozen=True)
class Check:
    status: str  # ok | problem | info
    text: str
    fix: str = ""


def why_no_calls(agent: Agent, fresh: FreshState) -> list[Check]:
    gone = _missing_checks(agent)
    if fresh.error is not None:
        if gone and fresh.error.http_status == 404:
            return gone  # Exotel's "no such user" only confirms it
        ref = f" (request id {fresh.error.request_id})" if fresh.error.request_id else ""
        return gone + [
            Check(
                "problem",
                f"Could not ask Exotel: {fresh.error.user_message}{ref}",
                "Try the check again in a minute; if it keeps failing, see /healthz.",
            )
        ]
    checks = _ccm_checks(agent) if agent.device_model == DeviceModel.CCM else _phone_sip_checks(fresh)
    return gone + checks + _busy_checks(agent, fresh) + _drift_checks(agent)


def _missing_checks(agent: Agent) -> list[Check]:
    if agent.device_model != DeviceModel.CCM or not agent.missing_in_exotel_since:
        return []
    return [
        Check(
            "problem",
            f"{missing_in_words(agent)}: Exotel's list of users no longer has this one, so no call can reach them.",
            "If the user was removed in Exotel, remove the agent here in admin; if not, sync from Exotel.",
        )
    ]


def _ccm_checks(agent: Agent) -> list[Check]:
    devices = list(Device.objects.filter(agent=agent).order_by("-type", "name"))
    if not devices:
        return [
            Check(
                "problem",
                "This agent has no device in Exotel.",
                "Add a phone number or SIP device to this user in Exotel, then sync.",
            )
        ]
    checks = []
    on = [d for d in devices if d.is_on]
    if on:
        checks.append(Check("ok", f"A device is ON: {device_label(on[0])}. Calls ring there."))
        if on[0].type == "sip":
            checks.append(
                Check(
                    "info",
                    "Exotel does not report whether a CCM softphone is logged in.",
                    "If calls do not ring, ask the agent to open and log in to the softphone.",
                )
            )
    else:
        checks.append(
            Check(
                "problem",
                "No device is ON, so no call can reach this agent.",
                "Turn one of their devices ON (or switch to it) on this page or the board.",
            )
        )
    for device in devices:
        if not device.verified:
            checks.append(
                Check(
                    "problem" if not on else "info",
                    f"{device_label(device)} is not verified.",
                    "Verify it in Exotel before it can be turned ON.",
                )
            )
    return checks


def _phone_sip_checks(fresh: FreshState) -> list[Check]:
    remote = fresh.phone_sip
    if remote is None:
        return [
            Check(
                "problem",
                "This agent has no phone/SIP devices in Exotel's integrations app.",
                "Check the agent's integrations user id in admin.",
            )
        ]
    checks = []
    if remote.phone.enabled:
        checks.append(Check("ok", f"Phone {remote.phone.number or ''} is enabled: calls ring there."))
    if remote.sip.enabled:
        if remote.sip.registered:
            checks.append(Check("ok", f"SIP {remote.sip.username or ''} is enabled and registered."))
        else:
            seen = f" (last seen {remote.sip.last_seen:%d %b %H:%M})" if remote.sip.last_seen else ""
            checks.append(
                Check(
                    "problem",
                    f"SIP is enabled but not registered{seen}: SIP calls cannot ring.",
                    "Ask the agent to open and log in to the SIP app, or enable the phone.",
                )
            )
    if not (remote.phone.enabled or remote.sip.enabled):
        checks.append(Check("problem", "Neither phone nor SIP is enabled.", "Enable the phone or SIP."))
    return checks


def _busy_checks(agent: Agent, fresh: FreshState) -> list[Check]:
    busy_device = Device.objects.filter(agent=agent, status="busy").first()
    if agent.active_call_sid or busy_device:
        what = f" (call {agent.active_call_sid})" if agent.active_call_sid else ""
        return [
            Check(
                "problem",
                f"Busy on a call now{what}: Exotel sends no new call until it ends.",
                "Wait for the call to end; it shows on the board when it does.",
            )
        ]
    return [Check("ok", "Not on a call.")]


def _drift_checks(agent: Agent) -> list[Check]:
    if agent.has_drift:
        return [
            Check(
                "problem",
                "Exotel's state differs from what exoadmin last set (drift).",
                "Accept Exotel's state, or re-apply what was set, with the buttons below.",
            )
        ]
    return [Check("ok", "Exotel agrees with what exoadmin last set (no drift).")]
