"""Storing what Exotel says about an agent: its CCM user and devices, its phone/SIP devices, drift.

Exotel's answer is stored as it is. Where it differs from what the product last set, that is
drift: flagged and audited once, never written over `expected_*`. A sync writes a page of agents
through one Batch; reading one agent back (after a change, or for "why no calls?") uses the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from agents.audit import TIME_IN_STATE_FIELDS, Actor, agent_state_refresh, audit_event, log_exotel_failure, on_off
from agents.models import Agent, AvailabilityEvent, Device, DeviceType, Outcome, PhoneSip, StateInterval
from exoadmin.accounts.clients import exotel_client
from exoadmin.exotel import integrations, users
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import ExotelError
from exoadmin.exotel.models import IntegrationDevices, User

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
# Said instead of what is ON when reading back after a failed change failed as well: never a guess.
NOT_CONFIRMED = (
    "Reading the devices back from Exotel failed too, so what is ON now is not confirmed: look again in a minute."
)


@dataclass
class Batch:
    """The writes of a sync page (or of one read-back), in a few bulk queries whatever its size."""

    now: datetime
    new_devices: list[Device] = field(default_factory=list)
    changed_devices: list[Device] = field(default_factory=list)
    gone_devices: list[int] = field(default_factory=list)
    new_phone_sips: list[PhoneSip] = field(default_factory=list)
    changed_phone_sips: list[PhoneSip] = field(default_factory=list)
    events: list[AvailabilityEvent] = field(default_factory=list)
    moved: list[Agent] = field(default_factory=list)  # agents whose state (time in state) changed
    intervals: list[StateInterval] = field(default_factory=list)  # the states they left

    def state_changed(self, agent: Agent, ended: list[StateInterval] | None) -> None:
        """Keeps `agents.audit.state_set`'s answer for this agent, to save with the page."""
        if ended is not None:
            self.moved.append(agent)
            self.intervals += ended

    def save(self) -> None:
        Device.objects.bulk_create(self.new_devices)
        Device.objects.bulk_update(self.changed_devices, DEVICE_MIRROR_FIELDS)
        if self.gone_devices:
            Device.objects.filter(pk__in=self.gone_devices).delete()
        PhoneSip.objects.bulk_create(self.new_phone_sips)
        PhoneSip.objects.bulk_update(self.changed_phone_sips, PHONE_SIP_MIRROR_FIELDS)
        AvailabilityEvent.objects.bulk_create(self.events)
        Agent.objects.bulk_update(self.moved, TIME_IN_STATE_FIELDS)
        StateInterval.objects.bulk_create(self.intervals)

    @property
    def drifted_agents(self) -> int:
        return len({event.agent_id for event in self.events if event.outcome == Outcome.DRIFT})


# -- CCM users and their devices ----------------------------------------------------------------


def mirror_user(agent: Agent, user: User, devices: list[Device], batch: Batch) -> list[Device]:
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


def _mirror_device(agent: Agent, row: Device, remote, batch: Batch) -> None:
    was_drifting = row.has_drift
    new = (remote.name, remote.contact_uri, remote.available, remote.verified, remote.status or "")
    if new != (row.name, row.contact_uri, row.available, row.verified, row.status):
        row.name, row.contact_uri, row.available, row.verified, row.status = new
        row.updated_at = batch.now
        batch.changed_devices.append(row)
    if row.has_drift and not was_drifting:
        batch.events.append(
            audit_event(
                agent,
                Actor.sync(),
                row.label,
                on_off(row.expected_available),
                on_off(row.available),
                Outcome.DRIFT,
                message=f"Exotel says {on_off(row.available)}, but the product last set "
                f"{on_off(row.expected_available)}.",
            )
        )


def agent_read_back(*, agent: Agent, client: ExotelClient) -> User:
    """Store the agent's CCM devices exactly as Exotel reports them now (drift audited); answers the user."""
    user = users.get_user(client, agent.exotel_user_id)
    batch = Batch(timezone.now())
    mirror_user(agent, user, list(Device.objects.filter(agent=agent)), batch)
    batch.save()
    changed = ["last_change_at", "last_change_by"] if batch.events else []
    agent.save(update_fields=[*MIRROR_FIELDS, *changed])
    return user


# -- integrations phone/SIP ---------------------------------------------------------------------


def apply_integration_devices(phone_sip: PhoneSip, result: IntegrationDevices) -> None:
    """Exotel's phone/SIP answer onto the row, in memory; a number or username Exotel leaves out is kept."""
    phone_sip.phone_enabled, phone_sip.sip_enabled = result.phone.enabled, result.sip.enabled
    phone_sip.phone_number = result.phone.number or phone_sip.phone_number
    phone_sip.sip_username = result.sip.username or phone_sip.sip_username
    if result.sip.registered is not None:
        phone_sip.sip_registered, phone_sip.sip_last_seen = result.sip.registered, result.sip.last_seen


def mirror_phone_sip(agent: Agent, phone_sip: PhoneSip | None, remote: IntegrationDevices, batch: Batch) -> PhoneSip:
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
    apply_integration_devices(phone_sip, remote)
    phone_sip.updated_at = batch.now
    if phone_sip.has_drift and not was_drifting:
        expected = f"phone {on_off(phone_sip.expected_phone_enabled)}, SIP {on_off(phone_sip.expected_sip_enabled)}"
        actual = f"phone {on_off(phone_sip.phone_enabled)}, SIP {on_off(phone_sip.sip_enabled)}"
        batch.events.append(
            audit_event(
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


def phone_sip_apply(*, agent: Agent, remote: IntegrationDevices) -> PhoneSip:
    """Store Exotel's phone/SIP state for one agent (drift audited); answers the stored row."""
    batch = Batch(timezone.now())
    phone_sip = mirror_phone_sip(agent, PhoneSip.objects.filter(agent=agent).first(), remote, batch)
    batch.save()
    if batch.events:
        agent.save(update_fields=["last_change_at", "last_change_by"])
    return phone_sip


# -- fresh from Exotel, for "Why isn't this agent getting calls?" -------------------------------


@dataclass
class FreshState:
    checked_at: datetime
    user: User | None = None
    phone_sip: IntegrationDevices | None = None
    error: ExotelError | None = None


def agent_refresh(*, agent: Agent) -> FreshState:
    """Ask Exotel now (not the last sync) and store what it says; drift is audited as in a sync."""
    fresh = FreshState(checked_at=timezone.now())
    client = exotel_client(agent.account)
    try:
        if agent.exotel_user_id:
            fresh.user = agent_read_back(agent=agent, client=client)
        if agent.integrations_user_id and agent.account.has_integrations:
            fresh.phone_sip = integrations.get_devices(client, agent.integrations_user_id)
            phone_sip_apply(agent=agent, remote=fresh.phone_sip)
    except ExotelError as exc:
        log_exotel_failure(agent.pk, "checking devices", exc)
        fresh.error = exc
    agent_state_refresh(agent=agent)
    return fresh
