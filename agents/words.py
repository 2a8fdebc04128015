"""How an agent's state is said to a person: where calls ring, in one sentence, since when.

Reads only the agent row and its prefetched devices: no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from agents.models import Agent, Availability, PhoneSip


@dataclass(frozen=True)
class RingingPlace:
    kind: str  # phone | SIP softphone | SIP app
    address: str

    @property
    def label(self) -> str:
        return f"{self.kind[:1].upper()}{self.kind[1:]} {self.address}".strip()


def ringing_on(agent: Agent) -> list[RingingPlace]:
    """Where a call to the agent rings, as Exotel last said (reads prefetched devices: no query).
    Nowhere for a user Exotel no longer has."""
    if agent.uses_phone_sip:
        phone_sip = getattr(agent, "phone_sip", None)
        return phone_sip_places(phone_sip) if phone_sip else []
    on = None if agent.is_gone_from_exotel else agent.ringing_device
    return [RingingPlace(on.kind_in_words, on.contact_uri)] if on else []


def phone_sip_places(phone_sip: PhoneSip) -> list[RingingPlace]:
    """The enabled ones of the phone and the SIP app: calls ring on both when both are."""
    places = [RingingPlace("phone", phone_sip.phone_number)] if phone_sip.phone_enabled else []
    return places + ([RingingPlace("SIP app", phone_sip.sip_username)] if phone_sip.sip_enabled else [])


def ringing_on_words(agent: Agent) -> str:
    """The board's "Rings on …" and the CSV's ringing_on: "Phone +91… and SIP app …"; "" for nowhere."""
    return " and ".join(place.label for place in ringing_on(agent))


def state_in_words(agent: Agent, *, you: bool = True) -> str:
    """The agent's state in one plain sentence ("Calls ring on your phone +91…")."""
    whose = "your" if you else "their"
    subject = "You are" if you else f"{agent.name} is"
    if agent.availability == Availability.BUSY:
        return f"{subject} on a call."
    places = ringing_on(agent)
    if not places:
        return f"{subject} not taking calls."
    return "Calls ring on " + " and on ".join(f"{whose} {place.kind} {place.address}" for place in places) + "."


def missing_in_words(agent: Agent) -> str:
    """ "Not found in Exotel since 10:42" (with the date when not today); "" unless `is_gone_from_exotel`."""
    since = agent.missing_in_exotel_since
    if not agent.is_gone_from_exotel or since is None:
        return ""
    return f"Not found in Exotel since {at_words(since)}"


def at_words(moment: datetime) -> str:
    """ "10:42" today, "04 Dec 10:42" another day (local time)."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M}" if local.date() == timezone.localdate() else f"{local:%d %b %H:%M}"
