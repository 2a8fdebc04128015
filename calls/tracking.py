"""Following a call to its end: status callbacks (accepted at once, stored and applied by a worker
through calls/inbox.py), polling of calls Exotel went quiet about, and the legs of finished calls.

Callbacks can arrive late, twice, out of order or never: applying one is idempotent, a call only
moves forward (active → answered → terminal), and polling recovers what was never delivered.
Nothing is asked of Exotel about a call whose sid we do not know yet (its launch is reconciled
by calls/reconciling.py instead).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import timedelta
from typing import Any

import redis
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from calls.changes import call_changed
from calls.inbox import inbox_push
from calls.models import Call, CallEvent, CallLeg, CallStatus, Direction, EventKind, LaunchOutcome, Side, State
from calls.payloads import BadPayload, CallSnapshot, ExotelEvent, from_callback, from_details
from calls.reconciling import call_reconcile
from calls.recordings import recording_link_check
from calls.timeline import timeline_add, timeline_add_failure
from exoadmin.accounts.clients import exotel_client
from exoadmin.accounts.models import ExoPhone, ExotelAccount
from exoadmin.exotel import calls as exotel_calls
from exoadmin.exotel.errors import ExotelError, NotFound
from exoadmin.exotel.ratelimit import Priority
from exoadmin.metrics import CALLBACK_LAG_SECONDS
from exoadmin.queueing import enqueue

log = logging.getLogger("exoadmin.calls")

# A call we have not heard about for this long is polled; so is a finished call without legs.
POLL_ACTIVE_AFTER = timedelta(minutes=2)
LEGS_GRACE = timedelta(seconds=20)
POLL_BATCH = 30  # two requests each: well inside the bulk share of 200 requests/minute
# Unknown outcomes are looked for this long (Exotel's longest call is 4 h).
RECONCILE_FOR = timedelta(hours=5)


# -- status callbacks --------------------------------------------------------------------


def callback_accept(*, payload: Any, ref: str | None) -> None:
    """Validate a status callback and queue it, so Exotel gets its 200 at once whatever the load.

    Raises payloads.BadPayload for garbage (answered 400 at once). If Redis is down, the callback
    is stored right here instead: a callback is never lost for want of a queue.
    """
    from_callback(payload)
    try:
        stored = json.dumps(payload, allow_nan=False)
    except ValueError:
        raise BadPayload("NaN and Infinity are not JSON numbers") from None  # PostgreSQL's JSON refuses them
    if "\\u0000" in stored:
        raise BadPayload("NUL characters cannot be stored")  # PostgreSQL refuses them in text and JSON
    from calls.tasks import drain_callback_inbox as drain_callback_inbox_task

    try:
        drain_wanted = inbox_push(payload, ref)
    except redis.RedisError as exc:
        log.warning("callback inbox unavailable, storing the status callback inline: %s", exc)
        callback_receive(payload=payload, ref=ref)
        return
    if drain_wanted:
        enqueue(drain_callback_inbox_task)  # unsent, beat's drain every 30 s picks the callback up


def callback_receive(*, payload: Any, ref: str | None) -> Call:
    """Store one status callback and apply it. Raises payloads.BadPayload for garbage."""
    snapshot = from_callback(payload)
    call = _call_for(snapshot, ref)
    fingerprint = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    if CallEvent.objects.filter(call=call, fingerprint=fingerprint).exists():
        return call  # a duplicate delivery changes nothing
    with transaction.atomic():
        call = _locked(call)
        try:
            with transaction.atomic():
                timeline_add(
                    call=call,
                    kind=EventKind.CALLBACK,
                    summary=_snapshot_summary(snapshot),
                    raw=payload,
                    fingerprint=fingerprint,
                )
        except IntegrityError:
            return call
        _lag_observed(snapshot)
        _apply(call, snapshot)
        call_changed(call)
    if call.is_terminal and call.legs_fetched_at is None:
        _fetch_legs_later(call)
    return call


def _lag_observed(snapshot: CallSnapshot) -> None:
    """Exotel's time of the change to the callback stored, for the callback-lag histogram."""
    if snapshot.updated_at is not None:
        CALLBACK_LAG_SECONDS.observe(max(0.0, (timezone.now() - snapshot.updated_at).total_seconds()))


def _call_for(snapshot: CallSnapshot, ref: str | None) -> Call:
    """The call a callback is about: by our ref, else by sid, else a new 'placed outside' call."""
    if ref:
        call = Call.objects.filter(key=ref).first() if _is_uuid(ref) else None
        if call:
            if call.sid is None:
                Call.objects.filter(pk=call.pk, sid__isnull=True).update(sid=snapshot.sid)
                call.refresh_from_db()
            return call
    account = _account_for(snapshot)
    existing = Call.objects.filter(sid=snapshot.sid, account=account).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Call.objects.create(
                account=account,
                sid=snapshot.sid,
                agent=None,
                launch_outcome=LaunchOutcome.EXTERNAL,
                direction=snapshot.direction if snapshot.direction in Direction.values else Direction.OUTBOUND,
                customer_number=snapshot.customer_number,
                exophone=snapshot.exophone,
                created_at=snapshot.created_at or timezone.now(),
                started_at=snapshot.started_at,
            )
    except IntegrityError:  # another delivery created it a moment ago
        return Call.objects.get(sid=snapshot.sid, account=account)


def _account_for(snapshot: CallSnapshot) -> ExotelAccount | None:
    if snapshot.account_sid:
        account = ExotelAccount.objects.filter(account_sid=snapshot.account_sid).first()
        if account:
            return account
    phone = (
        ExoPhone.objects.filter(number=snapshot.exophone).select_related("account").first()
        if snapshot.exophone
        else None
    )
    return phone.account if phone else None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# -- applying what Exotel says -----------------------------------------------------------


def _locked(call: Call) -> Call:
    """Write first, then read: serialises concurrent callbacks for one call on PostgreSQL and SQLite."""
    Call.objects.filter(pk=call.pk).update(last_heard_at=timezone.now())
    return Call.objects.select_related("account").get(pk=call.pk)


def _apply(call: Call, snapshot: CallSnapshot) -> None:
    """Move the call forward only: active → answered → terminal. Never back, whatever the order."""
    now = timezone.now()
    changes: dict[str, Any] = {}
    for name in ("exophone", "customer_number"):
        if not getattr(call, name) and getattr(snapshot, name):
            changes[name] = getattr(snapshot, name)
    if call.started_at is None and snapshot.started_at:
        changes["started_at"] = snapshot.started_at
    if call.launch_outcome in (LaunchOutcome.PENDING, LaunchOutcome.UNKNOWN):
        changes["launch_outcome"] = LaunchOutcome.ACCEPTED
    if snapshot.event == ExotelEvent.ANSWERED and call.answered_at is None:
        changes["answered_at"] = snapshot.updated_at or now
    if snapshot.is_terminal and not call.is_terminal:
        changes |= dict(
            state=State.TERMINAL,
            status=snapshot.status,
            ended_at=snapshot.ended_at or now,
            total_duration=snapshot.total_duration,
            talk_time=snapshot.talk_time,
        )
        if snapshot.status == CallStatus.COMPLETED and call.answered_at is None and "answered_at" not in changes:
            ended = snapshot.ended_at or now
            changes["answered_at"] = ended - timedelta(seconds=snapshot.talk_time or 0)
    if snapshot.is_terminal and snapshot.recording_urls:
        # Pre-signed URLs expire: the newest ones Exotel gave us are the ones to keep.
        urls = list(snapshot.recording_urls)
        changes |= dict(recording_url=urls[0], recording_urls=urls, has_recording=True)
        for url in urls:
            recording_link_check(call=call, url=url, source=ExotelEvent(snapshot.event).label)
    for name in ("app_id", "app_name", "digits"):  # an app flow's, once Exotel says (a later read may add digits)
        if getattr(snapshot, name) and getattr(snapshot, name) != getattr(call, name):
            changes[name] = getattr(snapshot, name)
    if changes:
        Call.objects.filter(pk=call.pk).update(**changes)
        for name, value in changes.items():
            setattr(call, name, value)


def _snapshot_summary(snapshot: CallSnapshot) -> str:
    if snapshot.is_terminal:
        return f"{snapshot.event}: ended, {snapshot.status or 'no status'}" + (
            f", talk {snapshot.talk_time} s" if snapshot.talk_time else ""
        )
    return f"{snapshot.event}: {snapshot.state or State.ACTIVE}"


def _fetch_legs_later(call: Call) -> None:
    from calls.tasks import bulk_fetch_call_legs as bulk_fetch_call_legs_task

    transaction.on_commit(lambda: enqueue(bulk_fetch_call_legs_task, call.pk))


# -- polling and legs --------------------------------------------------------------------


def call_refresh(*, call_id: int, priority: Priority = "bulk") -> Call:
    """Poll Exotel's call details (and legs once it has ended) for one call."""
    call = Call.objects.select_related("account").get(pk=call_id)
    if not call.sid:
        return call  # nothing to ask Exotel about yet
    if call.account is None:
        return call  # in no account exoadmin knows: no credentials to ask Exotel with
    client = exotel_client(call.account, priority=priority)
    try:
        details = exotel_calls.get_call_details(client, call.sid)
    except ExotelError as exc:
        timeline_add_failure(call=call, what="call details", exc=exc)
        return call
    snapshot = from_details(details)
    with transaction.atomic():
        call = _locked(call)
        timeline_add(
            call=call,
            kind=EventKind.POLL,
            summary=f"Call details: {_snapshot_summary(snapshot)}",
            request_id=details.request_id,
        )
        _apply(call, snapshot)
        call_changed(call)
    if call.is_terminal and call.legs_fetched_at is None:
        call_legs_fetch(call_id=call.pk, priority=priority)
    return call


def call_legs_fetch(*, call_id: int, priority: Priority = "bulk") -> None:
    call = Call.objects.select_related("account").get(pk=call_id)
    if not call.sid:
        return
    if call.account is None:
        return  # in no account exoadmin knows: no credentials to ask Exotel with (polling skips it too)
    try:
        legs = exotel_calls.get_call_legs(exotel_client(call.account, priority=priority), call.sid)
    except NotFound as exc:
        timeline_add_failure(call=call, what="legs", exc=exc)
        Call.objects.filter(pk=call.pk).update(legs_fetched_at=timezone.now())  # nothing will ever come
        call_changed(call)
        return
    except ExotelError as exc:
        timeline_add_failure(call=call, what="legs", exc=exc)
        return
    agent_legs, customer_legs = legs.from_legs, legs.to_legs
    if call.direction == Direction.INBOUND:
        agent_legs, customer_legs = customer_legs, agent_legs
    with transaction.atomic():
        for side, group in ((Side.AGENT, agent_legs), (Side.CUSTOMER, customer_legs)):
            for leg in group:
                CallLeg.objects.update_or_create(
                    call=call,
                    sid=leg.sid,
                    defaults=dict(
                        side=side,
                        name=leg.name or "",
                        contact_uri=leg.contact_uri or "",
                        status=leg.status or "",
                        started_at=leg.date_created,
                        updated_at=leg.date_updated,
                        group_id="" if leg.group_id is None else str(leg.group_id)[:100],
                        group_name=(leg.group_name or "")[:200],
                    ),
                )
        number = customer_legs[0].contact_uri if customer_legs else ""
        Call.objects.filter(pk=call.pk).update(legs_fetched_at=timezone.now())
        if number:
            Call.objects.filter(pk=call.pk, customer_number="").update(customer_number=number)
        timeline_add(
            call=call,
            kind=EventKind.POLL,
            summary=f"Legs: {len(agent_legs)} agent, {len(customer_legs)} customer",
            request_id=legs.request_id,
        )
        call_changed(call)


def calls_poll_stale(*, active_after: timedelta = POLL_ACTIVE_AFTER, limit: int = POLL_BATCH) -> int:
    """The fallback for lost callbacks: poll calls silent too long, and finished calls without legs;
    launches whose outcome is unknown are reconciled instead (they have no sid to poll)."""
    now = timezone.now()
    placed = Call.objects.filter(sid__isnull=False, account__isnull=False).exclude(sid="")
    silent = placed.filter(state=State.ACTIVE).filter(
        Q(last_heard_at__lt=now - active_after) | Q(last_heard_at__isnull=True, created_at__lt=now - active_after)
    )
    legless = placed.filter(state=State.TERMINAL, legs_fetched_at__isnull=True, last_heard_at__lt=now - LEGS_GRACE)
    unknown = Call.objects.filter(
        launch_outcome=LaunchOutcome.UNKNOWN, sid__isnull=True, created_at__gt=now - RECONCILE_FOR
    ).values_list("pk", flat=True)[:limit]
    for call_id in unknown:
        call_reconcile(call_id=call_id, priority="bulk")
    ids = list(silent.order_by("last_heard_at").values_list("pk", flat=True)[:limit])
    ids += list(legless.values_list("pk", flat=True)[: max(0, limit - len(ids))])
    for call_id in ids:
        call_refresh(call_id=call_id, priority="bulk")
    return len(ids)
