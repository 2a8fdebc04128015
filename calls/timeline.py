"""Writes to a call's own timeline (CallEvent rows): the one way an event is added, and the one way
an Exotel failure while reading a call becomes words on the call page."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from calls.models import Call, CallEvent, EventKind
from exoadmin.exotel.errors import ExotelError
from exoadmin.refusals import Refused

log = logging.getLogger("exoadmin.calls")


def timeline_add(
    *,
    call: Call,
    kind: str,
    summary: str,
    actor=None,
    request_id: str = "",
    raw: Any = None,
    fingerprint: str | None = None,
    at=None,
) -> CallEvent:
    return CallEvent.objects.create(
        call=call,
        kind=kind,
        summary=summary[:500],
        actor=actor,
        request_id=request_id,
        raw=raw,
        fingerprint=fingerprint,
        at=at or timezone.now(),
    )


def timeline_add_failure(*, call: Call, what: str, exc: ExotelError) -> Refused:
    """Exotel could not tell us `what` about the call: logged, and said on the call's timeline."""
    refusal = Refused.from_exotel(exc, prefix=f"Could not read {what} from Exotel: ")
    log.warning("reading %s of call %s failed: %s", what, call.pk, exc, extra={"request_id": exc.request_id})
    timeline_add(call=call, kind=EventKind.ERROR, summary=refusal.message, request_id=refusal.request_id)
    return refusal
