"""Contacts mirrored from Exotel, and bulk edits: a job, its rows, its chunks and its problems.

A bulk edit keeps everything in the database (not in Celery's results), so that a job survives
a worker killed mid-chunk or a Redis restart: rows carry their own outcome, chunks carry the
claim that says who is sending them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from exoadmin.accounts.models import ExotelAccount

# The contact fields a bulk edit may set (seed 003), in the order CSV files and pages show them.
EDITABLE_FIELDS = ("number", "first_name", "last_name", "company_name", "email", "tag", "custom_field")
TEXT_FIELDS = EDITABLE_FIELDS[:-1]
TEXT_MAX_LENGTH = 255


class Contact(models.Model):
    """Our copy of one Exotel contact, so that supervisors can search and preview edits."""

    account = models.ForeignKey(ExotelAccount, on_delete=models.CASCADE, related_name="contacts")
    sid = models.CharField("contact SID", max_length=64)
    number = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True)
    first_name = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True)
    last_name = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True)
    company_name = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True)
    email = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True)
    tag = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True)
    custom_field = models.JSONField(null=True, blank=True)
    synced_at = models.DateTimeField(help_text="When Exotel last confirmed these values to us.")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["account", "sid"], name="unique_contact_per_account")]

    def __str__(self) -> str:
        return self.full_name or self.number or self.sid

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ContactSync(models.Model):
    """Pulling an account's contacts into the mirror, 20 per request (Exotel's page limit).

    One million contacts take 50,000 requests, about 4.4 hours at the bulk share of the rate
    budget, so the sync checkpoints `next_offset` after every page and resumes from there.
    """

    class State(models.TextChoices):
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    account = models.ForeignKey(ExotelAccount, on_delete=models.CASCADE, related_name="contact_syncs")
    state = models.CharField(max_length=20, choices=State.choices, default=State.RUNNING)
    next_offset = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Exotel's count, from the last page.")
    fetched = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"sync of {self.account} ({self.state})"


class BulkEdit(models.Model):
    class State(models.TextChoices):
        VALIDATING = "validating", "checking the file"
        REJECTED = "rejected", "file rejected"
        REVIEW = "review", "ready to review"
        DISCARDED = "discarded", "discarded"
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        DONE_WITH_ERRORS = "done_with_errors", "done with errors"
        CANCELLED = "cancelled", "cancelled"
        FAILED = "failed", "failed"

    class Source(models.TextChoices):
        CSV = "csv", "CSV upload"
        FORM = "form", "selected contacts"
        RETRY = "retry", "retry of failed rows"

    FINAL_STATES = (State.REJECTED, State.DISCARDED, State.DONE, State.DONE_WITH_ERRORS, State.CANCELLED, State.FAILED)
    SENDING_STATES = (State.QUEUED, State.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(ExotelAccount, on_delete=models.CASCADE, related_name="bulk_edits")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="bulk_edits"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    filename = models.CharField(max_length=255, blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    state = models.CharField(max_length=20, choices=State.choices, default=State.VALIDATING)
    error = models.TextField(blank=True, help_text="Why the file was rejected or the job failed.")

    lines_read = models.PositiveIntegerField(default=0)
    rows_with_problems = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0, help_text="Valid rows, the ones that will be sent.")
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    not_sent = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of its worker.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="bulkedit_state_heartbeat")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.filename} ({self.get_state_display()})".replace("  ", " ")

    def get_absolute_url(self) -> str:
        return reverse("contacts:bulk_detail", args=[self.id])

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES

    @property
    def done(self) -> int:
        return self.applied + self.failed

    @property
    def pill(self) -> str:
        """Status colour of the state, as everywhere in the product."""
        colours: dict[str, str] = {
            self.State.DONE: "green",
            self.State.RUNNING: "amber",
            self.State.QUEUED: "amber",
            self.State.VALIDATING: "amber",
            self.State.REVIEW: "amber",
            self.State.DONE_WITH_ERRORS: "red",
            self.State.FAILED: "red",
            self.State.REJECTED: "red",
        }
        return colours.get(self.state, "grey")


class BulkEditChunk(models.Model):
    """Up to 5,000 rows sent in one request; the unit of claiming, sending and checkpointing."""

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        RECORDED = "recorded", "recorded"
        SKIPPED = "skipped", "not sent"

    bulk_edit = models.ForeignKey(BulkEdit, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True, help_text="Back-off after a failed attempt.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["bulk_edit", "index"], name="unique_chunk_index")]
        indexes = [models.Index(fields=["bulk_edit", "state"], name="bulkedit_chunk_state")]

    def __str__(self) -> str:
        return f"chunk {self.index} ({self.state})"


class BulkEditRow(models.Model):
    """One contact to change: the fields to set (NULL = leave as is) and, later, Exotel's answer."""

    class Preview(models.TextChoices):
        CHANGED = "changed", "changed"
        UNCHANGED = "unchanged", "unchanged"
        UNKNOWN = "unknown", "not in the local copy"

    class Outcome(models.TextChoices):
        PENDING = "pending", "pending"
        APPLIED = "applied", "applied"
        FAILED = "failed", "failed"
        NOT_SENT = "not_sent", "not sent"

    bulk_edit = models.ForeignKey(BulkEdit, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(help_text="Row number in the uploaded file (the header is row 1).")
    chunk_index = models.PositiveIntegerField()
    sid = models.CharField("contact SID", max_length=64)
    number = models.CharField(max_length=TEXT_MAX_LENGTH, null=True, blank=True)
    first_name = models.CharField(max_length=TEXT_MAX_LENGTH, null=True, blank=True)
    last_name = models.CharField(max_length=TEXT_MAX_LENGTH, null=True, blank=True)
    company_name = models.CharField(max_length=TEXT_MAX_LENGTH, null=True, blank=True)
    email = models.CharField(max_length=TEXT_MAX_LENGTH, null=True, blank=True)
    tag = models.CharField(max_length=TEXT_MAX_LENGTH, null=True, blank=True)
    custom_field = models.JSONField(null=True, blank=True)
    preview = models.CharField(max_length=10, choices=Preview.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The row's HTTP-like code.")
    exotel_code = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["line"]
        indexes = [
            # Recording a chunk and updating the mirror look rows up by (chunk, outcome, sid).
            models.Index(fields=["bulk_edit", "chunk_index", "outcome", "sid"], name="bulkedit_row_chunk"),
            models.Index(fields=["bulk_edit", "sid"], name="bulkedit_row_sid"),
            models.Index(fields=["bulk_edit", "outcome", "line"], name="bulkedit_row_outcome"),
            models.Index(fields=["bulk_edit", "preview", "line"], name="bulkedit_row_preview"),
        ]

    def __str__(self) -> str:
        return f"row {self.line} {self.sid} ({self.outcome})"

    def changes(self) -> dict:
        """The fields this row sets, as Exotel's bulk PUT takes them."""
        return {name: getattr(self, name) for name in EDITABLE_FIELDS if getattr(self, name) is not None}


class BulkEditProblem(models.Model):
    """Why a row (or the whole file) cannot be sent: found before anything reaches Exotel."""

    bulk_edit = models.ForeignKey(BulkEdit, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField(help_text="Row number in the file; 1 is the header.")
    column = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=200, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["line", "id"]

    def __str__(self) -> str:
        return f"row {self.line} {self.column}: {self.message}"


class BulkEditUploadPart(models.Model):
    """The uploaded file, kept in the database in pieces until it is checked.

    Web and worker processes share nothing but the database and Redis, so the file cannot live
    on the web server's disk; pieces keep memory flat when a worker reads a large file.
    """

    bulk_edit = models.ForeignKey(BulkEdit, on_delete=models.CASCADE, related_name="upload_parts")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["bulk_edit", "index"], name="unique_upload_part")]

    def __str__(self) -> str:
        return f"{self.bulk_edit} part {self.index}"
