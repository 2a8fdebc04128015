"""What came of a call: its agent or a supervisor sets, changes or clears its outcome and note once it
has ended. Every real change is audited (OutcomeChange: who, when, before → after) in the same
transaction and tells open screens; saving what is already there changes nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from calls.models import Call, CallOutcome, OutcomeChange
from calls.selectors import visible_calls
from exoadmin.live.publish import Topic, changed
from exoadmin.refusals import Refused

NOTE_MAX = 1000  # characters: a note says what happened, it is not a transcript


class OutcomeNotFound(LookupError):
    """The call is not one this person may see, or the outcome is not of the call's account: 404."""


def call_outcome_set(*, user, call_key, outcome_id: int | None, note: str) -> tuple[Call, bool]:
    """Sets (or, with no outcome and no note, clears) the call's outcome and note as `user`;
    answers the call as stored and whether anything changed."""
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise Refused(f"A note is at most {NOTE_MAX:,} characters; this one has {len(note):,}.")
    with transaction.atomic():
        call = (
            visible_calls(user).select_for_update(of=("self",)).select_related("outcome").filter(key=call_key).first()
        )
        if call is None:
            raise OutcomeNotFound("No such call, or it is not one of yours.")
        outcome = _outcome_for(call, outcome_id)
        if outcome == call.outcome and note == call.outcome_note:
            return call, False
        if not call.is_terminal:
            raise Refused("An outcome is set after a call ends: this call has not ended yet.")
        if outcome is None and note:
            raise Refused("Pick an outcome for this note (or empty the note to clear the outcome).")
        now = timezone.now()
        OutcomeChange.objects.create(
            call=call,
            at=now,
            by=user,
            before=call.outcome.name if call.outcome else "",
            after=outcome.name if outcome else "",
            note_before=call.outcome_note,
            note_after=note,
        )
        call.outcome, call.outcome_note = outcome, note
        call.outcome_set_at, call.outcome_set_by = (now, user) if outcome else (None, None)
        call.save(update_fields=["outcome", "outcome_note", "outcome_set_at", "outcome_set_by"])
        changed(Topic.CALL, call.pk, account_id=call.account_id, agent_id=call.agent_id)
    return call, True


def _outcome_for(call: Call, outcome_id: int | None) -> CallOutcome | None:
    """The outcome picked: one of the call's account; a retired one only if the call already has it."""
    if outcome_id is None:
        return None
    outcome = CallOutcome.objects.filter(pk=outcome_id, account_id=call.account_id).first()
    if outcome is None:
        raise OutcomeNotFound("No such outcome for this call's account.")
    if not outcome.active and outcome != call.outcome:
        raise Refused(f"“{outcome.name}” is retired: pick another outcome.")
    return outcome
