"""The people CSV: its columns, reading an upload into rows, and the checks one row needs on its own.

Columns: login,name,email,role,exotel_account,device_model,ccm_user_id,integrations_user_id,teams
(teams separated by ";"). Row numbers are the spreadsheet's (the header is row 1). The `error`
column of a failures download is ignored, so that file can be fixed and uploaded again. Checks that
need the database or Exotel are in teams/people/checks.py.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from exoadmin.spreadsheets import unguarded

COLUMNS = (
    "login",
    "name",
    "email",
    "role",
    "exotel_account",
    "device_model",
    "ccm_user_id",
    "integrations_user_id",
    "teams",
)
IGNORED_COLUMNS = ("error",)
ROLES = ("agent", "supervisor")
DEVICE_MODELS = ("ccm", "integrations")
ID_COLUMN = {"ccm": "ccm_user_id", "integrations": "integrations_user_id"}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000  # checked and applied within the request: about 10 s to check, 20 s to apply 2,000
_BINARY_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
SAVE_AS_CSV = "save it as “CSV UTF-8” (in Excel: File → Save As → CSV UTF-8) and upload it again"


@dataclass
class PersonRow:
    """One row as read, with the problems found so far, each (column, message)."""

    line: int
    cells: dict[str, str]
    problems: list[tuple[str, str]] = field(default_factory=list)

    def refuse(self, column: str, message: str) -> None:
        self.problems.append((column, message))

    @property
    def teams(self) -> list[str]:
        return sorted({name.strip() for name in self.cells["teams"].split(";") if name.strip()})


class FileRejected(Exception):
    """The file as a whole cannot be read: nothing in it is looked at further."""


def read_rows(data: bytes) -> list[PersonRow]:
    """Every non-empty row of the file, each checked on its own and against the rows above it."""
    if len(data) > MAX_BYTES:
        raise FileRejected(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB: split it into smaller files.")
    if data.startswith(_BINARY_STARTS):
        raise FileRejected(f"This is an Excel workbook, not a CSV file: {SAVE_AS_CSV}.")
    if b"\x00" in data:
        raise FileRejected(f"This is not a CSV text file: {SAVE_AS_CSV}.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected(f"The file is not UTF-8 text: {SAVE_AS_CSV}.") from None
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FileRejected(f"The file cannot be read as CSV ({exc}): {SAVE_AS_CSV}.") from None
    header = _header(lines[0] if lines else [])
    rows = [
        _row(line, header, cells)
        for line, cells in enumerate(lines[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    if len(rows) > MAX_ROWS:
        raise FileRejected(f"The file has {len(rows)} people; at most {MAX_ROWS} at a time: split it.")
    _refuse_duplicate_logins(rows)
    return rows


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    if not any(names):
        raise FileRejected(f"The file is empty: the first row must name the columns: {','.join(COLUMNS)}.")
    unknown = [name for name in names if name not in COLUMNS and name not in IGNORED_COLUMNS]
    missing = [name for name in COLUMNS if name not in names]
    twice = sorted({name for index, name in enumerate(names) if name in names[:index]})
    problems = [f"unknown column “{name}”" for name in unknown]
    problems += [f"no “{name}” column" for name in missing]
    problems += [f"the column “{name}” appears twice" for name in twice]
    if problems:
        raise FileRejected(f"The first row must name the columns {','.join(COLUMNS)}: {'; '.join(problems)}.")
    return names


def _row(line: int, header: list[str], cells: list[str]) -> PersonRow:
    named = dict(zip(header, cells, strict=False))  # a short row leaves the rest empty
    row = PersonRow(line, {name: unguarded(named.get(name, "").strip()) for name in COLUMNS})
    if len(cells) > len(header):
        row.refuse("", f"This row has {len(cells)} cells but the header has {len(header)} columns: check for commas.")
    _check_cells(row)
    return row


def _check_cells(row: PersonRow) -> None:
    cells = row.cells
    cells["role"] = cells["role"].lower()
    cells["device_model"] = cells["device_model"].lower()
    if not cells["login"]:
        row.refuse("login", "The login is missing: every row needs the username the person logs in with.")
    else:
        try:
            UnicodeUsernameValidator()(cells["login"])
            if len(cells["login"]) > 150:
                raise ValidationError("A login is at most 150 characters.")
        except ValidationError as exc:
            row.refuse("login", f"“{cells['login'][:60]}” is not a valid login: {exc.messages[0]}")
    if not cells["name"]:
        row.refuse("name", "The name is missing.")
    elif len(cells["name"]) > 150:
        row.refuse("name", "A name is at most 150 characters.")
    if cells["email"]:
        try:
            validate_email(cells["email"])
        except ValidationError:
            row.refuse("email", f"“{cells['email'][:100]}” is not an email address.")
    if cells["role"] not in ROLES:
        row.refuse("role", f"The role must be agent or supervisor, not “{cells['role'][:40]}”.")
    if not cells["exotel_account"]:
        row.refuse("exotel_account", "The Exotel account is missing: write its name as in exoadmin.")
    if cells["role"] == "agent":
        _check_device(row)
    elif cells["role"] == "supervisor" and any(cells[name] for name in ("device_model", *ID_COLUMN.values())):
        row.refuse("device_model", "Supervisors take no calls here: leave device_model and the user ids empty.")


def _check_device(row: PersonRow) -> None:
    cells = row.cells
    model = cells["device_model"]
    if model not in DEVICE_MODELS:
        row.refuse("device_model", f"The device model must be ccm or integrations, not “{model[:40]}”.")
        return
    if not cells[ID_COLUMN[model]]:
        row.refuse(ID_COLUMN[model], f"An agent on {model} devices needs their {ID_COLUMN[model]} from Exotel.")
    for column in ID_COLUMN.values():
        if len(cells[column]) > 100 or any(ch.isspace() or ch == "/" for ch in cells[column]):
            row.refuse(column, f"“{cells[column][:60]}” is not an Exotel user id.")


def _refuse_duplicate_logins(rows: list[PersonRow]) -> None:
    """A login once per file; a supervisor may appear once per account they work in."""
    seen: dict[str, list[PersonRow]] = {}
    for row in rows:
        login = row.cells["login"].lower()
        if not login:
            continue
        for earlier in seen.get(login, []):
            agent_involved = "agent" in (row.cells["role"], earlier.cells["role"])
            if agent_involved or earlier.cells["exotel_account"] == row.cells["exotel_account"]:
                row.refuse("login", f"The login “{row.cells['login']}” is already on row {earlier.line}.")
                break
        seen.setdefault(login, []).append(row)
