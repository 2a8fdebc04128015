"""Callbacks as Exotel really delivers them (late, twice, out of order, or never), from the
sandbox to this test's live server, with the real worker fetching legs and polling."""

import uuid

import pytest
from django.contrib.auth.models import User

from calls.launching import LaunchRequest, call_launch
from calls.models import Call
from calls.tasks import bulk_poll_stale_calls
from tests.calls.conftest import CUSTOMER, EXOPHONE, wait_for_call
from tests.support.processes import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def launch(agent, number=CUSTOMER, **options) -> Call:
    request = LaunchRequest(
        key=str(uuid.uuid4()),
        account_id=agent.account_id,
        agent_id=agent.pk,
        customer_number=number,
        exophone=EXOPHONE,
        api_version="v3",
        options={"from_contact_uri": "+919900000001", "record": True} | options,
        preflight={"ok": True, "rings_first": "Phone +919900000001"},
    )
    return call_launch(launch=request, user=User.objects.get(username="sunil"))


@pytest.fixture
def ready(sandbox, asha, supervisor, fast_calls, callbacks_to, celery_worker):
    return asha


def test_duplicated_and_reordered_callbacks_end_completed(sandbox, ready):
    sandbox.configure(callbacks={"duplicate": 1.0, "reorder": 1.0})

    call = launch(ready)

    call = wait_for_call(lambda c: c.is_terminal and c.legs_fetched_at, "the call to end")
    sent = wait_until(
        lambda: (
            [d for d in sandbox.callbacks(call.sid) if d["state"] == "sent"]
            if all(d["state"] == "sent" for d in sandbox.callbacks(call.sid))
            else None
        ),
        timeout=10,
        what="every delivery",
    )
    assert sorted(d["event"] for d in sent) == ["answered", "answered", "terminal", "terminal"]
    assert sent[0]["at"] > [d for d in sent if d["event"] == "terminal"][0]["at"] or sent[0]["event"] == "terminal"
    # Each delivery was answered 200 once queued; the worker stores it moments later.
    wait_until(lambda: call.events.filter(kind="callback").count() >= 2, timeout=10, what="both callbacks stored")
    call.refresh_from_db()
    assert call.events.filter(kind="callback").count() == 2  # the copies changed nothing
    assert call.answered_at is not None
    assert (call.state, call.status, call.has_recording) == ("terminal", "completed", True)


def test_lost_callbacks_are_made_up_for_by_polling(sandbox, ready):
    sandbox.configure(callbacks={"loss": 1.0})
    call = launch(ready)
    sandbox_call = lambda: sandbox.control("GET", f"/_sandbox/calls/{call.sid}")["call_details"]  # noqa: E731
    wait_for_call(lambda c: sandbox_call()["state"] == "terminal", "the sandbox to finish the call")
    call.refresh_from_db()
    assert call.state == "active"  # nobody told us

    bulk_poll_stale_calls.delay(active_after_seconds=0)

    call = wait_for_call(lambda c: c.is_terminal and c.legs_fetched_at, "polling to find the end of the call")
    assert (call.status, call.has_recording) == ("completed", True)
    assert call.events.filter(kind="poll").exists() and not call.events.filter(kind="callback").exists()


def test_customer_busy_ends_as_customer_did_not_answer(sandbox, ready):
    launch(ready, number="+919876543212")

    call = wait_for_call(lambda c: c.is_terminal and c.legs_fetched_at, "the call to end")

    assert call.status_words == "Customer did not answer" and not call.has_recording
    assert dict(call.legs.values_list("side", "status")) == {"agent": "completed", "customer": "busy"}


def test_launch_with_no_answer_from_exotel_is_not_resent_and_is_matched_later(sandbox, ready, settings):
    settings.EXOTEL_READ_TIMEOUT = 0.5
    sandbox.configure(faults={"slow": 1.0, "slow_seconds": 1.5})

    call = launch(ready)

    assert (call.launch_outcome, call.sid) == ("unknown", None)
    sandbox.configure(faults={"slow": 0.0})
    call = wait_for_call(lambda c: c.is_terminal, "the call to be matched and ended", timeout=30)
    assert (call.launch_outcome, call.status) == ("accepted", "completed")
    assert len(sandbox.requests(path="/v3/accounts/acme/calls", method="POST")) == 1
    assert Call.objects.count() == 1
