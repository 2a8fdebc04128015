"""Agents and their devices, mirroring Exotel's two device models, and the audit of every change.

Exotel's answer is the truth: `available`/`enabled` hold what Exotel last said. `expected_*` holds
what the product last set; when a sync finds Exotel saying otherwise, that is drift, shown on the
board instead of being silently overwritten.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from exoadmin.accounts.models import ExotelAccount
from exoadmin.text import is_ascii_digits


class DeviceModel(models.TextChoices):
    CCM = "ccm", "CCM devices (one ON at a time)"
    INTEGRATIONS = "integrations", "Phone and SIP (at least one enabled)"


class Availability(models.TextChoices):
    """One word for the board: green available, red busy, grey off."""

    AVAILABLE = "available", "Available"
    BUSY = "busy", "On a call"
    OFF = "off", "Off"


class AgentState(models.TextChoices):
    """What an agent was doing at a moment, for time in state (one at a time, in this precedence):
    not found in Exotel, on a call, available on the phone, SIP or both, off."""

    NOT_FOUND = "not_found", "Not found in Exotel"
    ON_CALL = "on_call", "On a call"
    PHONE = "phone", "Available on phone"
    SIP = "sip", "Available on SIP"
    BOTH = "both", "Available on phone and SIP"
    OFF = "off", "Off"


# The agents `Agent.is_gone_from_exotel` is true for, as a query (board filter and counts).
GONE_FROM_EXOTEL = Q(device_model=DeviceModel.CCM, missing_in_exotel_since__isnull=False)

# How often Exotel is asked again about an agent an open board shows (agents.freshness): CCM users
# are read 50 to a request (by email), phone/SIP devices one request per agent, and so less often;
# a CCM agent without an email can only be asked for on its own, so it goes at that slower pace too.
CCM_REFRESH_SECONDS = 30
PHONE_SIP_REFRESH_SECONDS = 120


class Agent(models.Model):
    account = models.ForeignKey(ExotelAccount, on_delete=models.CASCADE, related_name="agents")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agent",
        help_text="The login of this agent, for the self-service availability page.",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    device_model = models.CharField(max_length=20, choices=DeviceModel.choices, default=DeviceModel.CCM)
    exotel_user_id = models.CharField("Exotel user id", max_length=100, blank=True)
    integrations_user_id = models.CharField("integrations user id", max_length=100, blank=True)
    # What Exotel said at the last sync or change.
    active_call_sid = models.CharField(max_length=100, blank=True)
    # The call the product placed for this agent that is live now (agents/on_call.py keeps it).
    live_call = models.ForeignKey(
        "calls.Call",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The call placed through exoadmin this agent is on now.",
    )
    last_login_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    # Since when the agent is in `state` (below), so the board needs no per-row query.
    state_since = models.DateTimeField(null=True, blank=True)
    last_change_at = models.DateTimeField(null=True, blank=True)
    last_change_by = models.CharField(max_length=200, blank=True)
    # Denormalised from the devices by agents.audit; the board filters and sorts on them.
    availability = models.CharField(
        max_length=20, choices=Availability.choices, default=Availability.OFF, db_index=True
    )
    has_drift = models.BooleanField(default=False, db_index=True)
    # The state time in state counts (agents.audit; `availability` follows from it) and who or what
    # put the agent in it, since `state_since`: the open interval, closed into StateIntervals when it changes.
    state = models.CharField(max_length=20, choices=AgentState.choices, default=AgentState.OFF)
    state_by = models.CharField(max_length=200, blank=True)
    # Set when a complete listing of Exotel's users no longer has this one and Exotel answers 404
    # for it (deleted in Exotel?), cleared when it is back. What follows: `is_gone_from_exotel`.
    missing_in_exotel_since = models.DateTimeField("not found in Exotel since", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "exotel_user_id"], condition=~Q(exotel_user_id=""), name="unique_exotel_user"
            ),
            models.UniqueConstraint(
                fields=["account", "integrations_user_id"],
                condition=~Q(integrations_user_id=""),
                name="unique_integrations_user",
            ),
        ]
        indexes = [models.Index(fields=["account", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_busy(self) -> bool:
        """On a call: Exotel's active call at the last read, or a call placed through exoadmin."""
        return bool(self.active_call_sid or self.live_call_id)

    @property
    def is_gone_from_exotel(self) -> bool:
        """Exotel no longer has this agent's CCM user: no call reaches them, nothing is sent for them.

        CCM agents only. A phone/SIP agent's devices live in Exotel's integrations app, which the
        sync reads on its own; its CCM user being gone says nothing about whether its phone or SIP
        rings, so it is shown and switched as Exotel's integrations app reports. GONE_FROM_EXOTEL
        is the same rule as a query.
        """
        return self.device_model == DeviceModel.CCM and self.missing_in_exotel_since is not None

    @property
    def uses_phone_sip(self) -> bool:
        return self.device_model == DeviceModel.INTEGRATIONS

    @property
    def confirmed_at(self) -> datetime | None:
        """When Exotel last answered about this agent: the last read of it (sync, freshness sweep,
        read-back) or the last change Exotel confirmed, whichever is later; never when a page was drawn."""
        return max((moment for moment in (self.synced_at, self.last_change_at) if moment), default=None)

    @property
    def refresh_seconds(self) -> int:
        """How often Exotel is asked about this agent again while an open board shows it."""
        return CCM_REFRESH_SECONDS if self.readable_by_email else PHONE_SIP_REFRESH_SECONDS

    @property
    def readable_by_email(self) -> bool:
        """A CCM agent Exotel's users listing can be asked for by its email, 50 to a request."""
        return self.device_model == DeviceModel.CCM and bool(self.email) and "," not in self.email

    @property
    def ringing_device(self) -> "Device | None":
        """The CCM device that is ON (at most one); reads the prefetched devices when there are."""
        return next((device for device in self.devices.all() if device.is_on), None)


class DeviceType(models.TextChoices):
    TEL = "tel", "Phone"
    SIP = "sip", "SIP"


class DeviceStatus(models.TextChoices):
    FREE = "free", "Free"
    BUSY = "busy", "On a call"


class Device(models.Model):
    """A CCM v2 device (seed 000): at most one of an agent's devices is ON."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="devices")
    exotel_id = models.CharField("Exotel device id", max_length=100)
    name = models.CharField(max_length=200, blank=True)
    contact_uri = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=DeviceType.choices)
    available = models.BooleanField(null=True, help_text="ON/OFF as Exotel last said; empty while unverified.")
    verified = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, blank=True, choices=DeviceStatus.choices, help_text="free or busy, as Exotel last said."
    )
    expected_available = models.BooleanField(null=True, help_text="What the product last set.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agent", "type", "name"]
        constraints = [models.UniqueConstraint(fields=["agent", "exotel_id"], name="unique_device_per_agent")]

    def __str__(self) -> str:
        return f"{self.label} ({'ON' if self.available else 'OFF'})"

    @property
    def label(self) -> str:
        return f"{self.get_type_display()} {self.contact_uri}"

    @property
    def kind_in_words(self) -> str:
        """What the agent calls it: "phone" or "SIP softphone"."""
        return "phone" if self.type == DeviceType.TEL else "SIP softphone"

    @property
    def is_on(self) -> bool:
        return bool(self.available)

    @property
    def is_busy(self) -> bool:
        return self.status == DeviceStatus.BUSY

    @property
    def has_drift(self) -> bool:
        return self.expected_available is not None and self.expected_available != bool(self.available)


class PhoneSip(models.Model):
    """An agent's integrations devices (seed 001): phone and SIP, at least one enabled."""

    agent = models.OneToOneField(Agent, on_delete=models.CASCADE, related_name="phone_sip")
    phone_enabled = models.BooleanField(default=False)
    phone_number = models.CharField(max_length=30, blank=True)
    sip_enabled = models.BooleanField(default=False)
    sip_username = models.CharField(max_length=200, blank=True)
    sip_registered = models.BooleanField(null=True)
    sip_last_seen = models.DateTimeField(null=True, blank=True)
    expected_phone_enabled = models.BooleanField(null=True)
    expected_sip_enabled = models.BooleanField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "phone and SIP devices"
        verbose_name_plural = "phone and SIP devices"

    def __str__(self) -> str:
        return f"{self.agent}: phone {'on' if self.phone_enabled else 'off'}, SIP {'on' if self.sip_enabled else 'off'}"

    @property
    def phone_label(self) -> str:
        return f"Phone {self.phone_number}".strip()

    @property
    def sip_label(self) -> str:
        return f"SIP {self.sip_username}".strip()

    @property
    def phone_has_drift(self) -> bool:
        return self.expected_phone_enabled is not None and self.expected_phone_enabled != self.phone_enabled

    @property
    def sip_has_drift(self) -> bool:
        return self.expected_sip_enabled is not None and self.expected_sip_enabled != self.sip_enabled

    @property
    def has_drift(self) -> bool:
        return self.phone_has_drift or self.sip_has_drift


class Source(models.TextChoices):
    AGENT = "agent", "Agent (self)"
    SUPERVISOR = "supervisor", "Supervisor"
    RULE = "rule", "Automatic rule"
    SYNC = "sync", "Sync from Exotel"


class Outcome(models.TextChoices):
    APPLIED = "applied", "Applied"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"
    ROLLED_BACK = "rolled_back", "Rolled back"
    DRIFT = "drift", "Drift found"


class AvailabilityEvent(models.Model):
    """One row per attempted or observed change of a device: who, when, what, and how it ended."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    device = models.CharField(max_length=200, help_text="e.g. 'Phone +9199…' or 'SIP'.")
    before = models.CharField(max_length=20, blank=True)
    after = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    request_id = models.CharField("Exotel request_id", max_length=100, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agent", "-at"])]

    def __str__(self) -> str:
        return f"{self.agent} {self.device}: {self.before} → {self.after} ({self.outcome})"


class StateInterval(models.Model):
    """A closed stretch of one state of an agent, within one day of its account (an interval that
    crosses midnight is stored as one row per day), so a report sums `seconds` by day in SQL. The
    open interval is the agent's own `state`/`state_since`/`state_by`."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="state_intervals")
    state = models.CharField(max_length=20, choices=AgentState.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    day = models.DateField(help_text="The account's local day the interval lies in.")
    seconds = models.PositiveIntegerField()
    changed_by = models.CharField(max_length=200, blank=True, help_text="Who or what started this state.")

    class Meta:
        ordering = ["agent", "started_at"]
        indexes = [models.Index(fields=["agent", "day"])]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.state} {self.started_at:%Y-%m-%d %H:%M} ({self.seconds} s)"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class AutoOffRule(models.Model):
    """Every chosen weekday at `at_time` (the account's local time), turn these agents' devices OFF:
    the agents it names and the agents its teams hold at that moment.

    Beat runs `agents.tasks.auto_off_rules_run_due` every minute; a rule fires once a day, within
    GRACE_MINUTES after its time (so a beat restart does not skip it, and a rule created in the
    evening does not fire for a time already long past).
    """

    GRACE_MINUTES = 30

    account = models.ForeignKey(ExotelAccount, on_delete=models.CASCADE, related_name="auto_off_rules")
    name = models.CharField(max_length=100, help_text="e.g. 'Day shift ends'.")
    at_time = models.TimeField("at", help_text="Local time, e.g. 19:00.")
    weekdays = models.CharField(
        max_length=20, default="0,1,2,3,4,5,6", help_text="Days it runs: 0 = Monday … 6 = Sunday, comma-separated."
    )
    agents = models.ManyToManyField(Agent, blank=True, related_name="auto_off_rules")
    teams = models.ManyToManyField(
        "teams.Team",
        blank=True,
        related_name="auto_off_rules",
        help_text="Every agent in these teams when the rule runs is turned OFF too.",
    )
    enabled = models.BooleanField(default=True)
    last_run_on = models.DateField(null=True, blank=True, help_text="The day it last fired (claimed atomically).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "at_time", "name"]
        verbose_name = "automatic end-of-shift rule"

    def __str__(self) -> str:
        return f"{self.name} ({self.at_time:%H:%M})"

    DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

    @property
    def weekday_numbers(self) -> set[int]:
        return {int(day) for day in self.weekdays.split(",") if is_ascii_digits(day.strip())}

    def is_due(self, now) -> bool:
        """On, a day it runs, its time passed less than GRACE_MINUTES ago, and not run today yet."""
        started = datetime.combine(now.date(), self.at_time, tzinfo=now.tzinfo)
        return (
            self.enabled
            and self.last_run_on != now.date()
            and now.weekday() in self.weekday_numbers
            and timedelta(0) <= now - started <= timedelta(minutes=self.GRACE_MINUTES)
        )

    @property
    def days_in_words(self) -> str:
        days = sorted(self.weekday_numbers & set(range(7)))
        named = {(0, 1, 2, 3, 4, 5, 6): "Every day", (0, 1, 2, 3, 4): "Mon–Fri", (5, 6): "Sat and Sun"}
        return named.get(tuple(days)) or ", ".join(self.DAY_NAMES[day] for day in days) or "No day"


class EndOfShiftJob(models.Model):
    """Turning every device of many agents OFF, in a Celery task; progress lives here."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SUPERVISOR)
    rule = models.ForeignKey(AutoOffRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "end-of-shift job"

    def __str__(self) -> str:
        return f"End of shift #{self.pk}: {self.done + self.failed}/{self.total}"

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed) / self.total) if self.total else 100

    @property
    def is_finished(self) -> bool:
        return self.status == JobStatus.DONE


class ItemStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "All devices OFF"
    FAILED = "failed", "Failed"


class EndOfShiftItem(models.Model):
    """One agent of a job; a redelivered task only works on the pending ones (nothing twice)."""

    job = models.ForeignKey(EndOfShiftJob, on_delete=models.CASCADE, related_name="items")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "id"]
        constraints = [models.UniqueConstraint(fields=["job", "agent"], name="unique_agent_per_job")]

    def __str__(self) -> str:
        return f"{self.agent}: {self.get_status_display()}"
