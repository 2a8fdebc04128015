"""Reading and checking a bulk-edit CSV, one row at a time, before anything is sent to Exotel.

Rules (shown on the upload page too): the header names `sid` and any of the editable fields;
an empty cell leaves that field as it is; row numbers are the spreadsheet's (the header is row 1).
The `error` column of a failed-rows download is ignored, so that file can be fixed and uploaded.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from contacts.models import EDITABLE_FIELDS, TEXT_MAX_LENGTH
from exoadmin.spreadsheets import unguarded

COLUMNS = ("sid", *EDITABLE_FIELDS)
IGNORED_COLUMNS = ("error",)
SID_MAX_LENGTH = 64
_EXCEL_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
SAVE_AS_CSV = "save it as “CSV UTF-8” (in Excel: File → Save As → CSV UTF-8) and upload it again"


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    value: str
    message: str


@dataclass
class RowEdit:
    """A checked row: the contact's sid and the fields to set; `problems` empty when it may be sent."""

    line: int
    sid: str
    fields: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class FileRejected(Exception):
    """The file as a whole cannot be read (encoding, not a CSV, bad header)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


def read_edits(parts: Iterable[bytes]) -> Iterator[RowEdit]:
    """Checked rows of a CSV given as byte pieces; raises FileRejected when the file is unusable."""
    stream = io.TextIOWrapper(io.BufferedReader(_PartsStream(iter(parts))), encoding="utf-8-sig", newline="")
    reader = csv.reader(stream)
    line = 1
    try:
        header = _header(next(reader, None))
        for line, cells in enumerate(reader, start=2):
            if any(cell.strip() for cell in cells):
                yield _row_edit(line, header, cells)
    except UnicodeDecodeError:
        raise FileRejected([Problem(line + 1, "", "", f"Row {line + 1} is not UTF-8 text: {SAVE_AS_CSV}.")]) from None
    except csv.Error as exc:
        problem = f"Row {line + 1} cannot be read as CSV ({exc}): {SAVE_AS_CSV}."
        raise FileRejected([Problem(line + 1, "", "", problem)]) from None


def check_fields(line: int, sid: str, cells: dict[str, str]) -> RowEdit:
    """One row's checks; `cells` maps column names to raw text (empty = leave as is)."""
    edit = RowEdit(line, sid.strip())
    if not edit.sid:
        edit.problems.append(Problem(line, "sid", "", "The sid is missing: every row needs the contact's sid."))
    elif len(edit.sid) > SID_MAX_LENGTH or any(ch.isspace() for ch in edit.sid):
        edit.problems.append(Problem(line, "sid", edit.sid[:200], "This is not a contact sid."))
    for name, raw in cells.items():
        text = unguarded(raw.strip())  # our own exports guard formula-like text with an apostrophe
        if not text:
            continue
        try:
            edit.fields[name] = _checked(name, text)
        except ValidationError as exc:
            edit.problems.append(Problem(line, name, text[:200], exc.messages[0]))
    if not edit.fields and not edit.problems:
        edit.problems.append(Problem(line, "", "", "Nothing to change: fill in at least one field besides sid."))
    return edit


def _checked(name: str, text: str):
    if name == "custom_field":
        return _json_object(text)
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(f"Longer than {TEXT_MAX_LENGTH} characters.")
    if name == "number":
        _e164(text)
    elif name == "email":
        validate_email(text)
    return text


def _e164(text: str) -> None:
    try:
        number = phonenumbers.parse(text, None)
        valid = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid or phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != text:
        raise ValidationError("Not a valid E.164 number: write + and the country code, no spaces, e.g. +919845012345.")


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValidationError('custom_field must be a JSON object, e.g. {"plan": "gold"}.')
    return value


def _header(cells: list[str] | None) -> list[str]:
    if not cells:
        raise FileRejected(
            [Problem(1, "", "", "The file is empty: the first row must name the columns, e.g. sid,first_name.")]
        )
    names = [cell.strip().lower() for cell in cells]
    problems = [
        Problem(1, name, name, f"Unknown column “{name}”: the columns are {', '.join(COLUMNS)}.")
        for name in names
        if name not in COLUMNS and name not in IGNORED_COLUMNS
    ]
    problems += [
        Problem(1, name, name, f"The column “{name}” appears twice.")
        for index, name in enumerate(names)
        if name and name in names[:index]
    ]
    if "sid" not in names:
        problems.append(
            Problem(1, "sid", "", "There is no sid column: the first row must name the columns, including sid.")
        )
    if problems:
        raise FileRejected(problems)
    return names


def _row_edit(line: int, header: list[str], cells: list[str]) -> RowEdit:
    named = dict(zip(header, cells, strict=False))  # a short row leaves the rest empty
    edit = check_fields(
        line, named.get("sid", ""), {name: named.get(name, "") for name in EDITABLE_FIELDS if name in named}
    )
    if len(cells) > len(header):
        edit.problems.append(
            Problem(
                line,
                "",
                "",
                f"This row has {len(cells)} cells but the header has {len(header)} columns: check for stray commas.",
            )
        )
    return edit


class _PartsStream(io.RawIOBase):
    """A readable stream over byte pieces that refuses spreadsheets and other binaries."""

    def __init__(self, parts: Iterator[bytes]):
        self._parts = parts
        self._buffer = memoryview(b"")
        self._first = True

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            piece = self._start() if self._first else next(self._parts, None)
            if piece is None:
                return 0
            _refuse_binary(piece, first=self._first)
            self._first = False
            self._buffer = memoryview(bytes(piece))
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size

    def _start(self) -> bytes | None:
        """The first 4 KiB at least, enough to recognise a binary before decoding anything."""
        start = b""
        while len(start) < 4096 and (piece := next(self._parts, None)) is not None:
            start += piece
        return start or None


def _refuse_binary(piece: bytes, *, first: bool) -> None:
    if first and piece.startswith(_EXCEL_SIGNATURES):
        raise FileRejected([Problem(1, "", "", f"This is an Excel workbook, not a CSV file: {SAVE_AS_CSV}.")])
    if b"\x00" in piece:  # never in CSV text, always in binaries
        raise FileRejected([Problem(1, "", "", f"This is not a CSV text file: {SAVE_AS_CSV}.")])
