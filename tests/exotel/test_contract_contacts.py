"""Contacts v2 (seed 003), against the real sandbox over HTTP."""

import pytest

from exoadmin.exotel import contacts
from exoadmin.exotel.errors import NotFound

from .conftest import logged_body


@pytest.fixture
def saved(client):
    """Three contacts created through the client; answers their sids."""
    result = contacts.create(
        client,
        [
            {"number": "+919800000001", "first_name": "Ravi"},
            {"number": "+919800000002", "first_name": "Meena", "tag": "vip"},
            {"number": "+919800000003", "first_name": "Kiran", "custom_field": {"plan": "gold"}},
        ],
    )
    assert result.http_code == 200 and (result.total, result.success, result.failed) == (3, 3, 0)
    assert all(row.ok and row.sid for row in result.rows)
    return [row.sid for row in result.rows]


def test_create_answers_one_row_per_contact_with_its_new_sid(client, saved):
    assert len(set(saved)) == 3
    assert contacts.get(client, saved[2]).custom_field == {"plan": "gold"}


def test_bulk_update_where_every_row_succeeds_is_a_200(sandbox, client, saved):
    result = contacts.bulk_update(client, [{"sid": sid, "tag": "called"} for sid in saved])
    assert (result.http_code, result.success, result.failed) == (200, 3, 0)
    assert [row.data.tag for row in result.rows] == ["called"] * 3
    assert logged_body(sandbox.requests("/contacts", "PUT")[-1]) == {
        "contacts": [{"sid": sid, "tag": "called"} for sid in saved]
    }


def test_bulk_update_with_unknown_contacts_is_a_207_with_row_outcomes_in_order(client, saved):
    result = contacts.bulk_update(
        client,
        [
            {"sid": saved[0], "first_name": "Ravi K"},
            {"sid": "gone-1", "first_name": "X"},
            {"sid": saved[1], "last_name": "Iyer"},
            {"sid": "gone-2", "first_name": "Y"},
        ],
    )
    assert (result.http_code, result.total, result.success, result.failed) == (207, 4, 2, 2)
    assert [(row.index, row.ok) for row in result.rows] == [(0, True), (1, False), (2, True), (3, False)]
    missing = result.failed_rows[0]
    assert (missing.sid, missing.code, missing.exotel_code) == ("gone-1", 404, 1000)
    assert missing.message.startswith("This contact is not in Exotel")
    assert result.rows[2].data.last_name == "Iyer" and result.request_id


def test_bulk_update_where_every_row_fails_is_still_a_207(client, acme):
    result = contacts.bulk_update(client, [{"sid": "gone", "tag": "x"}])
    assert (result.http_code, result.failed) == (207, 1)


def test_more_than_5000_contacts_are_refused_before_sending(sandbox, client, acme):
    with pytest.raises(ValueError, match="at most 5000"):
        contacts.bulk_update(client, [{"sid": f"s{i}", "tag": "x"} for i in range(5001)])
    assert sandbox.requests("/contacts", "PUT") == []


def test_list_page_is_limited_to_20(sandbox, client, acme):
    sandbox.control("POST", "/_sandbox/contacts", {"account_sid": "acme", "count": 25})
    first = contacts.list_page(client)
    second = contacts.list_page(client, offset=20)
    assert len(first.contacts) == 20 and len(second.contacts) == 5 and first.request_id
    assert not {c.sid for c in first.contacts} & {c.sid for c in second.contacts}
    with pytest.raises(ValueError):
        contacts.list_page(client, limit=21)


def test_update_one_changes_only_the_given_fields(client, saved):
    updated = contacts.update_one(client, saved[1], email="meena@example.com")
    assert (updated.email, updated.first_name, updated.tag) == ("meena@example.com", "Meena", "vip")


def test_delete_then_get_reports_contact_not_found(client, saved):
    assert contacts.delete(client, saved[0])
    with pytest.raises(NotFound) as caught:
        contacts.get(client, saved[0])
    assert caught.value.code == 1000 and caught.value.user_message.startswith("This contact is not in Exotel")
