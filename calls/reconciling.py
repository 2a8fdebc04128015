"""Finding a call whose launch had no answer (the POST was sent, no answer came), without ever
sending it again.

The call stays "outcome unknown" and is matched later by
  1. our status callback URL, which carries `?ref=<key>`: Exotel calls it back for that launch,
     so the first callback gives us the sid (calls/tracking.py; we do not borrow `custom_field`,
     which belongs to the supervisor);
  2. for CCM agents, the agent's `active_call` in Exotel (same customer and ExoPhone), checked a
     few seconds after the timeout and again by the periodic poll (here).
Once matched, callbacks and polling carry the call to its final state like any other.
"""

from __future__ import annotations

from django.db import transaction

from agents.models import DeviceModel
from calls.changes import call_changed
from calls.models import Call, EventKind, LaunchOutcome
from calls.timeline import timeline_add, timeline_add_failure
from exoadmin.accounts.clients import exotel_client
from exoadmin.exotel import users
from exoadmin.exotel.errors import ExotelError
from exoadmin.exotel.ratelimit import Priority


def call_reconcile(*, call_id: int, priority: Priority = "interactive") -> Call:
    """Find the sid of a launch whose outcome is unknown, without ever launching again."""
    call = Call.objects.select_related("account", "agent").get(pk=call_id)
    agent = call.agent
    if call.sid or not agent or agent.device_model != DeviceModel.CCM or not agent.exotel_user_id:
        return call  # the ref on our callback URL will match it when Exotel calls back
    if call.account is None:
        return call  # no account to ask Exotel with (a launch always has one): only the ref can match it
    try:
        user = users.get_user(exotel_client(call.account, priority=priority), agent.exotel_user_id)
    except ExotelError as exc:
        timeline_add_failure(call=call, what="the agent's active call", exc=exc)
        return call
    active = user.active_call if isinstance(user.active_call, dict) else {}
    sid = active.get("call_sid")
    if (
        sid
        and active.get("contact_uri") in (call.customer_number, None)
        and active.get("virtual_number") in (call.exophone, None)
    ):
        with transaction.atomic():
            if Call.objects.filter(pk=call.pk, sid__isnull=True).update(sid=sid, launch_outcome=LaunchOutcome.ACCEPTED):
                timeline_add(
                    call=call,
                    kind=EventKind.RECONCILED,
                    summary=f"Found the call in Exotel as the agent's active call (sid {sid}).",
                    request_id=user.request_id,
                )
                call.refresh_from_db()
                call_changed(call)
    call.refresh_from_db()
    return call
