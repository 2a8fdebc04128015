"""Which control each of an agent's devices offers, decided once for every page that shows them.

The agent's own page (`you=True`), the board row and the agent page render these as they are; the
services check every rule again when a button is pressed, since a page can be stale. Reads the
agent's prefetched devices and phone/SIP row: no query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import capfirst

from agents.models import Agent, Device, PhoneSip
from agents.words import missing_in_words

ON, OFF, SWITCH = "on", "off", "switch"  # what a CCM device's button posts as `action`
KEEP_ONE_ON = "At least one of phone and SIP must stay on"
NOT_VERIFIED = "Not verified in Exotel yet: it cannot ring until it is."


@dataclass(frozen=True)
class Control:
    """One button: it posts `field`=`value`; `text` are its words."""

    field: str  # "action" for a CCM device, "phone" or "sip"
    value: str  # on | off | switch
    text: str
    label: str = ""  # its accessible name where one page shows many agents ("Turn SIP ON for Priya Nair")
    disabled: bool = False
    reason: str = ""  # why this device's button cannot be used now, shown beside it
    reason_kind: str = ""  # keep-one | not-verified: the class of the reason's element
    reason_id: str = ""  # the id of the reason's element, for the button's aria-describedby
    hint: str = ""  # what pressing it does, where its words do not say it all

    @property
    def primary(self) -> bool:
        """Turning something ON is the page's main step."""
        return self.value != OFF and not self.reason


@dataclass(frozen=True)
class DeviceCard:
    key: str  # the CCM device's id, or "phone" / "sip"
    title: str  # Phone | SIP softphone | SIP app
    label: str  # "Phone +9199…", "SIP sip:asha.rao"
    address: str
    is_on: bool
    control: Control
    device: Device | None = None  # the CCM device, whose pills say verified, on a call, drift
    registered: bool | None = None  # the SIP app: whether it is logged in
    drift: bool = False


@dataclass(frozen=True)
class DeviceControls:
    cards: list[DeviceCard]
    blocked: str = ""  # why nothing can be changed for this agent now ("" when it can)
    stop: Control | None = None  # every device OFF at once (CCM only: phone/SIP keep one enabled)
    empty: str = ""  # what to say when there is no device to show


def device_controls(agent: Agent, *, you: bool = False) -> DeviceControls:
    """`you`: the agent's own page, which speaks to the agent ("Ring here instead")."""
    if agent.uses_phone_sip:
        return _phone_sip_controls(agent, getattr(agent, "phone_sip", None), you)
    return _ccm_controls(agent, you)


def _ccm_controls(agent: Agent, you: bool) -> DeviceControls:
    gone = agent.is_gone_from_exotel
    blocked = ""
    if gone and you:
        blocked = (
            f"{missing_in_words(agent)}: Exotel no longer has your user, so no call reaches you and nothing "
            "can be switched here. Ask your supervisor."
        )
    elif gone:
        blocked = "Switching is off: Exotel no longer has this user."
    ringing = agent.ringing_device
    cards = [
        DeviceCard(
            key=str(device.pk),
            title=capfirst(device.kind_in_words),
            label=device.label,
            address=device.contact_uri,
            is_on=device.is_on,
            control=_ccm_control(agent, device, ringing, you, gone),
            device=device,
            drift=device.has_drift,
        )
        for device in agent.devices.all()
    ]
    # The agent's page offers "stop" only while something rings; a supervisor's always, since it
    # reads Exotel first and catches a device turned ON outside exoadmin.
    stop = None
    if ringing or not you:
        stop = Control("", "", "Stop taking calls (all devices OFF)" if you else "Turn every device OFF", disabled=gone)
    empty = "You have no device in Exotel yet. Ask your supervisor to add your phone." if you else "No device in Exotel"
    return DeviceControls(cards, blocked, stop, empty)


def _ccm_control(agent: Agent, device: Device, ringing: Device | None, you: bool, gone: bool) -> Control:
    if device.is_on:
        return Control("action", OFF, "Turn OFF", _label(f"Turn {device.label} OFF for {agent.name}", you), gone)
    reason = {} if device.verified else _reason("not-verified", NOT_VERIFIED, agent, str(device.pk), you)
    disabled = gone or bool(reason)
    if ringing is None:
        label = _label(f"Turn {device.label} ON for {agent.name}", you)
        return Control("action", ON, "Turn ON", label, disabled, **reason)
    if you:
        hint = "" if disabled else f"Turns {ringing.contact_uri} OFF, then this one ON."
        return Control("action", SWITCH, "Ring here instead", "", disabled, hint=hint, **reason)
    label = f"Switch {agent.name} to {device.label}"
    return Control("action", SWITCH, f"Switch to {device.get_type_display()}", label, disabled, **reason)


def _phone_sip_controls(agent: Agent, phone_sip: PhoneSip | None, you: bool) -> DeviceControls:
    if phone_sip is None:
        empty = "Your phone and SIP app are not in exoadmin yet: ask your supervisor to sync from Exotel."
        return DeviceControls([], empty=empty if you else "No phone/SIP devices synced from Exotel yet")
    both_on = phone_sip.phone_enabled and phone_sip.sip_enabled
    cards = []
    for name, short, title in (("phone", "phone", "Phone"), ("sip", "SIP", "SIP app")):
        enabled = getattr(phone_sip, f"{name}_enabled")
        only_one = enabled and not both_on  # Exotel refuses to disable the last one
        control = Control(
            name,
            OFF if enabled else ON,
            "Turn OFF" if enabled else "Turn ON",
            _label(f"Turn {short} {'OFF' if enabled else 'ON'} for {agent.name}", you),
            disabled=only_one,
            **(_reason("keep-one", KEEP_ONE_ON, agent, name, you) if only_one else {}),
        )
        cards.append(
            DeviceCard(
                key=name,
                title=title,
                label=getattr(phone_sip, f"{name}_label"),
                address=phone_sip.phone_number if name == "phone" else phone_sip.sip_username,
                is_on=enabled,
                control=control,
                registered=phone_sip.sip_registered if name == "sip" else None,
                drift=getattr(phone_sip, f"{name}_has_drift"),
            )
        )
    return DeviceControls(cards)


def _label(words: str, you: bool) -> str:
    """The agent's own page has one agent: its buttons' words and card headings say enough."""
    return "" if you else words


def _reason(kind: str, words: str, agent: Agent, key: str, you: bool) -> dict[str, str]:
    """Why a button is disabled, with an id unique on its page (a board shows many agents)."""
    element_id = f"{kind}-{key}" if you else f"{kind}-{agent.pk}-{key}"
    return {"reason": words, "reason_kind": kind, "reason_id": element_id}
