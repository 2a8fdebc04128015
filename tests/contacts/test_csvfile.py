"""Checking an uploaded CSV before anything reaches Exotel: every problem named with its row and column."""

import pytest

from contacts.csvfile import FileRejected, read_edits
from tests.contacts.helpers import csv_bytes


def edits(data: bytes, part_size: int = 7):
    """Parsed rows, reading the file in small pieces as the worker reads its parts."""
    return list(read_edits(data[i : i + part_size] for i in range(0, len(data), part_size)))


def problems(data: bytes) -> list[tuple[int, str]]:
    return [(p.line, p.column) for edit in edits(data) for p in edit.problems]


def test_valid_rows_give_the_fields_to_set_and_empty_cells_leave_fields_alone():
    data = csv_bytes(
        ["sid", "first_name", "number", "custom_field"],
        [["a1", "Ravi", "+919845012345", '{"plan": "gold"}'], ["a2", "", "", ""], ["a3", "Meena", "", ""]],
    )

    rows = edits(data)

    assert [(r.line, r.sid, r.fields) for r in rows if not r.problems] == [
        (2, "a1", {"first_name": "Ravi", "number": "+919845012345", "custom_field": {"plan": "gold"}}),
        (4, "a3", {"first_name": "Meena"}),
    ]
    assert [(p.line, p.message) for p in rows[1].problems] == [
        (3, "Nothing to change: fill in at least one field besides sid.")
    ]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (["", "Ravi", "", ""], "sid", "The sid is missing"),
        (["a1", "", "98450 12345", ""], "number", "Not a valid E.164 number"),
        (["a1", "", "+91984501234", ""], "number", "Not a valid E.164 number"),
        (["a1", "", "", "not-an-email"], "email", "Enter a valid email address"),
    ],
)
def test_each_bad_cell_is_reported_with_its_row_and_column(cells, column, message):
    data = csv_bytes(["sid", "first_name", "number", "email"], [["ok", "Asha", "", ""], cells])

    [problem] = [p for edit in edits(data) for p in edit.problems]

    assert (problem.line, problem.column) == (3, column)
    assert problem.message.startswith(message)


@pytest.mark.parametrize("value", ['["a", "b"]', "plan=gold", '"text"', "{broken"])
def test_custom_field_must_be_a_json_object(value):
    data = csv_bytes(["sid", "custom_field"], [["a1", value]])

    assert problems(data) == [(2, "custom_field")]


def test_unknown_and_missing_columns_reject_the_file_naming_them():
    with pytest.raises(FileRejected) as rejected:
        edits(csv_bytes(["contact_id", "frist_name"], [["a1", "Ravi"]]))

    messages = [p.message for p in rejected.value.problems]
    assert any("Unknown column “frist_name”" in m for m in messages)
    assert any("no sid column" in m for m in messages)


def test_a_file_that_is_not_utf8_is_rejected_with_what_to_do():
    data = csv_bytes(["sid", "first_name"], [["a1", "Zoë"]], encoding="latin-1")

    with pytest.raises(FileRejected, match="not UTF-8 text.*CSV UTF-8"):
        edits(data)


def test_an_excel_workbook_is_rejected_as_not_a_csv():
    with pytest.raises(FileRejected, match="Excel workbook, not a CSV"):
        edits(b"PK\x03\x04" + b"\x00" * 200)


def test_a_binary_file_is_rejected_as_not_a_csv():
    with pytest.raises(FileRejected, match="not a CSV text file"):
        edits(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_a_byte_order_mark_and_header_case_are_accepted():
    rows = edits("\ufeffSID, First_Name\na1,Ravi\n".encode())

    assert [(r.sid, r.fields) for r in rows] == [("a1", {"first_name": "Ravi"})]


def test_the_error_column_of_a_failed_rows_download_is_ignored():
    rows = edits(csv_bytes(["sid", "tag", "error"], [["a1", "vip", "This contact is not in Exotel"]]))

    assert [(r.sid, r.fields, r.problems) for r in rows] == [("a1", {"tag": "vip"}, [])]


def test_a_row_with_more_cells_than_the_header_is_reported():
    assert problems(b"sid,tag\na1,vip,extra\n") == [(2, "")]
