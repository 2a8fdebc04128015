"""Contacts v2 (seed 003): bulk create/update with 200/207 per-row outcomes, paging, one contact."""

import math
from collections import Counter

import pytest

from exoadmin.sandbox import seeding
from exoadmin.sandbox.rules import contacts
from exoadmin.sandbox.store import Store

from .helpers import exotel_error

NOT_FOUND = {
    "code": 404,
    "status": "failure",
    "data": None,
    "error_data": {"code": 1000, "message": "Not Found", "description": "Contact not found"},
}


@pytest.fixture
def contact_sids(sandbox, sandbox_account):
    created = sandbox.control(
        "POST",
        "/_sandbox/contacts",
        {
            "account_sid": sandbox_account.sid,
            "contacts": [
                {"number": "+919800000001", "first_name": "Old"},
                {"number": "+919800000002", "first_name": "Older"},
            ],
        },
    )
    return created["sids"]


def test_bulk_update_answers_207_with_one_outcome_per_contact_in_order(exotel, contact_sids, sandbox_account):
    response = exotel.v2(
        "PUT",
        "/contacts",
        json={
            "contacts": [
                {"sid": contact_sids[0], "first_name": "XYZ", "custom_field": {"key": {"a": "b", "c": [1, 2, 3]}}},
                {"sid": "93ba26b7f11c4e75b4043c8b33ceba59", "first_name": "ABC"},
                {"sid": "73ba26b7f11c4e75b4043c8b33ceba69", "first_name": "LMN"},
            ]
        },
    )
    body = response.json()
    assert (response.status_code, body["http_code"], body["method"]) == (207, 207, "PUT")
    assert body["metadata"] == {"total": 3, "success": 1, "failed": 2}
    first = body["response"][0]
    assert (first["code"], first["status"], first["error_data"]) == (200, "success", None)
    assert first["data"] | {"date_created": None, "date_updated": None} == {
        "sid": contact_sids[0],
        "date_created": None,
        "date_updated": None,
        "account_sid": sandbox_account.sid,
        "number": "+919800000001",
        "first_name": "XYZ",
        "last_name": None,
        "company_name": None,
        "email": None,
        "tag": None,
        "custom_field": {"key": {"a": "b", "c": [1, 2, 3]}},
        "uri": f"/v2/accounts/{sandbox_account.sid}/contacts/{contact_sids[0]}",
    }
    assert body["response"][1:] == [NOT_FOUND, NOT_FOUND]


def test_bulk_update_where_every_contact_succeeds_is_200(exotel, contact_sids, sandbox):
    response = exotel.v2("PUT", "/contacts", json={"contacts": [{"sid": sid, "tag": "vip"} for sid in contact_sids]})
    assert response.status_code == 200
    assert response.json()["metadata"] == {"total": 2, "success": 2, "failed": 0}
    assert [sandbox.control("GET", f"/_sandbox/contacts/{sid}")["tag"] for sid in contact_sids] == ["vip", "vip"]


@pytest.mark.parametrize(
    "bad",
    [{"number": "9800000001"}, {"number": "+0123"}, {"custom_field": "text"}, {"custom_field": [1]}, {"email": 5}],
)
def test_an_invalid_field_fails_only_its_own_row_with_400_1002(exotel, contact_sids, sandbox, bad):
    response = exotel.v2(
        "PUT",
        "/contacts",
        json={"contacts": [{"sid": contact_sids[0], "first_name": "Fine"}, {"sid": contact_sids[1], **bad}]},
    )
    body = response.json()
    assert response.status_code == 207
    assert [(row["code"], row["error_data"] and row["error_data"]["code"]) for row in body["response"]] == [
        (200, None),
        (400, 1002),
    ]
    assert sandbox.control("GET", f"/_sandbox/contacts/{contact_sids[1]}")["first_name"] == "Older"


def test_a_row_without_sid_fails_with_400_1001(exotel, contact_sids):
    body = exotel.v2("PUT", "/contacts", json={"contacts": [{"first_name": "Nobody"}]}).json()
    assert body["http_code"] == 207 and body["response"][0]["error_data"]["code"] == 1001


def test_more_than_5000_contacts_is_400_1002(exotel, contact_sids):
    response = exotel.v2("PUT", "/contacts", json={"contacts": [{"sid": contact_sids[0]}] * 5001})
    assert exotel_error(response) == (400, 1002)


@pytest.mark.parametrize("body", [{"contacts": {"sid": "x"}}, [{"sid": "x"}], {"contact": []}])
def test_a_body_without_a_contacts_list_is_400_1007(exotel, body):
    assert exotel_error(exotel.v2("PUT", "/contacts", json=body)) == (400, 1007)


def test_creating_contacts_answers_their_sids_and_fails_bad_rows(exotel, sandbox):
    response = exotel.v2(
        "POST",
        "/contacts",
        json={
            "contacts": [
                {"number": "+919811111111", "first_name": "Ravi", "custom": {"plan": "gold"}},
                {"first_name": "No number"},
                {"number": "98111"},
            ]
        },
    )
    body = response.json()
    assert response.status_code == 207 and body["metadata"] == {"total": 3, "success": 1, "failed": 2}
    created = body["response"][0]["data"]
    assert sandbox.control("GET", f"/_sandbox/contacts/{created['sid']}")["custom_field"] == {"plan": "gold"}
    assert [row["error_data"]["code"] for row in body["response"][1:]] == [1001, 1002]


def test_contacts_list_pages_at_most_20(sandbox, exotel, sandbox_account):
    sandbox.control("POST", "/_sandbox/contacts", {"account_sid": sandbox_account.sid, "count": 25})
    first = exotel.v2("GET", "/contacts").json()
    last = exotel.v2("GET", "/contacts", params={"offset": 20, "limit": 20}).json()
    assert first["metadata"] == {"total": 25, "count": 20, "offset": 0, "limit": 20}
    assert last["metadata"] == {"total": 25, "count": 5, "offset": 20, "limit": 20}
    sids = [row["data"]["sid"] for row in first["response"] + last["response"]]
    assert len(set(sids)) == 25
    assert exotel_error(exotel.v2("GET", "/contacts", params={"limit": 21})) == (400, 1002)


def test_one_contact_can_be_read_updated_and_deleted(exotel, contact_sids):
    sid = contact_sids[0]
    assert exotel.v2("GET", f"/contacts/{sid}").json()["response"]["data"]["first_name"] == "Old"
    updated = exotel.v2("PUT", f"/contacts/{sid}", json={"last_name": "Newman"}).json()["response"]
    assert (updated["code"], updated["data"]["last_name"], updated["data"]["first_name"]) == (200, "Newman", "Old")
    assert exotel.v2("DELETE", f"/contacts/{sid}").json()["response"]["data"]["sid"] == sid
    assert exotel_error(exotel.v2("GET", f"/contacts/{sid}")) == (404, 1000)


def test_a_single_update_with_a_bad_number_is_400_1002(exotel, contact_sids):
    assert exotel_error(exotel.v2("PUT", f"/contacts/{contact_sids[0]}", json={"number": "12"})) == (400, 1002)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_unknown_contact_is_404_1000(exotel, method):
    response = exotel.v2(method, "/contacts/" + "f" * 32, json={"first_name": "x"} if method == "PUT" else None)
    assert exotel_error(response) == (404, 1000)


def test_a_5000_contact_bulk_update_changes_every_one(sandbox, exotel, sandbox_account):
    sids = sandbox.control("POST", "/_sandbox/contacts", {"account_sid": sandbox_account.sid, "count": 5000})["sids"]
    body = {"contacts": [{"sid": sid, "first_name": f"Renamed {i}", "tag": "bulk"} for i, sid in enumerate(sids)]}
    response = exotel.v2("PUT", "/contacts", json=body)
    assert response.status_code == 200 and response.json()["metadata"]["success"] == 5000
    assert sandbox.control("GET", f"/_sandbox/contacts/{sids[4999]}")["first_name"] == "Renamed 4999"


def test_a_5000_contact_bulk_update_is_one_transaction_that_reads_by_index(tmp_path):
    """What keeps the sandbox as quick as the product's bulk edits need, whatever the machine's load:
    one commit, the stored contacts read 900 at a time, and no statement scanning the table."""
    store = Store(tmp_path / "sandbox.sqlite3")
    store.add_contacts(seeding.generated_contacts("acct", 20_000))
    sids = [contact["sid"] for contact in seeding.generated_contacts("acct", 5000, start=10_000)]
    statements = []
    store._db.set_trace_callback(statements.append)
    outcomes = contacts.update_contacts(store, "acct", {"contacts": [{"sid": sid, "tag": "bulk"} for sid in sids]})
    store._db.set_trace_callback(None)

    assert len(outcomes) == 5000 and all(isinstance(outcome, dict) for outcome in outcomes)
    assert store.contact(sids[-1])["tag"] == "bulk"
    verbs = Counter(statement.split(None, 1)[0].upper() for statement in statements)
    assert verbs == {"BEGIN": 1, "SELECT": math.ceil(5000 / 900), "UPDATE": 5000, "COMMIT": 1}
    shapes = {statement for statement in statements if statement.startswith("SELECT")} | {
        next(statement for statement in statements if statement.startswith("UPDATE"))
    }
    for statement in shapes:
        plan = [step["detail"] for step in store._db.execute(f"EXPLAIN QUERY PLAN {statement}")]
        assert not [step for step in plan if step.startswith("SCAN")], (statement[:80], plan)
