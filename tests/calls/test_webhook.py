"""The status-callback webhook: every shape Exotel sends, duplicates, reordering, garbage."""

import json

import pytest
from django.conf import settings

from calls.models import Call, CallEvent, LaunchOutcome, State
from tests.calls.conftest import CUSTOMER, EXOPHONE, make_call, public_webhook_url

SID = "0ed3bd4755078e1f9f64d2de75ce16b3"


@pytest.fixture(autouse=True)
def callbacks_applied_inline():
    """The webhook queues each callback for the worker; here the task runs inside the request."""
    from exoadmin.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def v3_payload(event, state="terminal", status="completed", sid=SID, **extra):
    details = {
        "sid": sid,
        "direction": "outbound",
        "virtual_number": EXOPHONE,
        "state": state,
        "status": status,
        "legs": f"/v3/accounts/acme/calls/{sid}/legs",
        "created_time": "2026-11-03 00:18:32+05:30",
        "updated_time": "2026-11-03 00:19:02+05:30",
        "start_time": "2026-11-03 00:18:38+05:30",
        "end_time": "2026-11-03 00:19:02+05:30" if state == "terminal" else None,
        "total_duration": 24,
        "total_talk_time": 11 if state == "terminal" else None,
        "custom_field": "order-7",
        "app_id": None,
        "app_name": None,
        "digits": None,
        "recordings": [{"url": "https://recordings.example/x.mp3?sig=abc"}] if state == "terminal" else None,
    } | extra
    return {"event_details": {"event_type": event}, "call_details": details}


def v2_payload(event, state="terminal", status="customer_unanswered", sid=SID):
    return {
        "event_details": {"event_type": event},
        "call_details": {
            "call_sid": sid,
            "call_state": state,
            "call_status": status if state == "terminal" else None,
            "assigned_agent_details": {"user_id": "u1", "contact_uri": "+919900000001"},
            "customer_details": {"number": CUSTOMER},
            "virtual_number": EXOPHONE,
            "recording": False,
            "created_time": "2026-11-03T10:30:00.000Z",
            "end_time": "2026-11-03T10:31:00.000Z" if state == "terminal" else None,
            "total_talk_time": None,
            "recordings": None,
        },
    }


def flatten(value, prefix=""):
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return [(prefix, "" if value is None else str(value))]
    pairs = []
    for key, item in items:
        pairs += flatten(item, f"{prefix}[{key}]" if prefix else str(key))
    return pairs


def post_json(client, payload, ref=None):
    url = public_webhook_url() + (f"?ref={ref}" if ref else "")
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def test_terminal_v3_json_callback_for_our_call_ends_it_with_recording(client, exotel_account):
    call = make_call(exotel_account, state=State.ACTIVE, status="", launch_outcome=LaunchOutcome.ACCEPTED, sid=SID)

    response = post_json(client, v3_payload("terminal"))

    assert response.status_code == 200
    call.refresh_from_db()
    assert (call.state, call.status, call.talk_time, call.has_recording) == ("terminal", "completed", 11, True)
    assert call.events.get(kind="callback").raw["call_details"]["sid"] == SID


def test_form_encoded_v2_callback_is_read_from_bracketed_fields(client, exotel_account):
    call = make_call(exotel_account, state=State.ACTIVE, status="", sid=SID, api_version="v2")

    response = client.post(public_webhook_url(), data=dict(flatten(v2_payload("terminal"))))

    assert response.status_code == 200
    call.refresh_from_db()
    assert (call.state, call.status, call.status_words) == ("terminal", "to_leg_unanswered", "Customer did not answer")


def test_get_callback_with_query_string_is_accepted(client, exotel_account):
    call = make_call(exotel_account, state=State.ACTIVE, status="", sid=SID)

    response = client.get(public_webhook_url(), data=flatten(v3_payload("answered", state="active", status=None)))

    assert response.status_code == 200
    call.refresh_from_db()
    assert call.state == "active" and call.answered_at is not None and call.status_words == "In conversation"


def test_duplicate_callback_changes_nothing(client, exotel_account):
    call = make_call(exotel_account, state=State.ACTIVE, status="", sid=SID)
    post_json(client, v3_payload("terminal"))
    call.refresh_from_db()
    before = (call.state, call.status, call.ended_at, call.talk_time, call.events.count())

    assert post_json(client, v3_payload("terminal")).status_code == 200

    call.refresh_from_db()
    assert (call.state, call.status, call.ended_at, call.talk_time, call.events.count()) == before


def test_answered_after_terminal_never_reopens_the_call(client, exotel_account):
    call = make_call(exotel_account, state=State.ACTIVE, status="", sid=SID)

    post_json(client, v3_payload("terminal"))
    post_json(client, v3_payload("answered", state="active", status=None))

    call.refresh_from_db()
    assert (call.state, call.status) == ("terminal", "completed")
    assert call.events.filter(kind="callback").count() == 2


def test_callback_for_unknown_sid_is_recorded_as_a_call_without_agent(client, exotel_account):
    response = post_json(client, v3_payload("terminal", sid="feedfacefeedface"))

    assert response.status_code == 200
    call = Call.objects.get(sid="feedfacefeedface")
    assert call.agent is None and call.account == exotel_account and call.launch_outcome == "external"


def test_callback_with_our_ref_matches_a_launch_whose_outcome_was_unknown(client, exotel_account):
    call = make_call(exotel_account, state=State.ACTIVE, status="", sid=None, launch_outcome=LaunchOutcome.UNKNOWN)

    post_json(client, v3_payload("answered", state="active", status=None, sid="abc123"), ref=str(call.key))

    call.refresh_from_db()
    assert (call.sid, call.launch_outcome) == ("abc123", "accepted")
    assert Call.objects.count() == 1


def test_wrong_token_is_not_found(client, exotel_account):
    response = client.post(
        "/exotel/webhook/not-the-token/", data=json.dumps(v3_payload("terminal")), content_type="application/json"
    )

    assert response.status_code == 404
    assert settings.EXOTEL_WEBHOOK_TOKEN not in response.content.decode()


GARBAGE = [
    ("application/json", b"{not json"),
    ("application/json", b"[]"),
    ("application/json", b"null"),
    ("application/json", b'"just a string"'),
    ("application/json", b'{"event_details": {"event_type": "exploded"}, "call_details": {"sid": "x"}}'),
    ("application/json", b'{"event_details": {"event_type": "terminal"}}'),
    ("application/json", b'{"event_details": {"event_type": "terminal"}, "call_details": {"state": "terminal"}}'),
    ("application/json", b'{"event_details": "terminal", "call_details": []}'),
    ("application/json", b'{"event_details": {"event_type": "terminal"}, "call_details": {"sid": {"a": 1}}}'),
    (
        "application/json",
        b'{"event_details": {"event_type": "terminal"}, "call_details": {"sid": "x", "status": "weird"}}',
    ),
    (
        "application/json",
        b'{"event_details": {"event_type": "terminal"}, "call_details": {"sid": "x", "state": "melted"}}',
    ),
    ("application/json", b"\xff\xfe\x00garbage"),
    ("application/x-www-form-urlencoded", b"call_details[sid]=x&call_details[sid][deeper]=y"),
    (
        "application/x-www-form-urlencoded",
        b"event_details[event_type]=terminal&call_details[recordings][99999999][url]=x",
    ),
    ("application/x-www-form-urlencoded", b"%%%%&&&=="),
    ("text/plain", b"hello"),
    ("application/json", b""),
    ("application/json", b'{"event_details": {"event_type": "terminal"}, "call_details": {"sid": "x\\u0000y"}}'),
]


@pytest.mark.parametrize("content_type,body", GARBAGE)
def test_garbage_gets_400_never_500(client, exotel_account, content_type, body):
    response = client.generic("POST", public_webhook_url(), data=body, content_type=content_type)

    assert response.status_code == 400
    assert not CallEvent.objects.exists()


def test_garbage_query_string_gets_400(client, db):
    response = client.get(public_webhook_url() + "?a[b]=1&a[b][c]=2")

    assert response.status_code == 400


def test_put_is_not_allowed(client, db):
    assert client.put(public_webhook_url()).status_code == 405


def test_with_redis_down_the_callback_is_stored_inline_not_lost(client, exotel_account, settings):
    from tests.support.processes import free_port

    call = make_call(exotel_account, state=State.ACTIVE, status="", sid=SID)
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    assert post_json(client, v3_payload("terminal")).status_code == 200

    call.refresh_from_db()
    assert (call.state, call.status) == ("terminal", "completed")


def test_nan_in_a_json_callback_is_refused_not_accepted_and_lost(client, db):
    body = (
        '{"event_details": {"event_type": "terminal"}, "call_details": {"sid": "x1", "state": "terminal", '
        '"status": "completed", "total_talk_time": NaN}}'
    )

    response = client.post(f"/exotel/webhook/{settings.EXOTEL_WEBHOOK_TOKEN}/", body, content_type="application/json")

    assert response.status_code == 400
    assert "NaN" in response.content.decode()


def test_infinite_talk_time_in_a_callback_is_not_a_server_error(client, db):
    body = {
        "event_details": {"event_type": "terminal"},
        "call_details": {"call_sid": "x2", "call_state": "terminal", "total_talk_time": 1e400},
    }

    response = client.post(
        f"/exotel/webhook/{settings.EXOTEL_WEBHOOK_TOKEN}/", json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 400  # Infinity is not JSON PostgreSQL can store
