"""Reads for contacts pages: searches, jobs, previews, progress and downloads (keyset pages, no N+1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contacts.csvfile import COLUMNS
from contacts.models import EDITABLE_FIELDS, BulkEdit, BulkEditProblem, BulkEditRow, Contact, ContactSync
from exoadmin.accounts.selectors import accounts_for_user
from exoadmin.spreadsheets import csv_lines

PAGE_SIZE = 50
PREVIEW_PAGE_SIZE = 20
BUDGET_ROWS_PER_MINUTE = 190 * 5000  # the bulk share of Exotel's limit, in rows: the fastest possible


def contacts_search(*, account, q: str = "", after_id: int | None = None) -> list[Contact]:
    """One page of the mirror, oldest first; the next page starts after the last id."""
    contacts = Contact.objects.filter(account=account)
    if q:
        contacts = contacts.filter(
            Q(sid=q)
            | Q(number__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
            | Q(company_name__icontains=q)
            | Q(tag__iexact=q)
        )
    if after_id:
        contacts = contacts.filter(id__gt=after_id)
    return list(contacts.order_by("id")[: PAGE_SIZE + 1])


def contacts_export_csv(*, account) -> Iterator[str]:
    """The account's local copy in the upload format (edit it, upload it back), read and written in
    chunks: memory stays flat whatever the size of the address book."""
    rows = Contact.objects.filter(account=account).order_by("id").values_list("sid", *EDITABLE_FIELDS)
    yield from csv_lines(list(COLUMNS), (csv_row(row) for row in rows.iterator(chunk_size=2000)))


def contacts_count(*, account) -> int:
    return Contact.objects.filter(account=account).count()


def latest_sync(*, account) -> ContactSync | None:
    return ContactSync.objects.filter(account=account).order_by("-started_at").first()


def bulk_edits_for_user(user, *, limit: int = 20) -> QuerySet[BulkEdit]:
    return (
        BulkEdit.objects.filter(account__in=accounts_for_user(user))
        .select_related("account", "created_by")
        .order_by("-created_at")[:limit]
    )


def bulk_edits_needing_attention(user, *, limit: int = 5) -> list[BulkEdit]:
    """Jobs in flight or waiting for someone's review, newest first: what a home page lists."""
    waiting = [BulkEdit.State.VALIDATING, BulkEdit.State.REVIEW, BulkEdit.State.QUEUED, BulkEdit.State.RUNNING]
    return list(
        BulkEdit.objects.filter(account__in=accounts_for_user(user), state__in=waiting)
        .select_related("account")
        .order_by("-created_at")[:limit]
    )


def bulk_edit_for_user(user, bulk_edit_id) -> BulkEdit:
    """404 for a job of an account the user is not a member of: its existence is not revealed."""
    return get_object_or_404(
        BulkEdit.objects.select_related("account", "retry_of"), id=bulk_edit_id, account__in=accounts_for_user(user)
    )


@dataclass
class FieldChange:
    name: str
    old: object
    new: object

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class PreviewRow:
    row: BulkEditRow
    changes: list[FieldChange]


def bulk_edit_preview(bulk_edit: BulkEdit, *, preview: str = "", after_line: int = 0) -> list[PreviewRow]:
    """A page of rows with old → new per field (old is None where the mirror does not know it)."""
    matching = bulk_edit.rows.filter(line__gt=after_line)
    if preview:
        matching = matching.filter(preview=preview)
    rows = list(matching.order_by("line")[: PREVIEW_PAGE_SIZE + 1])
    known = {c.sid: c for c in Contact.objects.filter(account=bulk_edit.account_id, sid__in=[r.sid for r in rows])}
    return [
        PreviewRow(
            row,
            [
                FieldChange(name, getattr(known[row.sid], name) if row.sid in known else None, value)
                for name, value in row.changes().items()
            ],
        )
        for row in rows
    ]


def bulk_edit_problems(bulk_edit: BulkEdit, *, limit: int = 100) -> list[BulkEditProblem]:
    return list(bulk_edit.problems.order_by("line", "id")[:limit])


def bulk_edit_failure_reasons(bulk_edit: BulkEdit) -> list[dict]:
    """Failed and unsent rows grouped by reason, largest group first."""
    return list(
        bulk_edit.rows.exclude(outcome__in=[BulkEditRow.Outcome.APPLIED, BulkEditRow.Outcome.PENDING])
        .values("outcome", "code", "exotel_code", "message")
        .annotate(n=Count("id"))
        .order_by("-n")
    )


@dataclass
class Progress:
    done: int
    total: int
    applied_percent: float
    failed_percent: float
    elapsed_seconds: int | None
    rows_per_minute: int | None
    eta_seconds: int | None


def bulk_edit_progress(bulk_edit: BulkEdit) -> Progress:
    elapsed: float | None = None
    rate = eta = None
    if bulk_edit.started_at:
        elapsed = max(((bulk_edit.finished_at or timezone.now()) - bulk_edit.started_at).total_seconds(), 1)
        rate = int(bulk_edit.done / elapsed * 60) if bulk_edit.done else None
        eta = int((bulk_edit.total - bulk_edit.done) / rate * 60) if rate else None
    total = bulk_edit.total or 1
    return Progress(
        bulk_edit.done,
        bulk_edit.total,
        round(100 * bulk_edit.applied / total, 1),
        round(100 * bulk_edit.failed / total, 1),
        int(elapsed) if elapsed is not None else None,
        rate,
        eta,
    )


def bulk_edit_failed_rows_csv(bulk_edit: BulkEdit) -> Iterator[str]:
    """Rows not applied, in the upload format plus an `error` column: fix them and upload the file again."""
    yield from csv_lines(
        [*COLUMNS, "error"],
        (
            [*csv_row([row.sid, *(getattr(row, name) for name in EDITABLE_FIELDS)]), _reason(row)]
            for row in bulk_edit.rows.exclude(outcome__in=[BulkEditRow.Outcome.APPLIED, BulkEditRow.Outcome.PENDING])
            .order_by("line")
            .iterator(chunk_size=2000)
        ),
    )


def bulk_edit_problems_csv(bulk_edit: BulkEdit) -> Iterator[str]:
    yield from csv_lines(
        ["row", "column", "value", "problem"],
        ([p.line, p.column, p.value, p.message] for p in bulk_edit.problems.order_by("line", "id").iterator()),
    )


def _reason(row: BulkEditRow) -> str:
    code = f" (Exotel code {row.exotel_code})" if row.exotel_code else ""
    return f"{row.message}{code}"


def csv_row(values) -> list[str]:
    """Cells in the upload format: empty for "not set", JSON for custom_field."""
    return ["" if value is None else json.dumps(value) if isinstance(value, dict) else value for value in values]
