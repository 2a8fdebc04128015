"""What follows every change of a stored call, wherever it came from (a launch, a status callback, a
poll, its legs, a reconciled launch): its agent's live call follows (agents/on_call.py), and open
screens are told, once the change commits."""

from __future__ import annotations

from agents.on_call import live_call_follow
from calls.models import Call
from exoadmin.live.publish import Topic, changed


def call_changed(call: Call) -> None:
    """Call after storing a change of `call` (its fields as stored), inside the change's transaction."""
    live_call_follow(call=call)
    changed(Topic.CALL, call.pk, account_id=call.account_id, agent_id=call.agent_id)
