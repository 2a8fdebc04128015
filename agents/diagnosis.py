"""“Why isn't this agent getting calls?”: plain checks over fresh Exotel data, each with a fix."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import TextChoices

from agents.mirror import FreshState
from agents.models import Agent, Device, DeviceStatus, DeviceType
from agents.on_call import live_call_of
from agents.words import missing_in_words
from exoadmin.refusals import with_request_id


class Status(TextChoices):
    OK = "ok", "OK"
    PROBLEM = "problem", "Problem"
    INFO = "info", "Good to know"


@dataclass(frozen=True)
class Check:
    status: Status
    text: str
    fix: str = ""


def why_no_calls(agent: Agent, fresh: FreshState) -> list[Check]:
    gone = _missing_checks(agent)
    if fresh.error is not None:
        if gone and fresh.error.http_status == 404:
            return gone  # Exotel's "no such user" only confirms it
        return gone + [
            Check(
                Status.PROBLEM,
                with_request_id(f"Could not ask Exotel: {fresh.error.user_message}", fresh.error.request_id),
                "Try the check again in a minute; if it keeps failing, see /healthz.",
            )
        ]
    checks = _phone_sip_checks(fresh) if agent.uses_phone_sip else _ccm_checks(agent)
    return gone + checks + _busy_checks(agent, fresh) + _drift_checks(agent)


def _missing_checks(agent: Agent) -> list[Check]:
    if not agent.is_gone_from_exotel:
        return []
    return [
        Check(
            Status.PROBLEM,
            f"{missing_in_words(agent)}: Exotel's list of users no longer has this one, so no call can reach them.",
            "If the user was removed in Exotel, remove the agent here in admin; if not, sync from Exotel.",
        )
    ]


def _ccm_checks(agent: Agent) -> list[Check]:
    devices = list(Device.objects.filter(agent=agent).order_by("-type", "name"))
    if not devices:
        return [
            Check(
                Status.PROBLEM,
                "This agent has no device in Exotel.",
                "Add a phone number or SIP device to this user in Exotel, then sync.",
            )
        ]
    checks = []
    on = [d for d in devices if d.is_on]
    if on:
        checks.append(Check(Status.OK, f"A device is ON: {on[0].label}. Calls ring there."))
        if on[0].type == DeviceType.SIP:
            checks.append(
                Check(
                    Status.INFO,
                    "Exotel does not report whether a CCM softphone is logged in.",
                    "If calls do not ring, ask the agent to open and log in to the softphone.",
                )
            )
    else:
        checks.append(
            Check(
                Status.PROBLEM,
                "No device is ON, so no call can reach this agent.",
                "Turn one of their devices ON (or switch to it) on this page or the board.",
            )
        )
    for device in devices:
        if not device.verified:
            checks.append(
                Check(
                    Status.PROBLEM if not on else Status.INFO,
                    f"{device.label} is not verified.",
                    "Verify it in Exotel before it can be turned ON.",
                )
            )
    return checks


def _phone_sip_checks(fresh: FreshState) -> list[Check]:
    remote = fresh.phone_sip
    if remote is None:
        return [
            Check(
                Status.PROBLEM,
                "This agent has no phone/SIP devices in Exotel's integrations app.",
                "Check the agent's integrations user id in admin.",
            )
        ]
    checks = []
    if remote.phone.enabled:
        checks.append(Check(Status.OK, f"Phone {remote.phone.number or ''} is enabled: calls ring there."))
    if remote.sip.enabled:
        if remote.sip.registered:
            checks.append(Check(Status.OK, f"SIP {remote.sip.username or ''} is enabled and registered."))
        else:
            seen = f" (last seen {remote.sip.last_seen:%d %b %H:%M})" if remote.sip.last_seen else ""
            checks.append(
                Check(
                    Status.PROBLEM,
                    f"SIP is enabled but not registered{seen}: SIP calls cannot ring.",
                    "Ask the agent to open and log in to the SIP app, or enable the phone.",
                )
            )
    if not (remote.phone.enabled or remote.sip.enabled):
        checks.append(Check(Status.PROBLEM, "Neither phone nor SIP is enabled.", "Enable the phone or SIP."))
    return checks


def _busy_checks(agent: Agent, fresh: FreshState) -> list[Check]:
    live = live_call_of(agent)  # a call placed through exoadmin: the only busy word phone/SIP has
    if live:
        return [
            Check(
                Status.PROBLEM,
                f"{live.words}: Exotel sends no new call until it ends.",
                "Wait for the call to end; it shows on the board when it does.",
            )
        ]
    busy_device = Device.objects.filter(agent=agent, status=DeviceStatus.BUSY).first()
    if agent.active_call_sid or busy_device:
        what = f" (call {agent.active_call_sid})" if agent.active_call_sid else ""
        return [
            Check(
                Status.PROBLEM,
                f"Busy on a call now{what}: Exotel sends no new call until it ends.",
                "Wait for the call to end; it shows on the board when it does.",
            )
        ]
    return [Check(Status.OK, "Not on a call.")]


def _drift_checks(agent: Agent) -> list[Check]:
    if agent.has_drift:
        return [
            Check(
                Status.PROBLEM,
                "Exotel's state differs from what exoadmin last set (drift).",
                "Accept Exotel's state, or re-apply what was set, with the buttons below.",
            )
        ]
    return [Check(Status.OK, "Exotel agrees with what exoadmin last set (no drift).")]
