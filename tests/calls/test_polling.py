"""Polling Exotel for calls it went quiet about: never a request for a call whose sid we do not know
(`.../calls/None`), and a failure said on the call's timeline with Exotel's request id."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import EventKind, LaunchOutcome, State
from calls.tracking import call_legs_fetch, call_refresh, calls_poll_stale
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
