"""Every rule about which of an agent's devices rings, the Exotel calls that apply it, and the audit.

Views, tasks and admin actions call these functions; nothing else changes a device. Each one:
checks the rule first (before asking Exotel), trusts Exotel's answer after (the device as Exotel
returns it is what we store), writes an AvailabilityEvent for every attempt (refusals, failures
and rollbacks too, with Exotel's request_id), and keeps the agent's denormalised board fields
(availability, has_drift, state_since, last_change_*) in step.

Changes to one agent are serialised by a short Redis lock (exoadmin.locks), so two clicks cannot
interleave the two steps of a switch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from redis.exceptions import RedisError

from agents.models import (
    Agent,
    AutoOffRule,
    Availability,
    AvailabilityEvent,
    Device,
    DeviceModel,
    DeviceType,
    EndOfShiftItem,
    EndOfShiftJob,
    ItemStatus,
    JobStatus,
    Outcome,
    PhoneSip,
    Source,
)
from agents.selectors import missing_in_words
from exoadmin.accounts.clients import exotel_client
from exoadmin.accounts.models import ExotelAccount
from exoadmin.exotel import devices as exotel_devices
from exoadmin.exotel import integrations, users
from exoadmin.exotel.errors import ConnectionFailed, ExotelError, NotFound, UnknownOutcome
from exoadmin.locks import account_sync_lock, agent_change_lock, agents_locked_if_free
from exoadmin.redis import get_redis
from exoadmin.refusals import Refused

log = logging.getLogger("exoadmin.agents")

ANOTHER_DEVICE_ON = "Another device is ON: turn it OFF first"
UNVERIFIED = "This device is not verified yet: verify it in Exotel before turning it ON"
KEEP_ONE_ENABLED = (
    "At least one of phone and SIP must stay enabled (Exotel rings one of them for every call): "
    "enable the other one first"
)
CANNOT_GO_UNAVAILABLE = (
    "This agent uses Exotel's phone and SIP devices, where one of them must always stay enabled, "
    "so Exotel cannot turn both off. To stop calls ringing on the phone, enable only SIP and close "
    "the SIP app."
)


ChangeRefused = Refused  # what a person is told; the agents' lock refuses with it too


@dataclass
class Actor:
    """Who asked for a change: a person (agent or supervisor), a rule, or the sync."""

    source: Source
    user: object = None
    label: str = ""

    @classmethod
    def person(cls, user, source: Source) -> Actor:
        return cls(source, user, user.get_full_name() or user.username)

    @classmethod
    def rule(cls, name: str) -> Actor:
        return cls(Source.RULE, None, f"Rule: {name}")

    @classmethod
    def sync(cls) -> Actor:
        return cls(Source.SYNC, None, "Outside exoadmin (found by sync)")


# -- audit and the agent's board fields ---------------------------------------------------------


CHANGES = (Outcome.APPLIED, Outcome.ROLLED_BACK, Outcome.DRIFT)


def _event(
    agent: Agent,
    actor: Actor,
    device: str,
    before: str,
    after: str,
    outcome: Outcome,
    *,
    request_id: str | None = "",
    message: str = "",
) -> AvailabilityEvent:
    """An unsaved audit row; a real change (not a refusal or failure) is also the board's "last change"."""
    event = AvailabilityEvent(
        agent=agent,
        at=timezone.now(),
        actor=actor.user,
        source=actor.source,
        device=device,
        before=before,
        after=after,
        outcome=outcome,
        request_id=request_id or "",
        message=message,
    )
    if outcome in CHANGES:
        agent.last_change_at, agent.last_change_by = event.at, actor.label
    return event


def _audit(
    agent: Agent,
    actor: Actor,
    device: str,
    before: str,
    after: str,
    outcome: Outcome,
    *,
    request_id: str | None = "",
    message: str = "",
) -> AvailabilityEvent:
    """The audit row, saved now (with the agent's "last change" when it is one)."""
    event = _event(agent, actor, device, before, after, outcome, request_id=request_id, message=message)
    event.save()
    if outcome in CHANGES:
        Agent.objects.filter(pk=agent.pk).update(last_change_at=event.at, last_change_by=actor.label)
    return event


def _on_off(value: bool | None) -> str:
    return "ON" if value else "OFF"


def _phone_sip_of(agent: Agent) -> PhoneSip | None:
    return PhoneSip.objects.filter(agent=agent).first()


def _availability(agent: Agent, devices: list[Device], phone_sip: PhoneSip | None) -> str:
    if agent.device_model == DeviceModel.CCM and agent.missing_in_exotel_since:
        return Availability.OFF  # Exotel cannot ring a user it no longer has
    if agent.active_call_sid or any(d.status == "busy" for d in devices):
        return Availability.BUSY
    if agent.device_model == DeviceModel.INTEGRATIONS:
        on = bool(phone_sip and (phone_sip.phone_enabled or phone_sip.sip_enabled))
    else:
        on = any(d.is_on for d in devices)
    return Availability.AVAILABLE if on else Availability.OFF


STATE_FIELDS = ["availability", "state_since", "has_drift"]


def _set_state(agent: Agent, devices: list[Device], phone_sip: PhoneSip | None, now: datetime) -> None:
    """The board's availability and drift flag from these devices, in memory (the caller saves)."""
    availability = _availability(agent, devices, phone_sip)
    if availability != agent.availability or agent.state_since is None:
        agent.state_since = now
    agent.availability = availability
    agent.has_drift = any(d.has_drift for d in devices) or bool(phone_sip and phone_sip.has_drift)


def agent_state_refresh(*, agent: Agent) -> Agent:
    """Recompute the board's availability and drift flag from the stored devices."""
    _set_state(agent, list(Device.objects.filter(agent=agent)), _phone_sip_of(agent), timezone.now())
    agent.save(update_fields=STATE_FIELDS)
    return agent


def _log_exotel_failure(agent_id: int, what: str, exc: ExotelError) -> None:
    log.warning(
        "exotel refused %s for agent %s: %s",
        what,
        agent_id,
        exc.user_message,
        extra={
            "request_id": exc.request_id,
            "exotel_code": exc.code,
            "http_status": exc.http_status,
            "agent_id": agent_id,
        },
    )


def _refuse_if_not_in_exotel(agent: Agent, actor: Actor, device: str, before: str, after: str) -> None:
    """Nothing is sent for a user the last complete sync did not find: Exotel would only answer 404."""
    if agent.missing_in_exotel_since:
        raise _refuse(
            agent,
            actor,
            device,
            before,
            after,
            f"{missing_in_words(agent)}: removed there? Nothing was sent to Exotel. "
            "Remove this agent here in admin, or sync from Exotel if the user is back.",
        )


# -- CCM v2 devices: at most one ON -------------------------------------------------------------


def device_label(device: Device) -> str:
    return f"{device.get_type_display()} {device.contact_uri}"


def _apply_exotel_device(device: Device, result, *, expected: bool | None = None) -> None:
    device.available, device.verified, device.status = result.available, result.verified, result.status or ""
    fields = ["available", "verified", "status", "updated_at"]
    if expected is not None:
        device.expected_available = expected
        fields.append("expected_available")
    device.save(update_fields=fields)


def _put_device(agent: Agent, device: Device, available: bool, actor: Actor) -> AvailabilityEvent:
    """One PUT, audited; answers the applied event, or raises ChangeRefused with Exotel's message."""
    client = exotel_client(agent.account)
    label, before, after = device_label(device), _on_off(device.available), _on_off(available)
    try:
        result = exotel_devices.set_device_available(
            client, user_id=agent.exotel_user_id, device_id=device.exotel_id, available=available
        )
    except UnknownOutcome as exc:
        _log_exotel_failure(agent.pk, f"turning {label} {after}", exc)
        if _landed_after_all(agent, device, available, client):
            return _audit(
                agent,
                actor,
                label,
                before,
                after,
                Outcome.APPLIED,
                request_id=exc.request_id,
                message="Exotel answered late; reading the device back showed the change was made.",
            )
        _audit(agent, actor, label, before, after, Outcome.FAILED, request_id=exc.request_id, message=exc.user_message)
        raise ChangeRefused(exc.user_message, request_id=exc.request_id or "") from exc
    except ExotelError as exc:
        _log_exotel_failure(agent.pk, f"turning {label} {after}", exc)
        _audit(agent, actor, label, before, after, Outcome.FAILED, request_id=exc.request_id, message=exc.user_message)
        raise ChangeRefused(exc.user_message, request_id=exc.request_id or "") from exc
    _apply_exotel_device(device, result, expected=available)
    return _audit(agent, actor, label, before, _on_off(result.available), Outcome.APPLIED, request_id=result.request_id)


def _landed_after_all(agent: Agent, device: Device, available: bool, client) -> bool:
    """After a PUT with no answer, read the device back instead of guessing."""
    try:
        _read_back(agent, client)
    except ExotelError as exc:
        _log_exotel_failure(agent.pk, "reading devices back", exc)
        return False
    device.refresh_from_db()
    if device.available != available:
        return False
    device.expected_available = available
    device.save(update_fields=["expected_available"])
    return True


def _refuse(agent: Agent, actor: Actor, device: str, before: str, after: str, message: str) -> ChangeRefused:
    _audit(agent, actor, device, before, after, Outcome.REFUSED, message=message)
    return ChangeRefused(message)


def _check_can_turn_on(agent: Agent, device: Device, actor: Actor, *, switching: bool) -> None:
    label = device_label(device)
    if not device.verified:
        raise _refuse(agent, actor, label, "OFF", "ON", UNVERIFIED)
    other = Device.objects.filter(agent=agent, available=True).exclude(pk=device.pk).first()
    if other and not switching:
        raise _refuse(
            agent,
            actor,
            label,
            "OFF",
            "ON",
            f"{ANOTHER_DEVICE_ON} ({device_label(other)} is ON), or switch to this device in one step",
        )


def device_set_available(*, device: Device, available: bool, actor: Actor) -> Device:
    """Turn one CCM device ON or OFF, refusing a second ON device and unverified devices."""
    agent = device.agent
    _refuse_if_not_in_exotel(agent, actor, device_label(device), _on_off(device.available), _on_off(available))
    with agent_change_lock(agent.pk):
        device.refresh_from_db()
        if available:
            _check_can_turn_on(agent, device, actor, switching=False)
        _put_device(agent, device, available, actor)
        agent_state_refresh(agent=agent)
    return device


def _owner(agent: Agent, actor: Actor) -> str:
    return "Your" if actor.source == Source.AGENT else f"{agent.name}'s"


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
        _refuse_if_not_in_exotel(agent, actor, device_label(device), "OFF", "ON")
        _check_can_turn_on(agent, device, actor, switching=True)
        previous = list(Device.objects.filter(agent=agent, available=True).exclude(pk=device.pk))
        try:
            for done, old in enumerate(previous):
                try:
                    _put_device(agent, old, False, actor)
                except ChangeRefused as exc:
                    outcome = "Nothing changed." if not done else "No device is ON now: try again in a minute."
                    raise ChangeRefused(
                        f"Could not turn OFF {device_label(old)}: Exotel said: {exc.message.rstrip('.')}. {outcome}",
                        request_id=exc.request_id,
                    ) from exc
            try:
                _put_device(agent, device, True, actor)
            except ChangeRefused as exc:
                raise ChangeRefused(_roll_back(agent, device, previous, exc, actor), request_id=exc.request_id) from exc
            _read_back_quietly(agent)
        finally:
            agent_state_refresh(agent=agent)
    device.refresh_from_db()
    return device


def _roll_back(agent: Agent, device: Device, previous: list[Device], failure: ChangeRefused, actor: Actor) -> str:
    """Turn the previous device back ON; answers the sentence that says what happened."""
    said = (
        f"Could not turn ON {device.get_type_display()} ({device.contact_uri}): "
        f"Exotel said: {failure.message.rstrip('.')}."
    )
    if not previous:
        return f"{said} No device was ON before, so none is ON now."
    old = previous[0]
    owner = _owner(agent, actor)
    try:
        event = _put_device(agent, old, True, actor)
    except ChangeRefused as exc:
        return (
            f"{said} Turning {device_label(old)} back ON also failed: Exotel said: {exc.message.rstrip('.')}. "
            "No device is ON now, so no calls ring: try again in a minute."
        )
    event.outcome, event.message = Outcome.ROLLED_BACK, f"Turned back ON because the switch failed. {said}"
    event.save(update_fields=["outcome", "message"])
    return f"{said} {owner} {old.get_type_display().lower()} {old.contact_uri} is ON again."


def _read_back_quietly(agent: Agent) -> None:
    """Confirm a finished switch; Exotel's PUT answers already hold, so a failed read is only logged."""
    client = exotel_client(agent.account)
    try:
        _read_back(agent, client)
    except ExotelError as exc:
        _log_exotel_failure(agent.pk, "reading devices back", exc)


def _read_back(agent: Agent, client):
    """Store the agent's devices exactly as Exotel reports them now (drift audited); answers the user."""
    user = users.get_user(client, agent.exotel_user_id)
    batch = _Batch(timezone.now())
    _mirror_user(agent, user, list(Device.objects.filter(agent=agent)), batch)
    batch.save()
    changed = ["last_change_at", "last_change_by"] if batch.events else []
    agent.save(update_fields=[*MIRROR_FIELDS, *changed])
    return user


@dataclass
class _Batch:
    """The writes of a sync page (or of one read-back), in a few bulk queries whatever its size."""

    now: datetime
    new_devices: list[Device] = field(default_factory=list)
    changed_devices: list[Device] = field(default_factory=list)
    gone_devices: list[int] = field(default_factory=list)
    new_phone_sips: list[PhoneSip] = field(default_factory=list)
    changed_phone_sips: list[PhoneSip] = field(default_factory=list)
    events: list[AvailabilityEvent] = field(default_factory=list)

    def save(self) -> None:
        Device.objects.bulk_create(self.new_devices)
        Device.objects.bulk_update(self.changed_devices, DEVICE_MIRROR_FIELDS)
        if self.gone_devices:
            Device.objects.filter(pk__in=self.gone_devices).delete()
        PhoneSip.objects.bulk_create(self.new_phone_sips)
        PhoneSip.objects.bulk_update(self.changed_phone_sips, PHONE_SIP_MIRROR_FIELDS)
        AvailabilityEvent.objects.bulk_create(self.events)

    @property
    def drifted_agents(self) -> int:
        return len({event.agent_id for event in self.events if event.outcome == Outcome.DRIFT})


DEVICE_MIRROR_FIELDS = ["name", "contact_uri", "available", "verified", "status", "updated_at"]
PHONE_SIP_MIRROR_FIELDS = [
    "phone_enabled",
    "phone_number",
    "sip_enabled",
    "sip_username",
    "sip_registered",
    "sip_last_seen",
    "expected_phone_enabled",
    "expected_sip_enabled",
    "updated_at",
]
# What mirroring one Exotel user sets on the agent (being listed means it is in Exotel).
MIRROR_FIELDS = ["active_call_sid", "last_login_at", "synced_at", "missing_in_exotel_since"]


def _mirror_user(agent: Agent, user, devices: list[Device], batch: _Batch) -> list[Device]:
    """Mirror one Exotel user onto the agent and its `devices`, in memory; answers the devices it
    has now. New devices start with expected = what Exotel says; for known ones a differing answer
    is drift (kept, flagged and audited), never an overwrite of `expected`."""
    rows = {d.exotel_id: d for d in devices}
    kept = []
    for remote in user.devices:
        row = rows.pop(remote.id, None)
        if row is None:
            row = Device(
                agent=agent,
                exotel_id=remote.id,
                name=remote.name,
                contact_uri=remote.contact_uri,
                type=remote.type if remote.type in DeviceType.values else DeviceType.TEL,
                available=remote.available,
                verified=remote.verified,
                status=remote.status or "",
                expected_available=remote.available,
            )
            batch.new_devices.append(row)
        else:
            _mirror_device(agent, row, remote, batch)
        kept.append(row)
    batch.gone_devices += [d.pk for d in rows.values()]
    call_sid = (user.active_call or {}).get("call_sid", "") if isinstance(user.active_call, dict) else ""
    agent.active_call_sid, agent.last_login_at = call_sid or "", user.last_login
    agent.synced_at, agent.missing_in_exotel_since = batch.now, None
    return kept


def _mirror_device(agent: Agent, row: Device, remote, batch: _Batch) -> None:
    was_drifting = row.has_drift
    new = (remote.name, remote.contact_uri, remote.available, remote.verified, remote.status or "")
    if new != (row.name, row.contact_uri, row.available, row.verified, row.status):
        row.name, row.contact_uri, row.available, row.verified, row.status = new
        row.updated_at = batch.now
        batch.changed_devices.append(row)
    if row.has_drift and not was_drifting:
        batch.events.append(_drift_event(agent, row))


# -- integrations phone/SIP: at least one enabled -----------------------------------------------


def phone_label(phone_sip: PhoneSip) -> str:
    return f"Phone {phone_sip.phone_number}".strip()


def sip_label(phone_sip: PhoneSip) -> str:
    return f"SIP {phone_sip.sip_username}".strip()


def _apply_integration_devices(phone_sip: PhoneSip, result) -> None:
    phone_sip.phone_enabled, phone_sip.sip_enabled = result.phone.enabled, result.sip.enabled
    phone_sip.phone_number = result.phone.number or phone_sip.phone_number
    phone_sip.sip_username = result.sip.username or phone_sip.sip_username
    if result.sip.registered is not None:
        phone_sip.sip_registered, phone_sip.sip_last_seen = result.sip.registered, result.sip.last_seen


def phone_sip_set(*, agent: Agent, actor: Actor, phone: bool | None = None, sip: bool | None = None) -> PhoneSip:
    """Enable or disable the phone and/or SIP device; refuses to leave both disabled."""
    with agent_change_lock(agent.pk):
        phone_sip = _phone_sip_of(agent)
        if phone_sip is None:
            raise ChangeRefused("This agent has no phone/SIP devices in Exotel yet: sync from Exotel first")
        wanted = {
            "phone": phone_sip.phone_enabled if phone is None else phone,
            "sip": phone_sip.sip_enabled if sip is None else sip,
        }
        changes = [
            (name, label, getattr(phone_sip, f"{name}_enabled"), wanted[name])
            for name, label in (("phone", phone_label(phone_sip)), ("sip", sip_label(phone_sip)))
            if wanted[name] != getattr(phone_sip, f"{name}_enabled")
        ]
        if not wanted["phone"] and not wanted["sip"]:
            label = ", ".join(label for _, label, *_ in changes) or "Phone and SIP"
            raise _refuse(agent, actor, label, "ON", "OFF", KEEP_ONE_ENABLED)
        if not changes:
            return phone_sip
        client = exotel_client(agent.account)
        try:
            result = integrations.set_devices(client, agent.integrations_user_id, phone=phone, sip=sip)
        except ExotelError as exc:
            _log_exotel_failure(agent.pk, "changing phone/SIP", exc)
            for _, label, before, after in changes:
                _audit(
                    agent,
                    actor,
                    label,
                    _on_off(before),
                    _on_off(after),
                    Outcome.FAILED,
                    request_id=exc.request_id,
                    message=exc.user_message,
                )
            raise ChangeRefused(exc.user_message, request_id=exc.request_id or "") from exc
        _apply_integration_devices(phone_sip, result)
        phone_sip.expected_phone_enabled, phone_sip.expected_sip_enabled = wanted["phone"], wanted["sip"]
        phone_sip.save()
        for name, label, before, _ in changes:
            _audit(
                agent,
                actor,
                label,
                _on_off(before),
                _on_off(getattr(phone_sip, f"{name}_enabled")),
                Outcome.APPLIED,
                request_id=result.request_id,
            )
        agent_state_refresh(agent=agent)
    return phone_sip


# -- both models --------------------------------------------------------------------------------


def agent_go_unavailable(*, agent: Agent, actor: Actor) -> Agent:
    """Stop calls: every CCM device OFF (read fresh from Exotel first, so none is missed).

    For phone/SIP agents this is refused honestly: Exotel keeps one enabled.
    """
    if agent.device_model == DeviceModel.INTEGRATIONS:
        raise _refuse(agent, actor, "Phone and SIP", "ON", "OFF", CANNOT_GO_UNAVAILABLE)
    _refuse_if_not_in_exotel(agent, actor, "Every device", "", "OFF")
    with agent_change_lock(agent.pk):
        client = exotel_client(agent.account)
        try:
            _read_back(agent, client)
        except ExotelError as exc:
            _log_exotel_failure(agent.pk, "reading devices", exc)
            raise ChangeRefused(exc.user_message, request_id=exc.request_id or "") from exc
        try:
            for device in Device.objects.filter(agent=agent, available=True):
                _put_device(agent, device, False, actor)
        finally:
            agent_state_refresh(agent=agent)
    return agent


def _drift_event(agent: Agent, device: Device) -> AvailabilityEvent:
    return _event(
        agent,
        Actor.sync(),
        device_label(device),
        _on_off(device.expected_available),
        _on_off(device.available),
        Outcome.DRIFT,
        message=f"Exotel says {_on_off(device.available)}, but the product last set "
        f"{_on_off(device.expected_available)}.",
    )


def agent_drift_resolve(*, agent: Agent, action: str, actor: Actor) -> Agent:
    """`accept`: take Exotel's state as the expected one. `reapply`: set Exotel back to what the
    product last set (OFFs first, so the single-ON rule holds)."""
    if action == "accept":
        with agent_change_lock(agent.pk):
            return _drift_accept(agent, actor)
    if action != "reapply":
        raise ChangeRefused("Choose to accept Exotel's state or to re-apply the product's.")
    drifted = sorted((d for d in Device.objects.filter(agent=agent) if d.has_drift), key=lambda d: d.expected_available)
    for device in drifted:
        device_set_available(device=device, available=bool(device.expected_available), actor=actor)
    phone_sip = _phone_sip_of(agent)
    if phone_sip and phone_sip.has_drift:
        phone_sip_set(
            agent=agent, actor=actor, phone=phone_sip.expected_phone_enabled, sip=phone_sip.expected_sip_enabled
        )
    return agent_state_refresh(agent=agent)


def _drift_accept(agent: Agent, actor: Actor) -> Agent:
    for device in Device.objects.filter(agent=agent):
        if device.has_drift:
            _audit(
                agent,
                actor,
                device_label(device),
                _on_off(device.expected_available),
                _on_off(device.available),
                Outcome.APPLIED,
                message="Accepted Exotel's state.",
            )
            device.expected_available = bool(device.available)
            device.save(update_fields=["expected_available"])
    phone_sip = _phone_sip_of(agent)
    if phone_sip and phone_sip.has_drift:
        _audit(agent, actor, "Phone and SIP", "", "", Outcome.APPLIED, message="Accepted Exotel's state.")
        phone_sip.expected_phone_enabled = phone_sip.phone_enabled
        phone_sip.expected_sip_enabled = phone_sip.sip_enabled
        phone_sip.save()
    return agent_state_refresh(agent=agent)


# -- sync from Exotel ---------------------------------------------------------------------------
#
# A sync costs a constant number of queries per page of 50 Exotel users, whatever the number of
# agents: each page loads its agents and devices at once and writes them back in bulk.

SYNC_PAGE = users.MAX_PAGE
SYNC_FIELDS = ["name", "email", *MIRROR_FIELDS, *STATE_FIELDS, "last_change_at", "last_change_by"]
SYNC_ON_START_WINDOW = 120  # seconds in which workers starting together sync each account once


@dataclass
class SyncResult:
    agents: int = 0
    created: int = 0
    drifted: int = 0
    linked: int = 0
    missing: int = 0
    listing_complete: bool = False
    retry_later: bool = False  # Exotel could not be reached: trying again soon may work
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        missing = f", {self.missing} not found in Exotel" if self.missing else ""
        text = f"Synced {self.agents} agents from Exotel ({self.created} new, {self.drifted} with drift{missing})."
        return text + (" Problems: " + "; ".join(self.errors) if self.errors else "")


def agents_sync_start(*, account_ids: Iterable[int]) -> None:
    """Sync in the worker, once this transaction commits (at once outside one): a sync takes one
    Exotel request per page of 50 users (and one per phone/SIP agent), too long for a web request."""
    from agents.tasks import bulk_agents_sync

    for account_id in account_ids:
        transaction.on_commit(lambda pk=account_id: bulk_agents_sync.delay(pk))


def agents_sync(*, account: ExotelAccount) -> SyncResult:
    """Every Exotel user and device of the account (all pages), plus phone/SIP devices of agents
    with an integrations user id. Exotel's state is stored; a difference from what the product last
    set is flagged as drift (an audit row and Agent.has_drift), not silently accepted. Agents whose
    user a complete listing no longer has are flagged as not found in Exotel."""
    result = SyncResult()
    with account_sync_lock(account.pk) as acquired:
        if not acquired:  # the board button, beat and starting workers can ask at once; one is enough
            result.errors.append("A sync of this account is already running.")
            return result
        client = exotel_client(account, priority="bulk")
        _sync_ccm_users(account, client, result)
        _sync_phone_sip(account, client, result)
    return result


def accounts_to_sync_on_start() -> list[int]:
    """The accounts a worker that just started syncs: each claimed for SYNC_ON_START_WINDOW, so
    several workers starting together sync it once (the sync lock covers a claim Redis lost)."""
    redis, claimed = get_redis(), []
    for account_id in ExotelAccount.objects.values_list("pk", flat=True):
        try:
            if redis.set(f"exoadmin:agents:sync-on-start:{account_id}", 1, nx=True, ex=SYNC_ON_START_WINDOW):
                claimed.append(account_id)
        except RedisError:
            claimed.append(account_id)
    return claimed


def _sync_ccm_users(account: ExotelAccount, client, result: SyncResult) -> None:
    """Page by page (each page written before the next is read). Only a listing that reached its
    end while Exotel's total held still proves who is gone: then the missing agents are flagged."""
    seen: set[str] = set()
    totals: set[int] = set()
    offset = 0
    try:
        while True:
            fetched_at = timezone.now()
            page = users.list_users(client, offset=offset, limit=SYNC_PAGE)
            totals.add(page.total)
            _sync_ccm_page(account, page.users, fetched_at, result)
            seen.update(user.id for user in page.users)
            offset += len(page.users)
            if users.is_last_page(page, offset, SYNC_PAGE):
                break
    except ExotelError as exc:
        _sync_failed(account, f"after {offset} users", exc, result)
        return
    result.listing_complete = None not in totals and len(totals) == 1 and len(seen) >= page.total
    if result.listing_complete:
        _flag_missing(account, client, seen, result)
    else:
        result.errors.append(
            "Exotel's user list changed while it was read (or did not say how long it is): "
            "removed users are checked next sync."
        )


def _sync_failed(account: ExotelAccount, where: str, exc: ExotelError, result: SyncResult) -> None:
    log.warning(
        "agent sync failed for %s %s: %s",
        account.account_sid,
        where,
        exc.user_message,
        extra={"request_id": exc.request_id, "exotel_code": exc.code},
    )
    result.errors.append(exc.user_message + (f" (request id {exc.request_id})" if exc.request_id else ""))
    result.retry_later = isinstance(exc, ConnectionFailed)


def _user_name(user) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.email or user.id


def _agent_ids(account: ExotelAccount, exotel_user_ids) -> dict[str, int]:
    return dict(
        Agent.objects.filter(account=account, exotel_user_id__in=list(exotel_user_ids)).values_list(
            "exotel_user_id", "pk"
        )
    )


def _sync_ccm_page(account: ExotelAccount, remote_users: list, fetched_at: datetime, result: SyncResult) -> None:
    by_id = {user.id: user for user in remote_users}
    known = _agent_ids(account, by_id)
    if new := [user for user_id, user in by_id.items() if user_id not in known]:
        now = timezone.now()
        Agent.objects.bulk_create(
            [
                Agent(
                    account=account,
                    exotel_user_id=user.id,
                    name=_user_name(user),
                    email=user.email or "",
                    state_since=now,
                )
                for user in new
            ],
            ignore_conflicts=True,
        )  # one created meanwhile elsewhere is simply loaded
        created_before = len(known)
        known = _agent_ids(account, by_id)
        result.created += len(known) - created_before
    with agents_locked_if_free(known.values()) as unlocked, transaction.atomic():
        batch = _Batch(timezone.now())
        agents = [agent for agent in _agents_to_mirror(unlocked) if not _changed_after(agent, fetched_at)]
        for agent in agents:
            user = by_id[agent.exotel_user_id]
            agent.name, agent.email = _user_name(user), user.email or agent.email
            devices = _mirror_user(agent, user, list(agent.devices.all()), batch)
            _set_state(agent, devices, getattr(agent, "phone_sip", None), batch.now)
        batch.save()
        Agent.objects.bulk_update(agents, SYNC_FIELDS)
        result.linked += _link_logins(agents)
    result.agents += len(agents)
    result.drifted += batch.drifted_agents


def _agents_to_mirror(agent_ids: Iterable[int]) -> list[Agent]:
    return list(Agent.objects.filter(pk__in=list(agent_ids)).select_related("phone_sip").prefetch_related("devices"))


def _changed_after(agent: Agent, moment: datetime) -> bool:
    """A person changed the agent after Exotel's snapshot was taken: applying it would undo that
    (the next sync reads the state that person set)."""
    return bool(agent.last_change_at and agent.last_change_at > moment)


def _link_logins(agents: list[Agent]) -> int:
    """Link each agent to the product login with the same email, if neither is linked yet."""
    from django.contrib.auth import get_user_model

    wanting = {agent.email.lower(): agent for agent in agents if not agent.user_id and agent.email}
    if not wanting:
        return 0
    logins = (
        get_user_model()
        .objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(wanting), agent__isnull=True)
    )
    linked = []
    for login in logins:
        if agent := wanting.pop(login.email_lower, None):
            agent.user = login
            linked.append(agent)
    Agent.objects.bulk_update(linked, ["user"])
    return len(linked)


def _flag_missing(account: ExotelAccount, client, seen: set[str], result: SyncResult) -> None:
    """Agents whose Exotel user a complete listing did not have, and that Exotel then says it does
    not know (an offset listing can skip a user when others are added and removed while it is
    read): flagged once (the time says since when) and off. Listed users were cleared as their
    page was written."""
    rows = (
        Agent.objects.filter(account=account)
        .exclude(exotel_user_id="")
        .values_list("pk", "exotel_user_id", "missing_in_exotel_since")
    )
    unlisted = [(pk, user_id, since) for pk, user_id, since in rows if user_id not in seen]
    newly = _confirmed_gone(
        account, client, [(pk, user_id) for pk, user_id, since in unlisted if since is None], result
    )
    result.missing = len(newly) + sum(1 for *_, since in unlisted if since is not None)
    now = timezone.now()
    for start in range(0, len(newly), SYNC_PAGE):
        with agents_locked_if_free(newly[start : start + SYNC_PAGE]) as unlocked, transaction.atomic():
            agents = _agents_to_mirror(unlocked)
            for agent in agents:
                agent.missing_in_exotel_since = now
                _set_state(agent, list(agent.devices.all()), getattr(agent, "phone_sip", None), now)
            Agent.objects.bulk_update(agents, ["missing_in_exotel_since", *STATE_FIELDS])
    if newly:
        log.warning(
            "%s agents of %s are no longer in Exotel's user list",
            len(newly),
            account.account_sid,
            extra={"agent_ids": newly[:50]},
        )


def _confirmed_gone(account: ExotelAccount, client, candidates: list[tuple[int, str]], result: SyncResult) -> list[int]:
    """The candidates Exotel answers 404 for, one request each (removals are rare); stops at the
    first other failure, flagging none of the rest."""
    gone = []
    for pk, user_id in candidates:
        try:
            users.get_user(client, user_id)
        except NotFound:
            gone.append(pk)
        except ExotelError as exc:
            _sync_failed(account, f"checking whether user {user_id} is still in Exotel", exc, result)
            break
    return gone


def _sync_phone_sip(account: ExotelAccount, client, result: SyncResult) -> None:
    """Exotel has no list of phone/SIP devices: one request per agent, written a page at a time."""
    if not account.has_integrations:
        return
    rows = list(account.agents.exclude(integrations_user_id="").values_list("pk", "integrations_user_id", "name"))
    for start in range(0, len(rows), SYNC_PAGE):
        fetched_at, remote, unreachable = timezone.now(), {}, False
        for agent_id, user_id, name in rows[start : start + SYNC_PAGE]:
            try:
                remote[agent_id] = integrations.get_devices(client, user_id)
            except ConnectionFailed as exc:  # unreachable for one is unreachable for all: stop asking
                _log_exotel_failure(agent_id, "reading phone/SIP", exc)
                result.errors.append(f"Phone/SIP devices: {exc.user_message}")
                result.retry_later = unreachable = True
                break
            except ExotelError as exc:
                _log_exotel_failure(agent_id, "reading phone/SIP", exc)
                result.errors.append(f"{name}: {exc.user_message}")
        _sync_phone_sip_page(remote, fetched_at, result)
        if unreachable:
            return


def _sync_phone_sip_page(remote: dict, fetched_at: datetime, result: SyncResult) -> None:
    with agents_locked_if_free(remote) as unlocked, transaction.atomic():
        batch = _Batch(timezone.now())
        agents = [agent for agent in _agents_to_mirror(unlocked) if not _changed_after(agent, fetched_at)]
        for agent in agents:
            phone_sip = _mirror_phone_sip(agent, getattr(agent, "phone_sip", None), remote[agent.pk], batch)
            agent.synced_at = batch.now
            _set_state(agent, list(agent.devices.all()), phone_sip, batch.now)
        batch.save()
        Agent.objects.bulk_update(agents, ["synced_at", *STATE_FIELDS, "last_change_at", "last_change_by"])
    result.agents += sum(1 for agent in agents if agent.exotel_user_id == "")
    result.drifted += batch.drifted_agents


def phone_sip_apply(*, agent: Agent, remote) -> bool:
    """Store Exotel's phone/SIP state; answers True when it newly differs from what the product set."""
    batch = _Batch(timezone.now())
    _mirror_phone_sip(agent, _phone_sip_of(agent), remote, batch)
    batch.save()
    if batch.events:
        agent.save(update_fields=["last_change_at", "last_change_by"])
    return bool(batch.events)


def _mirror_phone_sip(agent: Agent, phone_sip: PhoneSip | None, remote, batch: _Batch) -> PhoneSip:
    """Exotel's phone/SIP state onto the agent's row, in memory; a new difference from what the
    product set is audited as drift."""
    if phone_sip is None:
        phone_sip = PhoneSip(
            agent=agent, expected_phone_enabled=remote.phone.enabled, expected_sip_enabled=remote.sip.enabled
        )
        batch.new_phone_sips.append(phone_sip)
    else:
        batch.changed_phone_sips.append(phone_sip)
    was_drifting = phone_sip.has_drift
    _apply_integration_devices(phone_sip, remote)
    phone_sip.updated_at = batch.now
    if phone_sip.has_drift and not was_drifting:
        expected = f"phone {_on_off(phone_sip.expected_phone_enabled)}, SIP {_on_off(phone_sip.expected_sip_enabled)}"
        actual = f"phone {_on_off(phone_sip.phone_enabled)}, SIP {_on_off(phone_sip.sip_enabled)}"
        batch.events.append(
            _event(
                agent,
                Actor.sync(),
                "Phone and SIP",
                expected,
                actual,
                Outcome.DRIFT,
                message=f"Exotel says {actual}, but the product last set {expected}.",
            )
        )
    return phone_sip


# -- end of shift: many agents OFF in a Celery job, and the scheduled rules ---------------------


def end_of_shift_job_create(*, agents: Iterable[Agent], actor: Actor, rule: AutoOffRule | None = None) -> EndOfShiftJob:
    """A job row with one item per agent; the task starts once the rows are committed."""
    from agents.tasks import bulk_end_of_shift_run as bulk_end_of_shift_run_task

    agent_ids = sorted({agent.pk for agent in agents})
    with transaction.atomic():
        job = EndOfShiftJob.objects.create(created_by=actor.user, source=actor.source, rule=rule, total=len(agent_ids))
        EndOfShiftItem.objects.bulk_create(EndOfShiftItem(job=job, agent_id=pk) for pk in agent_ids)
        transaction.on_commit(lambda: bulk_end_of_shift_run_task.delay(job.pk))
    return job


def _job_actor(job: EndOfShiftJob) -> Actor:
    if job.rule_id:
        return Actor.rule(job.rule.name)
    if job.created_by:
        return Actor.person(job.created_by, Source(job.source))
    return Actor(Source(job.source), None, "End-of-shift job")


def end_of_shift_job_run(*, job_id: int) -> EndOfShiftJob:
    """Turn every pending agent's devices OFF. Safe to run again (a redelivered task): only pending
    items are worked on, and each is claimed with a conditional UPDATE before it is counted."""
    job = EndOfShiftJob.objects.select_related("rule", "created_by").get(pk=job_id)
    EndOfShiftJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING)
    actor = _job_actor(job)
    for item in job.items.filter(status=ItemStatus.PENDING).select_related("agent__account"):
        try:
            agent_go_unavailable(agent=item.agent, actor=actor)
            status, message = ItemStatus.DONE, ""
        except ChangeRefused as exc:
            status, message = ItemStatus.FAILED, exc.message
        claimed = EndOfShiftItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
            status=status, message=message
        )
        if claimed:
            counter = "done" if status == ItemStatus.DONE else "failed"
            EndOfShiftJob.objects.filter(pk=job_id).update(**{counter: F(counter) + 1})
    EndOfShiftJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
        status=JobStatus.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def auto_off_rules_run_due(*, now: datetime | None = None) -> list[EndOfShiftJob]:
    """Start a job for each enabled rule whose time has come today (within its grace window).

    Beat calls this every minute. Each rule is claimed for the day with a conditional UPDATE, so
    two beats, or a slow tick, never run it twice."""
    now = timezone.localtime(now)
    jobs = []
    rules = AutoOffRule.objects.filter(enabled=True, at_time__lte=now.time()).exclude(last_run_on=now.date())
    for rule in rules:
        if not rule.is_due(now):
            continue
        claimed = AutoOffRule.objects.filter(pk=rule.pk).exclude(last_run_on=now.date()).update(last_run_on=now.date())
        if claimed:
            # Its own account's agents only, however the rule was edited (admin's picker shows all).
            own_agents = rule.agents.filter(account=rule.account_id)
            jobs.append(end_of_shift_job_create(agents=own_agents, actor=Actor.rule(rule.name), rule=rule))
    return jobs


def auto_off_rule_save(
    *,
    rule: AutoOffRule | None = None,
    actor: Actor,
    name: str,
    account: ExotelAccount,
    at_time,
    weekdays: Iterable[str],
    agents: Iterable[Agent],
    enabled: bool,
) -> AutoOffRule:
    """Create or change a rule. `last_run_on` is kept: a rule that already ran today never runs
    twice in a day, even when its time moves later."""
    agents = list(agents)
    if any(agent.account_id != account.pk for agent in agents):
        raise ValueError("a rule turns OFF agents of its own account only")  # the form says so in words
    rule = rule or AutoOffRule()
    rule.name, rule.account, rule.at_time, rule.enabled = name, account, at_time, enabled
    rule.weekdays = ",".join(sorted({str(day) for day in weekdays}))
    with transaction.atomic():
        rule.save()
        rule.agents.set(agents)
    log.info("auto-OFF rule %s saved by %s", rule.pk, actor.label, extra={"rule_id": rule.pk})
    return rule


def auto_off_rule_delete(*, rule: AutoOffRule, actor: Actor) -> None:
    """The jobs it ran stay, without their rule."""
    log.info("auto-OFF rule %s (%s) deleted by %s", rule.pk, rule.name, actor.label, extra={"rule_id": rule.pk})
    rule.delete()


# -- fresh from Exotel, for "Why isn't this agent getting calls?" -------------------------------


@dataclass
class FreshState:
    checked_at: datetime
    user: object = None  # exoadmin.exotel.models.User
    phone_sip: object = None  # exoadmin.exotel.models.IntegrationDevices
    error: ExotelError | None = None


def agent_refresh(*, agent: Agent) -> FreshState:
    """Ask Exotel now (not the last sync) and store what it says; drift is audited as in a sync."""
    fresh = FreshState(checked_at=timezone.now())
    client = exotel_client(agent.account)
    try:
        if agent.exotel_user_id:
            fresh.user = _read_back(agent, client)
        if agent.integrations_user_id and agent.account.has_integrations:
            fresh.phone_sip = integrations.get_devices(client, agent.integrations_user_id)
            phone_sip_apply(agent=agent, remote=fresh.phone_sip)
    except ExotelError as exc:
        _log_exotel_failure(agent.pk, "checking devices", exc)
        fresh.error = exc
    agent_state_refresh(agent=agent)
    return fresh
