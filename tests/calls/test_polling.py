"""Polling Exotel for calls it went quiet about: never a request for a call whose sid we do not know
(`.../calls/None`), and a failure said on the call's timeline with Exotel's request id."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import EventKind, LaunchOutcome, State
from calls.tracking import call_legs_fetch, call_refresh, callback_receive, calls_poll_stale
from tests.calls.conftest import make_call

pytestmark = pytest.mark.django_db(transaction=True)


def asked_about_calls(sandbox) -> list[str]:
    return [request["path"] for request in sandbox.requests(path="/calls")]


def test_refreshing_a_call_without_a_sid_asks_exotel_nothing(sandbox, exotel_account):
    call = make_call(exotel_account, sid=None, state=State.ACTIVE, status="", launch_outcome=LaunchOutcome.UNKNOWN)

    refreshed = call_refresh(call_id=call.pk, priority="interactive")

    assert asked_about_calls(sandbox) == []
    assert refreshed.state == State.ACTIVE and not refreshed.events.exists()


def test_the_legs_of_a_call_without_a_sid_are_not_asked_for(sandbox, exotel_account):
    call = make_call(exotel_account, sid=None)

    call_legs_fetch(call_id=call.pk)

    assert asked_about_calls(sandbox) == [] and not call.legs.exists()


def test_polling_passes_over_calls_without_a_sid(sandbox, exotel_account):
    long_ago = timezone.now() - timedelta(hours=1)
    for sid in (None, ""):
        make_call(exotel_account, sid=sid, state=State.ACTIVE, status="", minutes_ago=60, last_heard_at=long_ago)

    assert calls_poll_stale(active_after=timedelta(0)) == 0
    assert asked_about_calls(sandbox) == []


def test_a_failed_poll_is_said_on_the_timeline_with_exotels_request_id(sandbox, exotel_account):
    call = make_call(exotel_account, sid="feedfacefeedface", state=State.ACTIVE, status="")

    call_refresh(call_id=call.pk, priority="interactive")

    event = call.events.get(kind=EventKind.ERROR)
    assert event.summary == (
        "Could not read call details from Exotel: Exotel cannot find this call (or this API does not cover it): "
        "check the call id"
    )
    assert event.request_id == sandbox.requests(path="/calls/feedfacefeedface")[-1]["request_id"] != ""


@pytest.fixture
def tasks_inline():
    """Celery tasks run inside the caller, and a task's exception reaches the test."""
    from exoadmin.celery import app

    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = app.conf.task_eager_propagates = False


def test_a_call_in_no_known_account_is_never_polled_nor_its_legs_asked_for(sandbox, exotel_account):
    """Exotel cannot be asked about a call in no account exoadmin knows (whose credentials?)."""
    call = make_call(None, sid="feedfacefeedface", state=State.ACTIVE, status="")

    refreshed = call_refresh(call_id=call.pk, priority="interactive")
    call_legs_fetch(call_id=call.pk)

    assert asked_about_calls(sandbox) == []
    assert refreshed.state == State.ACTIVE and not refreshed.events.exists() and not call.legs.exists()


def test_a_terminal_callback_for_a_call_in_no_known_account_ends_it_and_asks_for_no_legs(
    sandbox, exotel_account, tasks_inline
):
    """Such a callback makes a call with no account; once it has ended, the legs task that follows
    asks Exotel nothing (it used to fail on the missing account)."""
    sid = "0ed3bd4755078e1f9f64d2de75ce16b3"
    payload = {
        "event_details": {"event_type": "terminal"},
        "call_details": {
            "sid": sid,
            "state": "terminal",
            "status": "completed",
            "virtual_number": "+918000000000",  # no ExoPhone of a known account
            "legs": f"/v3/accounts/elsewhere/calls/{sid}/legs",
        },
    }

    call = callback_receive(payload=payload, ref=None)

    assert call.account is None and call.is_terminal and call.status == "completed"
    assert asked_about_calls(sandbox) == [] and not call.legs.exists()
