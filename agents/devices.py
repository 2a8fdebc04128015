"""Turning an agent's CCM devices ON and OFF: Exotel's single-ON model (seed 000).

Views, tasks and admin actions call these; nothing else changes a device. Each checks the rule
before asking Exotel, stores the device as Exotel returns it, and audits every attempt. Changes to
one agent are serialised by `agent_change_lock`, so two clicks cannot interleave a switch's steps.

When Exotel refuses a step or does not answer, the agent is read back from Exotel before anyone is
told what is ON now: the message says what Exotel reports, or that it could not be confirmed.
"""

from __future__ import annotations

from django.utils.text import capfirst

from agents.audit import Actor, agent_state_refresh, audit, log_exotel_failure, on_off, refusal
from agents.mirror import NOT_CONFIRMED, agent_read_back
from agents.models import Agent, AvailabilityEvent, Device, Outcome
from agents.words import missing_in_words
from exoadmin.accounts.clients import exotel_client
from exoadmin.exotel import devices as exotel_devices
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import ExotelError, UnknownOutcome
from exoadmin.exotel.models import Device as ExotelDevice
from exoadmin.locks import agent_change_lock
from exoadmin.refusals import Refused

ANOTHER_DEVICE_ON = "Another device is ON: turn it OFF first"
UNVERIFIED = "This device is not verified yet: verify it in Exotel before turning it ON"
CANNOT_GO_UNAVAILABLE = (
    "This agent uses Exotel's phone and SIP devices, where one of them must always stay enabled, "
    "so Exotel cannot turn both off. To stop calls ringing on the phone, enable only SIP and close "
    "the SIP app."
)


class _StepFailed(Refused):
    """One PUT that Exotel refused or did not answer. `confirmed`: the agent was read back after it,
    so the stored devices are what Exotel reports now."""

    def __init__(self, message: str, *, request_id: str, confirmed: bool) -> None:
        super().__init__(message, request_id=request_id)
        self.confirmed = confirmed


def device_set_available(*, device: Device, available: bool, actor: Actor) -> Device:
    """Turn one CCM device ON or OFF, refusing a second ON device and unverified devices."""
    agent = device.agent
    _refuse_if_gone(agent, actor, device.label, on_off(device.available), on_off(available))
    with agent_change_lock(agent.pk):
        device.refresh_from_db()
        if available:
            _check_can_turn_on(agent, device, actor, switching=False)
        try:
            _step(agent, device, available, actor)
        finally:
            agent_state_refresh(agent=agent)
    return device


def device_switch_to(*, device: Device, actor: Actor) -> Device:
    """Make `device` the one that rings: OFF the ON one, ON this one, read back from Exotel.

    If turning this one ON fails, the previous device is turned back ON and the message says
    exactly what happened.
    """
    agent = device.agent
    with agent_change_lock(agent.pk):
        device.refresh_from_db()
        if device.is_on:
            return device
        _refuse_if_gone(agent, actor, device.label, "OFF", "ON")
        _check_can_turn_on(agent, device, actor, switching=True)
        previous = list(Device.objects.filter(agent=agent, available=True).exclude(pk=device.pk))
        try:
            for old in previous:
                _step(agent, old, False, actor)
            try:
                _put_device(agent, device, True, actor)
            except _StepFailed as exc:
                raise Refused(_roll_back(agent, device, previous, exc, actor), request_id=exc.request_id) from exc
            _read_back_quietly(agent, exotel_client(agent.account))
        finally:
            agent_state_refresh(agent=agent)
    device.refresh_from_db()
    return device


def agent_go_unavailable(*, agent: Agent, actor: Actor) -> Agent:
    """Stop calls: every CCM device OFF (read fresh from Exotel first, so none is missed).

    For phone/SIP agents this is refused honestly: Exotel keeps one enabled.
    """
    if agent.uses_phone_sip:
        raise refusal(agent, actor, "Phone and SIP", "ON", "OFF", CANNOT_GO_UNAVAILABLE)
    _refuse_if_gone(agent, actor, "Every device", "", "OFF")
    with agent_change_lock(agent.pk):
        client = exotel_client(agent.account)
        try:
            agent_read_back(agent=agent, client=client)
        except ExotelError as exc:
            log_exotel_failure(agent.pk, "reading devices", exc)
            raise Refused.from_exotel(exc) from exc
        try:
            for device in Device.objects.filter(agent=agent, available=True):
                _step(agent, device, False, actor)
        finally:
            agent_state_refresh(agent=agent)
    return agent


# -- the rules, before Exotel is asked ----------------------------------------------------------


def _refuse_if_gone(agent: Agent, actor: Actor, device: str, before: str, after: str) -> None:
    """Nothing is sent for a user Exotel no longer has: it would only answer 404."""
    if agent.is_gone_from_exotel:
        raise refusal(
            agent,
            actor,
            device,
            before,
            after,
            f"{missing_in_words(agent)}: removed there? Nothing was sent to Exotel. "
            "Remove this agent here in admin, or sync from Exotel if the user is back.",
        )


def _check_can_turn_on(agent: Agent, device: Device, actor: Actor, *, switching: bool) -> None:
    if not device.verified:
        raise refusal(agent, actor, device.label, "OFF", "ON", UNVERIFIED)
    other = Device.objects.filter(agent=agent, available=True).exclude(pk=device.pk).first()
    if other and not switching:
        raise refusal(
            agent,
            actor,
            device.label,
            "OFF",
            "ON",
            f"{ANOTHER_DEVICE_ON} ({other.label} is ON), or switch to this device in one step",
        )


# -- one step, and what is ON after a failed one ------------------------------------------------


def _put_device(agent: Agent, device: Device, available: bool, actor: Actor) -> AvailabilityEvent:
    """One PUT, audited; answers the applied event. When it fails, the agent is read back (a PUT
    that got no answer may have landed after all) and _StepFailed says whether that read worked."""
    client = exotel_client(agent.account)
    before, after = on_off(device.available), on_off(available)
    try:
        result = exotel_devices.set_device_available(
            client, user_id=agent.exotel_user_id, device_id=device.exotel_id, available=available
        )
    except ExotelError as exc:
        log_exotel_failure(agent.pk, f"turning {device.label} {after}", exc)
        confirmed = _read_back_quietly(agent, client)
        device.refresh_from_db()
        if isinstance(exc, UnknownOutcome) and confirmed and device.available == available:
            device.expected_available = available
            device.save(update_fields=["expected_available"])
            message = "Exotel answered late; reading the device back showed the change was made."
            return audit(
                agent, actor, device.label, before, after, Outcome.APPLIED, request_id=exc.request_id, message=message
            )
        audit(
            agent,
            actor,
            device.label,
            before,
            after,
            Outcome.FAILED,
            request_id=exc.request_id,
            message=exc.user_message,
        )
        raise _StepFailed(exc.user_message, request_id=exc.request_id, confirmed=confirmed) from exc
    _store_answer(device, result, expected=available)
    return audit(
        agent, actor, device.label, before, on_off(result.available), Outcome.APPLIED, request_id=result.request_id
    )


def _store_answer(device: Device, result: ExotelDevice, *, expected: bool) -> None:
    device.available, device.verified, device.status = result.available, result.verified, result.status or ""
    device.expected_available = expected
    device.save(update_fields=["available", "verified", "status", "expected_available", "updated_at"])


def _read_back_quietly(agent: Agent, client: ExotelClient) -> bool:
    """Store what Exotel reports now; answers whether that worked (a failed read is only logged)."""
    try:
        agent_read_back(agent=agent, client=client)
    except ExotelError as exc:
        log_exotel_failure(agent.pk, "reading devices back", exc)
        return False
    return True


def _exotel_said(verb: str, device: Device, failure: Refused) -> str:
    return (
        f"Could not turn {verb} {device.get_type_display()} ({device.contact_uri}): "
        f"Exotel said: {failure.message.rstrip('.')}."
    )


def _on_now(agent: Agent, actor: Actor, confirmed: bool) -> str:
    """What Exotel reported ON when the agent was read back after a failed step, or that it could
    not be read: the stored devices are only Exotel's word when that read worked."""
    if not confirmed:
        return NOT_CONFIRMED
    on = Device.objects.filter(agent=agent, available=True).first()
    if on is None:
        return "Exotel has no device ON now, so no calls ring: try again in a minute."
    return f"Exotel has {actor.whose(agent)} {on.kind_in_words} {on.contact_uri} ON now."


def _step(agent: Agent, device: Device, available: bool, actor: Actor) -> None:
    """One PUT; when it fails, Refused with what Exotel said and what it reports ON now."""
    try:
        _put_device(agent, device, available, actor)
    except _StepFailed as exc:
        said = _exotel_said(on_off(available), device, exc)
        raise Refused(f"{said} {_on_now(agent, actor, exc.confirmed)}", request_id=exc.request_id) from exc


def _roll_back(agent: Agent, device: Device, previous: list[Device], failure: _StepFailed, actor: Actor) -> str:
    """Turn the previous device back ON, unless Exotel already reports one ON (someone turned it
    ON meanwhile: a second ON would only be refused); answers the sentence that says what happened."""
    said = _exotel_said("ON", device, failure)
    something_on = failure.confirmed and Device.objects.filter(agent=agent, available=True).exists()
    if not previous or something_on:
        return f"{said} {_on_now(agent, actor, failure.confirmed)}"
    old = previous[0]
    try:
        event = _put_device(agent, old, True, actor)
    except _StepFailed as exc:
        also = f"Turning {old.label} back ON also failed: Exotel said: {exc.message.rstrip('.')}."
        return f"{said} {also} {_on_now(agent, actor, exc.confirmed)}"
    event.outcome, event.message = Outcome.ROLLED_BACK, f"Turned back ON because the switch failed. {said}"
    event.save(update_fields=["outcome", "message"])
    return f"{said} {capfirst(actor.whose(agent))} {old.kind_in_words} {old.contact_uri} is ON again."
