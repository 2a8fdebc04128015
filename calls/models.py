"""Calls placed through the product (and calls Exotel told us about), their legs, our own timeline
of each call, and who listened to which recording.

Exotel's callbacks and call details are the truth about a call; `launch_outcome` is the truth
about our request to place it. A call row exists before the launch POST is sent (its `key` is the
idempotency key), so a double click, a retry or a timeout can never dial twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from agents.models import Agent
from calls.recording_hosts import url_refusal
from exoadmin.accounts.models import ExotelAccount
from exoadmin.exotel.calls import MAX_TIME_LIMIT
from exoadmin.refusals import Refused


class ApiVersion(models.TextChoices):
    V3 = "v3", "v3 (from/to contact URIs, playback, streaming)"
    V2 = "v2", "v2 (agent by user id or contact URI)"


class CallSettings(models.Model):
    """Per-account call settings; an account without a row uses v3."""

    account = models.OneToOneField(ExotelAccount, on_delete=models.CASCADE, related_name="call_settings")
    api_version = models.CharField("call API", max_length=2, choices=ApiVersion.choices, default=ApiVersion.V3)
    # Defaults for every launch of this account; the launch form shows them and a launch may override each.
    records_by_default = models.BooleanField(
        "Exotel records every call",
        default=False,
        help_text="As Exotel has set this account up: a launch can then turn recording off for one call.",
    )
    recording_channels = models.CharField(
        "default recording channels", max_length=6, blank=True, choices=[("single", "Single"), ("dual", "Dual")]
    )
    recording_format = models.CharField(
        "default recording format (v3)", max_length=6, blank=True, choices=[("mp3", "MP3"), ("mp3-hq", "MP3 HQ")]
    )
    max_time_limit = models.PositiveIntegerField(
        "default maximum call length (s)", null=True, blank=True, validators=[MaxValueValidator(MAX_TIME_LIMIT)]
    )
    attempt_time_out = models.PositiveIntegerField(
        "default ring time-out (s)", null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    wait_audio_url = models.URLField("default wait audio URL", blank=True)
    state_management = models.BooleanField(
        "default state management (v3)", null=True, blank=True, help_text="Mark the agent busy during the call."
    )
    outcome_required = models.BooleanField(
        "every answered call needs an outcome",
        default=False,
        help_text="Agents then see the answered calls still waiting for one on their page.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "call settings"

    def __str__(self) -> str:
        return f"{self.account}: {self.api_version}"

    def defaults_in_words(self) -> list[str]:
        """What a launch of this account gets unless it says otherwise (the launch form shows it)."""
        words = [
            f"call API {self.api_version}",
            "Exotel records every call" if self.records_by_default else "not recorded unless asked",
        ]
        words += [f"recording channels {self.recording_channels}"] if self.recording_channels else []
        words += [f"recording format {self.recording_format}"] if self.recording_format else []
        words += [f"calls end after {self.max_time_limit} s"] if self.max_time_limit else []
        words += [f"rings for {self.attempt_time_out} s"] if self.attempt_time_out else []
        words += ["a wait audio plays"] if self.wait_audio_url else []
        if self.state_management is not None:
            words += [f"state management {'on' if self.state_management else 'off'}"]
        return words


class CallOutcome(models.Model):
    """What came of a call, in the account's own words (e.g. "Interested", "Call back", "Wrong number"):
    an admin keeps the list, the call's agent or a supervisor picks one after the call ends."""

    account = models.ForeignKey(ExotelAccount, on_delete=models.CASCADE, related_name="call_outcomes")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lists show outcomes in this order.")
    active = models.BooleanField(default=True, help_text="Retired outcomes stay on past calls but cannot be picked.")

    class Meta:
        ordering = ["account", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="unique_outcome_name")]

    def __str__(self) -> str:
        return self.name


class State(models.TextChoices):
    ACTIVE = "active", "Active"
    TERMINAL = "terminal", "Ended"


class LaunchOutcome(models.TextChoices):
    PENDING = "pending", "Sending to Exotel"
    ACCEPTED = "accepted", "Accepted by Exotel"
    REFUSED = "refused", "Refused by Exotel"
    UNKNOWN = "unknown", "Outcome unknown"
    EXTERNAL = "external", "Placed outside exoadmin"


class Direction(models.TextChoices):
    OUTBOUND = "outbound", "Outbound"
    INBOUND = "inbound", "Inbound"


class CallStatus(models.TextChoices):
    """Exotel's terminal statuses in v3's words (seed 002), which calls store; each label is what a
    person reads for it everywhere (history, the call page, live calls, CSV, filters)."""

    COMPLETED = "completed", "Completed"
    FROM_LEG_UNANSWERED = "from_leg_unanswered", "Agent did not answer"
    TO_LEG_UNANSWERED = "to_leg_unanswered", "Customer did not answer"
    FROM_LEG_CANCELLED = "from_leg_cancelled", "Agent hung up before the customer answered"
    TO_LEG_NO_DIAL = "to_leg_no_dial", "Customer could not be dialled"
    FROM_LEG_NO_DIAL = "from_leg_no_dial", "Agent's device could not be dialled"

    @classmethod
    def from_exotel(cls, text: str) -> CallStatus:
        """v3's words as they are, v2's translated; ValueError for a status neither documents."""
        return cls(V2_STATUSES.get(text, text))


class V2CallStatus(models.TextChoices):
    """v2 reports the same outcomes in its own words (seed 004)."""

    COMPLETED = "completed"
    AGENT_UNANSWERED = "agent_unanswered"
    CUSTOMER_UNANSWERED = "customer_unanswered"
    AGENT_CANCELED = "agent_canceled"
    CUSTOMER_NO_DIAL = "customer_no_dial"
    AGENT_NO_DIAL = "agent_no_dial"


V2_STATUSES: dict[str, CallStatus] = {
    V2CallStatus.COMPLETED: CallStatus.COMPLETED,
    V2CallStatus.AGENT_UNANSWERED: CallStatus.FROM_LEG_UNANSWERED,
    V2CallStatus.CUSTOMER_UNANSWERED: CallStatus.TO_LEG_UNANSWERED,
    V2CallStatus.AGENT_CANCELED: CallStatus.FROM_LEG_CANCELLED,
    V2CallStatus.CUSTOMER_NO_DIAL: CallStatus.TO_LEG_NO_DIAL,
    V2CallStatus.AGENT_NO_DIAL: CallStatus.FROM_LEG_NO_DIAL,
}


class Progress(models.TextChoices):
    """What a call without an Exotel status shows; with CallStatus's labels, every status a person reads."""

    PLACING = "placing", "Placing the call"
    NOT_PLACED = "not_placed", "Not placed"
    UNKNOWN = "unknown", "Outcome unknown: waiting for Exotel"
    RINGING = "ringing", "Ringing"
    IN_CONVERSATION = "in_conversation", "In conversation"
    ENDED = "ended", "Ended"


class HistoryStatus(models.TextChoices):
    """The history's status filter: each label is the words its calls show (two group several)."""

    COMPLETED = "completed", CallStatus.COMPLETED.label
    CUSTOMER_UNANSWERED = "customer_unanswered", CallStatus.TO_LEG_UNANSWERED.label
    AGENT_UNANSWERED = "agent_unanswered", CallStatus.FROM_LEG_UNANSWERED.label
    AGENT_CANCELLED = "agent_cancelled", CallStatus.FROM_LEG_CANCELLED.label
    NOT_DIALLED = "not_dialled", "Could not be dialled (customer or agent)"
    ACTIVE = "active", f"{Progress.RINGING.label} or {Progress.IN_CONVERSATION.label.lower()}"
    NOT_PLACED = "not_placed", Progress.NOT_PLACED.label
    UNKNOWN = "unknown", Progress.UNKNOWN.label


def status_words(*, launch_outcome: str, state: str, status: str, answered_at: datetime | None) -> str:
    """What happened to a call, in a supervisor's words: the one source of the words every page
    and the CSV show (taking the columns, so that an export needs no model instances)."""
    if launch_outcome == LaunchOutcome.REFUSED:
        return Progress.NOT_PLACED.label
    if launch_outcome == LaunchOutcome.PENDING:
        return Progress.PLACING.label
    if state == State.TERMINAL:
        if status in CallStatus.values:
            return CallStatus(status).label
        return status or Progress.ENDED.label
    if launch_outcome == LaunchOutcome.UNKNOWN:
        return Progress.UNKNOWN.label
    return Progress.IN_CONVERSATION.label if answered_at else Progress.RINGING.label


class Call(models.Model):
    key = models.UUIDField("idempotency key", default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(ExotelAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="calls")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    teams = models.ManyToManyField(
        "teams.Team", blank=True, related_name="calls", help_text="The teams its agent was in when it was placed."
    )
    api_version = models.CharField("call API", max_length=2, choices=ApiVersion.choices, default=ApiVersion.V3)
    sid = models.CharField("Exotel call sid", max_length=100, null=True, blank=True)
    customer_number = models.CharField(max_length=200, blank=True, help_text="A number, or a SIP address (v3).")
    exophone = models.CharField("ExoPhone", max_length=40, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.OUTBOUND)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    status = models.CharField(
        max_length=30, blank=True, choices=CallStatus.choices, help_text="Exotel's terminal status, in v3's words."
    )
    launch_outcome = models.CharField(max_length=10, choices=LaunchOutcome.choices, default=LaunchOutcome.PENDING)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    total_duration = models.PositiveIntegerField(null=True, blank=True, help_text="seconds")
    talk_time = models.PositiveIntegerField(null=True, blank=True, help_text="seconds")
    # Pre-signed and expiring: fetched server-side by the recording proxy, never sent to a browser.
    recording_url = models.TextField(blank=True)
    # Every recording Exotel lists (an app flow may record several); `recording_url` is the first.
    recording_urls = models.JSONField(default=list, blank=True)
    has_recording = models.BooleanField(default=False)
    custom_field = models.CharField(max_length=500, blank=True)
    # What Exotel reports of a call that went through one of its app flows (seed 002's call details).
    app_id = models.CharField("Exotel app id", max_length=100, blank=True)
    app_name = models.CharField("Exotel app", max_length=200, blank=True)
    digits = models.CharField(max_length=100, blank=True, help_text="Keys the caller pressed in the app flow.")
    options = models.JSONField(default=dict, blank=True, help_text="The launch options as sent to Exotel.")
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preflight = models.JSONField(default=dict, blank=True)
    launch_request_id = models.CharField("launch request_id", max_length=100, blank=True)
    launch_error = models.TextField(blank=True)
    launch_error_code = models.IntegerField(null=True, blank=True)
    last_heard_at = models.DateTimeField(null=True, blank=True, help_text="Last callback or poll.")
    legs_fetched_at = models.DateTimeField(null=True, blank=True)
    outcome = models.ForeignKey(CallOutcome, null=True, blank=True, on_delete=models.PROTECT, related_name="calls")
    outcome_note = models.TextField(blank=True)
    outcome_set_at = models.DateTimeField(null=True, blank=True)
    outcome_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "sid"], condition=Q(sid__isnull=False), name="unique_call_sid"),
        ]
        # History sorts by (created_at, id); each filter has an index ending with that order.
        indexes = [
            models.Index(fields=["account", "created_at", "id"], name="call_account_time"),
            models.Index(fields=["created_at", "id"], name="call_time"),
            models.Index(fields=["agent", "created_at", "id"], name="call_agent_time"),
            models.Index(fields=["status", "created_at", "id"], name="call_status_time"),
            models.Index(fields=["direction", "created_at", "id"], name="call_direction_time"),
            models.Index(fields=["exophone", "created_at", "id"], name="call_exophone_time"),
            models.Index(fields=["customer_number", "created_at", "id"], name="call_customer_time"),
            models.Index(fields=["has_recording", "created_at", "id"], name="call_recording_time"),
            models.Index(fields=["state", "last_heard_at"], name="call_state_heard"),
            models.Index(fields=["sid"], name="call_sid"),
            models.Index(fields=["outcome", "created_at", "id"], name="call_outcome_time"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_number or 'unknown number'} · {self.status_words}"

    @property
    def is_terminal(self) -> bool:
        return self.state == State.TERMINAL

    @property
    def is_live(self) -> bool:
        return self.state == State.ACTIVE and self.launch_outcome in (LaunchOutcome.ACCEPTED, LaunchOutcome.EXTERNAL)

    @property
    def is_inbound(self) -> bool:
        return self.direction == Direction.INBOUND

    @property
    def agent_contact_uri(self) -> str:
        """The agent's number or SIP address the call rings: the one the launch named, else the one the
        pre-flight found ringing ("" for a call placed outside exoadmin)."""
        options, preflight = self.options or {}, self.preflight or {}
        named = options.get("from_contact_uri") or options.get("user_contact_uri")
        return str(named or preflight.get("from_contact_uri") or "")

    @property
    def since(self) -> datetime:
        """When the call began, as far as we know: Exotel's start time, else when it was launched."""
        return self.started_at or self.created_at

    @property
    def status_words(self) -> str:
        """What happened, in a supervisor's words."""
        return status_words(
            launch_outcome=self.launch_outcome, state=self.state, status=self.status, answered_at=self.answered_at
        )

    @property
    def launch_refusal(self) -> Refused | None:
        """Why the launch did not place a call (with Exotel's request id), or None."""
        return Refused(self.launch_error, request_id=self.launch_request_id) if self.launch_error else None

    @property
    def colour(self) -> str:
        """Call-centre colours: red on a call, amber ringing or unsure, green completed, grey the rest."""
        if self.launch_outcome in (LaunchOutcome.PENDING, LaunchOutcome.UNKNOWN) and not self.is_terminal:
            return "amber"
        if self.is_live:
            return "red" if self.answered_at else "amber"
        return "green" if self.status == CallStatus.COMPLETED else "grey"

    @property
    def audio_unavailable_reason(self) -> str:
        if self.has_recording:
            return ""
        if not self.is_terminal:
            return "The recording is ready when the call ends."
        if self.status != CallStatus.COMPLETED:
            return "Nobody answered, so nothing was recorded."
        return "This call was not recorded."

    @property
    def recording_links(self) -> list[str]:
        """The stored pre-signed links, first to last (a call stored before several were kept has one)."""
        return list(self.recording_urls or ([self.recording_url] if self.recording_url else []))

    @property
    def recording_count(self) -> int:
        return len(self.recording_links) if self.has_recording else 0

    @property
    def recording_parts(self) -> range:
        """1..n, for the call page's players."""
        return range(1, self.recording_count + 1)

    @property
    def recording_link_refusal(self) -> str:
        """Why the stored recording link will not be fetched ("" when it will): said beside the player."""
        return url_refusal(self.recording_url) if self.has_recording and self.recording_url else ""


class Side(models.TextChoices):
    AGENT = "agent", "Agent"
    CUSTOMER = "customer", "Customer"


class LegStatus(models.TextChoices):
    """A leg's status in the legs API (seed 002)."""

    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    NO_ANSWER = "no-answer", "No answer"
    BUSY = "busy", "Busy"


class CallLeg(models.Model):
    """One leg from Exotel's legs API (seed 002): for outbound calls `from` is the agent side."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="legs")
    side = models.CharField(max_length=10, choices=Side.choices)
    sid = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    contact_uri = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, blank=True, choices=LegStatus.choices)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    # The group (e.g. of agents) an app flow dialled this leg from (seed 002's legs).
    group_id = models.CharField(max_length=100, blank=True)
    group_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "sid"], name="unique_leg_per_call")]

    def __str__(self) -> str:
        return f"{self.get_side_display()} leg {self.contact_uri}: {self.status}"


class EventKind(models.TextChoices):
    PREFLIGHT = "preflight", "Pre-flight check"
    LAUNCHED = "launched", "Launch requested"
    ACCEPTED = "accepted", "Accepted by Exotel"
    REFUSED = "refused", "Refused by Exotel"
    UNKNOWN = "unknown", "No answer from Exotel"
    CALLBACK = "callback", "Status callback"
    POLL = "poll", "Polled Exotel"
    RECONCILED = "reconciled", "Reconciled"
    ERROR = "error", "Error"


class CallEvent(models.Model):
    """Our own timeline of a call. Callbacks keep their raw payload; `fingerprint` drops duplicates."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    summary = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request_id = models.CharField("Exotel request_id", max_length=100, blank=True)
    raw = models.JSONField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "fingerprint"], condition=Q(fingerprint__isnull=False), name="unique_call_event"
            ),
        ]
        indexes = [models.Index(fields=["call", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class OutcomeChange(models.Model):
    """The audit of a call's outcome: every set, change or clearing, with who did it and when."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="outcome_changes")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    before = models.CharField(max_length=100, blank=True, help_text="The outcome's name before ('' for none).")
    after = models.CharField(max_length=100, blank=True)
    note_before = models.TextField(blank=True)
    note_after = models.TextField(blank=True)

    class Meta:
        ordering = ["call", "at", "id"]

    def __str__(self) -> str:
        return f"{self.before or 'none'} → {self.after or 'none'}"


class RecordingAccess(models.Model):
    class Kind(models.TextChoices):
        PLAY = "play", "Played"
        DOWNLOAD = "download", "Downloaded"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="recording_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "recording accesses"

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display().lower()} {self.call_id} at {self.at:%Y-%m-%d %H:%M}"
