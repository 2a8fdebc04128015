"""Calls placed through the product (and calls Exotel told us about), their legs, our own timeline
of each call, and who listened to which recording.

Exotel's callbacks and call details are the truth about a call; `launch_outcome` is the truth
about our request to place it. A call row exists before the launch POST is sent (its `key` is the
idempotency key), so a double click, a retry or a timeout can never dial twice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from agents.models import Agent
from calls.recording_hosts import url_refusal
from exoadmin.accounts.models import ExotelAccount


class ApiVersion(models.TextChoices):
    V3 = "v3", "v3 (from/to contact URIs, playback, streaming)"
    V2 = "v2", "v2 (agent by user id or contact URI)"


class CallSettings(models.Model):
    """Per-account call settings; an account without a row uses v3."""

    account = models.OneToOneField(ExotelAccount, on_delete=models.CASCADE, related_name="call_settings")
    api_version = models.CharField("call API", max_length=2, choices=ApiVersion.choices, default=ApiVersion.V3)

    class Meta:
        verbose_name = verbose_name_plural = "call settings"

    def __str__(self) -> str:
        return f"{self.account}: {self.api_version}"


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


# Exotel's terminal statuses in v3's words, and what they mean to a person (seed 002).
STATUS_WORDS = {
    "completed": "Completed",
    "from_leg_unanswered": "Agent did not answer",
    "to_leg_unanswered": "Customer did not answer",
    "from_leg_cancelled": "Agent hung up before the customer answered",
    "to_leg_no_dial": "Customer could not be dialled",
    "from_leg_no_dial": "Agent's device could not be dialled",
}
# v2 reports the same outcomes in its own words (seed 004); calls store v3's.
V2_STATUSES = {
    "completed": "completed",
    "agent_unanswered": "from_leg_unanswered",
    "customer_unanswered": "to_leg_unanswered",
    "agent_canceled": "from_leg_cancelled",
    "customer_no_dial": "to_leg_no_dial",
    "agent_no_dial": "from_leg_no_dial",
}


class Call(models.Model):
    key = models.UUIDField("idempotency key", default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(ExotelAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="calls")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    api_version = models.CharField("call API", max_length=2, choices=ApiVersion.choices, default=ApiVersion.V3)
    sid = models.CharField("Exotel call sid", max_length=100, null=True, blank=True)
    customer_number = models.CharField(max_length=40, blank=True)
    exophone = models.CharField("ExoPhone", max_length=40, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.OUTBOUND)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    status = models.CharField(max_length=30, blank=True, help_text="Exotel's terminal status, in v3's words.")
    launch_outcome = models.CharField(max_length=10, choices=LaunchOutcome.choices, default=LaunchOutcome.PENDING)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    total_duration = models.PositiveIntegerField(null=True, blank=True, help_text="seconds")
    talk_time = models.PositiveIntegerField(null=True, blank=True, help_text="seconds")
    # Pre-signed and expiring: fetched server-side by the recording proxy, never sent to a browser.
    recording_url = models.TextField(blank=True)
    has_recording = models.BooleanField(default=False)
    custom_field = models.CharField(max_length=500, blank=True)
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
    def status_words(self) -> str:
        """What happened, in a supervisor's words."""
        if self.launch_outcome == LaunchOutcome.REFUSED:
            return "Not placed"
        if self.launch_outcome == LaunchOutcome.PENDING:
            return "Placing the call"
        if self.is_terminal:
            return STATUS_WORDS.get(self.status, self.status or "Ended")
        if self.launch_outcome == LaunchOutcome.UNKNOWN:
            return "Outcome unknown: waiting for Exotel"
        return "In conversation" if self.answered_at else "Ringing"

    @property
    def colour(self) -> str:
        """Call-centre colours: red on a call, amber ringing or unsure, green completed, grey the rest."""
        if self.launch_outcome in (LaunchOutcome.PENDING, LaunchOutcome.UNKNOWN) and not self.is_terminal:
            return "amber"
        if self.is_live:
            return "red" if self.answered_at else "amber"
        return "green" if self.status == "completed" else "grey"

    @property
    def audio_unavailable_reason(self) -> str:
        if self.has_recording:
            return ""
        if not self.is_terminal:
            return "The recording is ready when the call ends."
        if self.status != "completed":
            return "Nobody answered, so nothing was recorded."
        return "This call was not recorded."

    @property
    def recording_link_refusal(self) -> str:
        """Why the stored recording link will not be fetched ("" when it will): said beside the player."""
        return url_refusal(self.recording_url) if self.has_recording and self.recording_url else ""


class Side(models.TextChoices):
    AGENT = "agent", "Agent"
    CUSTOMER = "customer", "Customer"


class CallLeg(models.Model):
    """One leg from Exotel's legs API (seed 002): for outbound calls `from` is the agent side."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="legs")
    side = models.CharField(max_length=10, choices=Side.choices)
    sid = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    contact_uri = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

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
