"""Setting a call's outcome (calls/outcomes.py): only once the call has ended, never a retired outcome,
never another account's outcome or a call the person may not see; every real change audited once,
saving the same again changes nothing."""

import json

import pytest

from calls.models import CallOutcome, OutcomeChange, State
from calls.outcomes import OutcomeNotFound, call_outcome_set
from exoadmin.accounts.services import account_create_or_update
from exoadmin.live.publish import CHANNEL
from exoadmin.redis import get_redis
from exoadmin.refusals import Refused
from tests.calls.conftest import make_call


@pytest.fixture
def outcomes(exotel_account):
    return {
        name: CallOutcome.objects.create(account=exotel_account, name=name, position=position)
        for position, name in enumerate(["Interested", "Call back", "Wrong number"])
    }


def test_the_calls_agent_sets_an_outcome_and_note_and_it_is_audited(exotel_account, asha, outcomes, agent_login):
    call = make_call(exotel_account, asha)

    stored, changed = call_outcome_set(
        user=agent_login.user, call_key=call.key, outcome_id=outcomes["Call back"].pk, note="  After 6 pm. "
    )

    call.refresh_from_db()
    assert changed and stored.outcome == call.outcome == outcomes["Call back"]
    assert call.outcome_note == "After 6 pm." and call.outcome_set_by == agent_login.user and call.outcome_set_at
    change = OutcomeChange.objects.get()
    assert (change.before, change.after, change.note_before, change.note_after) == ("", "Call back", "", "After 6 pm.")
    assert change.by == agent_login.user and change.at == call.outcome_set_at


def test_saving_the_same_outcome_and_note_again_changes_nothing(exotel_account, asha, outcomes, agent_login):
    call = make_call(exotel_account, asha)
    pick = {"user": agent_login.user, "call_key": call.key, "outcome_id": outcomes["Interested"].pk}
    call_outcome_set(**pick, note="Brochure")
    first_set_at = OutcomeChange.objects.get().at

    _, changed = call_outcome_set(**pick, note="Brochure ")

    call.refresh_from_db()
    assert not changed and OutcomeChange.objects.count() == 1 and call.outcome_set_at == first_set_at


def test_changing_then_clearing_writes_one_audit_row_each(exotel_account, asha, outcomes, supervisor):
    call = make_call(exotel_account, asha)
    call_outcome_set(user=supervisor.user, call_key=call.key, outcome_id=outcomes["Interested"].pk, note="")
    call_outcome_set(user=supervisor.user, call_key=call.key, outcome_id=outcomes["Wrong number"].pk, note="Not him")
    call_outcome_set(user=supervisor.user, call_key=call.key, outcome_id=None, note="")

    call.refresh_from_db()
    assert call.outcome is None and call.outcome_note == "" and call.outcome_set_by is None
    assert [(c.before, c.after, c.note_after) for c in OutcomeChange.objects.all()] == [
        ("", "Interested", ""),
        ("Interested", "Wrong number", "Not him"),
        ("Wrong number", "", ""),
    ]


def test_a_call_that_has_not_ended_is_refused_in_words(exotel_account, asha, outcomes, agent_login):
    call = make_call(exotel_account, asha, state=State.ACTIVE, status="")

    with pytest.raises(Refused, match="after a call ends"):
        call_outcome_set(user=agent_login.user, call_key=call.key, outcome_id=outcomes["Interested"].pk, note="")

    assert not OutcomeChange.objects.exists()


def test_a_retired_outcome_is_refused_but_stays_on_calls_that_have_it(exotel_account, asha, outcomes, agent_login):
    kept, fresh = make_call(exotel_account, asha), make_call(exotel_account, asha)
    call_outcome_set(user=agent_login.user, call_key=kept.key, outcome_id=outcomes["Call back"].pk, note="")
    CallOutcome.objects.filter(pk=outcomes["Call back"].pk).update(active=False)

    with pytest.raises(Refused, match="“Call back” is retired"):
        call_outcome_set(user=agent_login.user, call_key=fresh.key, outcome_id=outcomes["Call back"].pk, note="")
    _, changed = call_outcome_set(
        user=agent_login.user, call_key=kept.key, outcome_id=outcomes["Call back"].pk, note="Tomorrow"
    )

    assert changed and OutcomeChange.objects.filter(call=fresh).count() == 0


def test_a_note_without_an_outcome_or_too_long_is_refused_in_words(exotel_account, asha, outcomes, agent_login):
    call = make_call(exotel_account, asha)

    with pytest.raises(Refused, match="Pick an outcome for this note"):
        call_outcome_set(user=agent_login.user, call_key=call.key, outcome_id=None, note="Hm")
    with pytest.raises(Refused, match="at most 1,000 characters"):
        call_outcome_set(
            user=agent_login.user, call_key=call.key, outcome_id=outcomes["Interested"].pk, note="x" * 1001
        )


def test_another_accounts_outcome_or_another_agents_call_is_not_found(
    exotel_account, asha, vikram, outcomes, agent_login
):
    elsewhere = account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    foreign = CallOutcome.objects.create(account=elsewhere, name="Interested")
    mine, vikrams = make_call(exotel_account, asha), make_call(exotel_account, vikram)

    with pytest.raises(OutcomeNotFound):
        call_outcome_set(user=agent_login.user, call_key=mine.key, outcome_id=foreign.pk, note="")
    with pytest.raises(OutcomeNotFound):
        call_outcome_set(user=agent_login.user, call_key=vikrams.key, outcome_id=outcomes["Interested"].pk, note="")

    assert not OutcomeChange.objects.exists()


def test_a_change_tells_open_call_pages_once_it_commits(
    exotel_account, asha, outcomes, agent_login, redis_server, django_capture_on_commit_callbacks
):
    call = make_call(exotel_account, asha)
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(CHANNEL)
    pubsub.get_message(timeout=0.5)  # the subscription's own answer

    with django_capture_on_commit_callbacks(execute=True):
        call_outcome_set(user=agent_login.user, call_key=call.key, outcome_id=outcomes["Interested"].pk, note="")

    message = pubsub.get_message(timeout=5)
    pubsub.close()
    assert message, "nothing was published"
    published = json.loads(message["data"])
    assert (published["topic"], published["id"], published["agent"]) == ("call", call.pk, asha.pk)
