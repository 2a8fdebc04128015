"""CSV exports open in spreadsheets: text that would run as a formula never does, numbers stay numbers."""

import csv
import io

import pytest

from exoadmin.spreadsheets import csv_lines, guarded, unguarded


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x","y")',
        "@SUM(A1)",
        "+cmd|' /C calc'!A0",
        "-2+3",
        "\t=1",
        "\r=1",
        "'=already guarded by someone",
        "'quoted",
    ],
)
def test_text_that_would_run_as_a_formula_gets_an_apostrophe_and_comes_back_unchanged(text):
    assert guarded(text) == "'" + text
    assert unguarded(guarded(text)) == text


@pytest.mark.parametrize("value", ["+919876543210", "+91 98450 12345", "-12", "Asha Rao", "", 42, None])
def test_phone_numbers_plain_text_and_non_text_are_written_as_they_are(value):
    assert guarded(value) == value
    if isinstance(value, str):
        assert unguarded(value) == value


def test_an_apostrophe_typed_in_an_upload_before_plain_text_is_kept():
    assert unguarded("'hello") == "'hello"


def test_a_file_comes_in_pieces_with_every_cell_guarded():
    rows = [["=1+1", "+919876543210"]] * 5000

    pieces = list(csv_lines(["name", "number"], rows))

    assert len(pieces) > 1
    parsed = list(csv.reader(io.StringIO("".join(pieces))))
    assert parsed[0] == ["name", "number"] and parsed[1:] == [["'=1+1", "+919876543210"]] * 5000
