"""Seed documents' responses become typed results; times become aware datetimes."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from exoadmin.exotel import calls, contacts, devices, integrations, users
from exoadmin.exotel.models import parse_time

from .helpers import stub_client
from .stub_session import StubSession, response, seed_body

IST = timezone(timedelta(hours=5, minutes=30))


def _client_answering(name, status=200, **headers):
    return stub_client(StubSession(response(status, seed_body(name), headers=headers)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-11-02 23:49:51+05:30", datetime(2022, 11, 2, 23, 49, 51, tzinfo=IST)),
        ("2024-06-15T10:30:00.000Z", datetime(2024, 6, 15, 10, 30, tzinfo=UTC)),
        ("2022-11-02 23:49:51", datetime(2022, 11, 2, 23, 49, 51, tzinfo=IST)),
        ("1970-01-01 05:30:00+05:30", None),
        (None, None),
        ("", None),
        ("not a time", None),
    ],
)
def test_exotel_times_become_aware_datetimes_and_not_ended_becomes_none(text, expected):
    assert parse_time(text) == expected


def test_device_put_answer_from_seed_000_becomes_a_device():
    device = devices.set_device_available(
        _client_answering("device_put_200"), user_id="u1", device_id=100280, available=True
    )
    assert (device.id, device.available, device.verified, device.status, device.type) == (
        "100280",
        True,
        True,
        "free",
        "tel",
    )
    assert device.request_id == "6b99d8f854244f1eb8bb91d75f1c565a"


def test_v3_launch_answer_from_seed_002_becomes_call_details():
    call = calls.launch_v3(
        _client_answering("v3_launch_200"),
        from_contact_uri="+919900000001",
        to_contact_uri="+919900000002",
        virtual_number="+912241499102",
    )
    assert (call.sid, call.state, call.status, call.end_time) == (
        "3f3fedf8f0928550a60bfa6302dc16b2",
        "active",
        None,
        None,
    )
    assert call.created_time == datetime(2022, 11, 2, 23, 49, 51, tzinfo=IST)
    assert call.custom_field == "bilbo_test_call" and call.recording_urls == []
    assert call.request_id == "1e2acb77c0f84db4821e765510fdecff"


def test_active_call_details_have_no_end_time():
    call = calls.get_call_details(_client_answering("v3_details_active"), "cabfb1dfa8c5e1c7f2c458423b7716b3")
    assert call.state == "active" and call.end_time is None and not call.is_terminal


def test_terminal_call_details_carry_status_talk_time_and_recording():
    call = calls.get_call_details(_client_answering("v3_details_terminal"), "cabfb1dfa8c5e1c7f2c458423b7716b3")
    assert call.is_terminal and call.status == "completed" and call.total_talk_time == 59
    assert call.end_time == datetime(2022, 11, 3, 22, 56, 4, tzinfo=IST)
    assert call.recording_urls[0].endswith("cabfb1dfa8c5e1c7f2c458423b7716b3.mp3")


def test_legs_answer_from_seed_002_splits_from_and_to_legs():
    legs = calls.get_call_legs(_client_answering("v3_legs_200"), "f1ca1057692d586b23b4e7ffcc3216mk")
    assert [leg.name for leg in legs.from_legs] == ["Aditya Sharma", None]
    assert [(leg.status, leg.group_id) for leg in legs.to_legs] == [("no-answer", 123456), ("completed", None)]
    assert legs.request_id == "faf6d9fd87eb4dd6aef3967c40e369ed"


def test_v2_launch_answer_from_seed_004_becomes_a_launched_call():
    call = calls.launch_v2(
        _client_answering("v2_launch_200"),
        user_contact_uri="sip:agent@exotel.com",
        number="+919876543210",
        virtual_number="+911234567890",
    )
    assert (call.call_sid, call.state, call.agent_user_id, call.customer_number) == (
        "unique_call_identifier",
        "active",
        "agent-uuid",
        "+919876543210",
    )
    assert call.created_time == datetime(2024, 6, 15, 10, 30, tzinfo=UTC)


def test_bulk_207_from_seed_003_gives_one_outcome_per_row_in_order():
    result = contacts.bulk_update(
        _client_answering("contacts_bulk_207", 207),
        [
            {"sid": "83ba26b7f11c4e75b4043c8b33ceba49", "first_name": "XYZ"},
            {"sid": "93ba26b7f11c4e75b4043c8b33ceba59", "first_name": "ABC"},
            {"sid": "73ba26b7f11c4e75b4043c8b33ceba69", "first_name": "LMN"},
        ],
    )
    assert (result.http_code, result.total, result.success, result.failed) == (207, 3, 1, 2)
    assert [(row.index, row.ok, row.code, row.exotel_code) for row in result.rows] == [
        (0, True, 200, None),
        (1, False, 404, 1000),
        (2, False, 404, 1000),
    ]
    assert result.rows[0].data.first_name == "XYZ"
    assert result.rows[1].sid == "93ba26b7f11c4e75b4043c8b33ceba59"
    assert result.rows[1].message.startswith("This contact is not in Exotel")


def test_integrations_answer_from_seed_001_takes_request_id_from_the_header():
    client = _client_answering("integrations_get_200", **{"X-Request-Id": "hdr-1"})
    found = integrations.get_devices(client, "agent_001")
    assert (found.phone.enabled, found.phone.number) == (False, "+919876543210")
    assert (found.sip.enabled, found.sip.registered) == (True, True)
    assert found.sip.last_seen == datetime(2024, 6, 15, 10, 25, tzinfo=UTC)
    assert found.request_id == "hdr-1"


def test_users_page_reads_metadata_and_devices():
    body = {
        "request_id": "r",
        "method": "GET",
        "http_code": 200,
        "metadata": {"total": 3, "count": 1, "offset": 2, "limit": 1},
        "response": [
            {
                "code": 200,
                "status": "success",
                "data": {
                    "id": "u3",
                    "first_name": "Asha",
                    "last_name": "Rao",
                    "last_login": "2024-06-15T10:30:00Z",
                    "devices": [seed_body("device_put_200")["response"][0]["data"]],
                },
            }
        ],
    }
    page = users.list_users(stub_client(StubSession(response(200, body))), offset=2, limit=1)
    assert (page.total, page.offset, page.limit, page.request_id) == (3, 2, 1, "r")
    assert page.users[0].devices[0].name == "Primary Device"


def test_a_users_page_without_a_total_says_so_and_only_a_short_page_ends_the_listing():
    body = {
        "request_id": "r",
        "method": "GET",
        "http_code": 200,
        "metadata": None,
        "response": [{"code": 200, "status": "success", "data": {"id": f"u{n}", "devices": []}} for n in range(2)],
    }
    page = users.list_users(stub_client(StubSession(response(200, body))), limit=2)
    assert page.total is None
    assert not users.is_last_page(page, read=2, page_size=2)
    assert users.is_last_page(page, read=2, page_size=3)
