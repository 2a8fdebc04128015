"""CSV files people open in spreadsheets: streamed in pieces, and no cell ever runs as a formula.

Names, custom fields and problem texts come from Exotel, callbacks and uploads; a cell starting
with "=", "@", "+" or "-" would run in Excel or Sheets ("CSV injection"), so it gets a leading
apostrophe, which spreadsheets hide. Phone numbers (+919876543210) and plain numbers stay as they
are. Files that come back as uploads drop the apostrophe again (`unguarded`); text that already
starts with one gets a second, so every value makes the round trip unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

PIECE_SIZE = 64 * 1024


def guarded(value):
    """The cell as written to a file: text a spreadsheet would run gets an apostrophe first."""
    if isinstance(value, str) and _needs_guard(value):
        return "'" + value
    return value


def unguarded(text: str) -> str:
    """A cell of an uploaded file, without the apostrophe `guarded` added."""
    return text[1:] if text[:1] == "'" and _needs_guard(text[1:]) else text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The file in pieces of about PIECE_SIZE characters, every cell guarded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([guarded(value) for value in row])
        if buffer.tell() > PIECE_SIZE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_download(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _needs_guard(text: str) -> bool:
    """Runs as a formula, or starts with the apostrophe a guard adds (so that it survives the trip back)."""
    if text[:1] in ("=", "@", "\t", "\r", "'"):
        return True
    return text[:1] in ("+", "-") and not text[1:].replace(" ", "").isdigit()
