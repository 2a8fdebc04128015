from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import cast

import phonenumbers
from django import forms
from django.http import QueryDict
from django.utils import timezone

from agents.models import Agent
from calls.launching import AgentIdentity
from calls.models import ApiVersion, Direction, HistoryStatus
from calls.outcomes import NOTE_MAX
from calls.selectors import NO_OUTCOME, HistoryFilters, api_version_for
from exoadmin.accounts.models import ExoPhone
from exoadmin.exotel.calls import MAX_TIME_LIMIT
from exoadmin.text import is_ascii_digits

DEFAULT_REGION = "IN"  # Exotel's home: a local number without +91 is read as Indian
TRI_STATE = [("", "The account's default"), ("true", "Yes"), ("false", "No")]


def e164(value: str) -> str:
    """A customer number as E.164, or a ValidationError that says what is wrong."""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(
            f"“{value}” is not a phone number we can dial. Use the international form, e.g. +91 98765 43210."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class LaunchForm(forms.Form):
    """Parses a launch; what is sent to Exotel is launching.launch_options' decision."""

    agent = forms.ModelChoiceField(
        queryset=Agent.objects.none(), empty_label=None, help_text="Their device rings first."
    )
    customer_number = forms.CharField(
        max_length=200,
        help_text="E.164 (+91…) or a 10-digit Indian number; with call API v3 also a SIP address (sip:…).",
    )
    exophone = forms.ChoiceField(label="ExoPhone", help_text="The number the agent and the customer see.")
    # Options both APIs take (seeds 002, 004).
    record = forms.ChoiceField(
        required=False,
        label="Recording",
        choices=[("", "The account's default"), ("on", "Record this call"), ("off", "Do not record this call")],
    )
    recording_channels = forms.ChoiceField(
        required=False,
        choices=[("", "Exotel's default"), ("single", "Single (mixed)"), ("dual", "Dual (agent and customer apart)")],
    )
    wait_audio_url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Wait audio URL (WAV)",
        help_text="Played to the agent while the customer is dialled.",
    )
    max_time_limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_TIME_LIMIT,
        label="Maximum call length (seconds)",
        help_text="Exotel's default: 4 hours.",
    )
    attempt_time_out = forms.IntegerField(
        required=False, min_value=1, max_value=600, label="Ring time-out (seconds)", help_text="Exotel's default: 30 s."
    )
    custom_field = forms.CharField(required=False, max_length=500, help_text="E.g. an order id; comes back in reports.")
    # v3 only (seed 002).
    from_contact_uri = forms.CharField(
        required=False,
        max_length=200,
        label="Ring this agent number instead",
        help_text="from.contact_uri; empty: the device that is ON.",
    )
    state_management = forms.TypedChoiceField(
        required=False,
        choices=TRI_STATE,
        label="State management",
        coerce=lambda v: v == "true",
        empty_value=None,
        help_text="Mark the agent busy during the call.",
    )
    recording_format = forms.ChoiceField(
        required=False,
        label="Recording format",
        choices=[("", "Exotel's default"), ("mp3", "MP3"), ("mp3-hq", "MP3 HQ")],
    )
    streaming_url = forms.CharField(required=False, max_length=500, label="Streaming URL (wss://…)")
    streaming_begin = forms.CharField(
        required=False, initial="from_leg_connect", max_length=40, label="Streaming begins"
    )
    # v2 only (seed 004).
    agent_identity = forms.ChoiceField(required=False, label="Identify the agent by", choices=AgentIdentity.choices)

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, PLAYBACK_ROWS + 1):
            self.fields.update(_playback_fields(row))
        cast(forms.ModelChoiceField, self.fields["agent"]).queryset = agents
        accounts = {agent.account_id for agent in agents}
        phones = ExoPhone.objects.filter(account_id__in=accounts).select_related("account")
        self.phone_accounts = {phone.number: phone.account_id for phone in phones}
        cast(forms.ChoiceField, self.fields["exophone"]).choices = [
            (p.number, f"{p} · {p.account}" if len(accounts) > 1 else str(p)) for p in phones
        ]

    def clean_customer_number(self):
        value = self.cleaned_data["customer_number"].strip()
        if value.lower().startswith("sip:"):
            if not SIP_URI.fullmatch(value):
                raise forms.ValidationError(f"“{value}” is not a SIP address we can dial, e.g. sip:asha@example.com.")
            return value  # whether the account's call API dials SIP is checked in clean()
        return e164(value)

    @property
    def playback_rows(self) -> list[list[forms.BoundField]]:
        """The playback entries' fields, row by row, for the template."""
        return [
            [self[f"playback_{row}_{part}"] for part in ("value", "event", "to")] for row in range(1, PLAYBACK_ROWS + 1)
        ]

    def clean_streaming_url(self):
        url = self.cleaned_data["streaming_url"].strip()
        if url and not url.startswith(("ws://", "wss://", "http://", "https://")):
            raise forms.ValidationError("A streaming URL starts with wss:// (or https://).")
        return url

    def clean(self):
        super().clean()
        data = self.cleaned_data
        agent, phone = data.get("agent"), data.get("exophone")
        if agent and phone and self.phone_accounts.get(phone) != agent.account_id:
            self.add_error("exophone", f"This ExoPhone is not in {agent.name}'s Exotel account ({agent.account}).")
        number = data.get("customer_number") or ""
        if agent and number.startswith("sip:") and api_version_for(agent.account) == ApiVersion.V2:
            self.add_error(
                "customer_number",
                f"{agent.account} places calls with call API v2, which dials numbers only: give the customer's number.",
            )
        data["playback"] = self._playback()
        return data

    def _playback(self) -> list[dict[str, str]]:
        """The filled playback rows in order; a row with a choice but no audio says what is missing."""
        entries = []
        for row in range(1, PLAYBACK_ROWS + 1):
            value = self.cleaned_data.get(f"playback_{row}_value")
            if value:
                entries.append(
                    {
                        "event": self.cleaned_data.get(f"playback_{row}_event") or PLAYBACK_EVENTS[0][0],
                        "to": self.cleaned_data.get(f"playback_{row}_to") or PLAYBACK_TARGETS[0][0],
                        "value": value,
                    }
                )
        return entries


# Playback (seed 002): each entry plays an audio file when the call starts. The seed documents the one
# event and the one target its example names; nothing else is offered, so nothing else is sent.
PLAYBACK_ROWS = 3
PLAYBACK_EVENTS = [("start", "When the call connects")]
PLAYBACK_TARGETS = [("both", "The agent and the customer")]
SIP_URI = re.compile(r"sip:[A-Za-z0-9._~%!$&'()*+,;=-]+(@[A-Za-z0-9.-]+(:[0-9]{1,5})?)?")


def _playback_fields(row: int) -> dict[str, forms.Field]:
    invalid = {"invalid_choice": "“%(value)s” is not one Exotel documents for playback: pick from the list."}
    return {
        f"playback_{row}_value": forms.URLField(
            required=False, assume_scheme="https", label=f"Playback {row}: audio URL"
        ),
        f"playback_{row}_event": forms.ChoiceField(
            required=False, label=f"Playback {row}: when", choices=PLAYBACK_EVENTS, error_messages=invalid
        ),
        f"playback_{row}_to": forms.ChoiceField(
            required=False, label=f"Playback {row}: to", choices=PLAYBACK_TARGETS, error_messages=invalid
        ),
    }


RECORDING_CHOICES = [("", "Any"), ("yes", "With recording"), ("no", "Without recording")]


class HistoryFilterForm(forms.Form):
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    agent = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *HistoryStatus.choices])
    direction = forms.ChoiceField(required=False, choices=[("", "Any")] + list(Direction.choices))
    exophone = forms.ChoiceField(required=False, label="ExoPhone")
    number = forms.CharField(required=False, max_length=40, label="Customer number")
    recording = forms.ChoiceField(required=False, choices=RECORDING_CHOICES)
    outcome = forms.ChoiceField(required=False)
    sort = forms.ChoiceField(required=False, choices=[("", "Newest first"), ("oldest", "Oldest first")])

    def __init__(self, *args, agents, exophones, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        several = len({outcome.account_id for outcome in outcomes}) > 1
        cast(forms.ChoiceField, self.fields["outcome"]).choices = [
            ("", "Any"),
            (NO_OUTCOME, "No outcome yet"),
            *((str(o.pk), f"{o.name} · {o.account}" if several else o.name) for o in outcomes),
        ]
        if agents is None:
            del self.fields["agent"]  # an agent's history is theirs alone
        else:
            agent_field = cast(forms.TypedChoiceField, self.fields["agent"])
            agent_field.choices = [("", "Any")] + [(a.pk, a.name) for a in agents]
        cast(forms.ChoiceField, self.fields["exophone"]).choices = [("", "Any")] + [(n, n) for n in exophones]

    def filters(self) -> HistoryFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return HistoryFilters(
            date_from=_day_start(data.get("date_from")),
            date_to=_day_start(data.get("date_to"), next_day=True),
            agent_id=data.get("agent"),
            status=data.get("status") or "",
            direction=data.get("direction") or "",
            exophone=data.get("exophone") or "",
            number=(data.get("number") or "").strip(),
            has_recording={"yes": True, "no": False}.get(data.get("recording") or ""),
            outcome=data.get("outcome") or "",
            oldest_first=data.get("sort") == "oldest",
        )

    def chips(self) -> list[tuple[str, str]]:
        """(label, the query string without this filter) for every filter applied: removable chips."""
        if not self.is_valid():
            return []
        chips = []
        for name, field in self.fields.items():
            value = self.data.get(name)
            if not value:
                continue
            shown = value
            if isinstance(field, forms.ChoiceField):
                # Set choices read back as (value, label) pairs; the stubs type the getter like the setter.
                shown = dict(field.choices).get(_choice_key(field, value), value)  # type: ignore[arg-type]
            rest = cast(QueryDict, self.data).copy()
            rest.pop(name, None)
            rest.pop("cursor", None)
            chips.append((f"{field.label or name.replace('_', ' ').capitalize()}: {shown}", rest.urlencode()))
        return chips


class OutcomeForm(forms.Form):
    """Parses an outcome as posted; whether it may be set is calls.outcomes' decision."""

    outcome = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, error_messages={"invalid": "Pick an outcome from the list."}
    )
    note = forms.CharField(required=False, max_length=NOTE_MAX, strip=True)

    def error_words(self) -> str:
        return " ".join(str(error) for errors in self.errors.values() for error in errors)


class KpiForm(forms.Form):
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def range(self, default: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
        data = self.cleaned_data if self.is_valid() else {}
        start = _day_start(data.get("date_from")) or default[0]
        end = _day_start(data.get("date_to"), next_day=True) or default[1]
        return (start, end) if end > start else (end - timedelta(days=1), end)


def _day_start(day, next_day: bool = False) -> datetime | None:
    if not day:
        return None
    try:
        return timezone.make_aware(datetime.combine(day + timedelta(days=1) if next_day else day, time.min))
    except OverflowError:  # 9999-12-31 "and the day after"
        return None


def _choice_key(field, value):
    return int(value) if isinstance(field, forms.TypedChoiceField) and is_ascii_digits(str(value)) else value
