"""Writes for calls: launch, status callbacks, polling, reconciliation, recording access.

No double calls. A launch is claimed by inserting its Call row (unique `key`) and committing
BEFORE the POST to Exotel; only the request that inserted the row dials. A double click, a browser
retry or a second tab with the same confirm form finds the row and shows that call instead.

Reconciliation of an unknown outcome (the POST was sent, no answer came): we never resend. The
call stays "outcome unknown" and is matched later by
  1. our status callback URL, which carries `?ref=<key>`: Exotel calls it back for that launch,
     so the first callback gives us the sid (we do not borrow `custom_field`, which belongs to
     the supervisor);
  2. for CCM agents, the agent's `active_call` in Exotel (same customer and ExoPhone), checked a
     few seconds after the timeout and again by the periodic poll.
Once matched, callbacks and polling carry the call to its final state like any other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import kombu.exceptions
import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from agents.models import DeviceModel
from calls.inbox import inbox_push
from calls.models import (
    Call,
    CallEvent,
    CallLeg,
    Direction,
    EventKind,
    LaunchOutcome,
    RecordingAccess,
    Side,
    State,
)
from calls.payloads import BadPayload, CallSnapshot, from_callback, from_details
from calls.recording_hosts import url_refusal
from exoadmin.accounts.clients import exotel_client
from exoadmin.accounts.models import ExoPhone, ExotelAccount
from exoadmin.exotel import calls as exotel_calls
from exoadmin.exotel import users
from exoadmin.exotel.errors import ExotelError, NotFound, UnknownOutcome

log = logging.getLogger("exoadmin.calls")

# A call we have not heard about for this long is polled; so is a finished call without legs.
POLL_ACTIVE_AFTER = timedelta(minutes=2)
LEGS_GRACE = timedelta(seconds=20)
POLL_BATCH = 30  # two requests each: well inside the bulk share of 200 requests/minute
# Unknown outcomes are looked for this long (Exotel's longest call is 4 h).
RECONCILE_FOR = timedelta(hours=5)


@dataclass(frozen=True)
class LaunchRequest:
    """A confirmed launch, exactly as the supervisor saw it on the confirm step."""

    key: str
    account_id: int
    agent_id: int
    customer_number: str
    exophone: str
    api_version: str
    options: dict[str, Any] = field(default_factory=dict)
    preflight: dict[str, Any] = field(default_factory=dict)


def callback_url(key: str) -> str:
    path = reverse("calls:webhook", args=[settings.EXOTEL_WEBHOOK_TOKEN])
    return f"{settings.EXOADMIN_PUBLIC_URL.rstrip('/')}{path}?ref={key}"


# -- launch ------------------------------------------------------------------------------


def call_launch(*, launch: LaunchRequest, user) -> Call:
    """Place the call once. Answers the call row (new, or the one a previous click created)."""
    call, claimed = _claim(launch, user)
    if not claimed:
        return call
    client = exotel_client(call.account)
    try:
        answer = _send(client, call, launch)
    except UnknownOutcome as exc:
        _launch_unknown(call, exc)
    except ExotelError as exc:
        _launch_refused(call, exc.user_message, exc.code, exc.request_id or "")
        log.warning("call launch refused: %s", exc, extra={"request_id": exc.request_id, "call": call.pk})
    except ValueError as exc:  # an option the client refuses before sending
        _launch_refused(call, str(exc), None, "")
    except Exception:  # the POST may have gone out: reconcile, never resend, never leave it pending
        log.exception("call launch failed unexpectedly", extra={"call": call.pk})
        _launch_unknown(
            call,
            UnknownOutcome(
                "Something went wrong while placing the call; it was not sent "
                "again and is matched when Exotel reports it."
            ),
        )
    else:
        _launch_accepted(call, answer)
    call.refresh_from_db()
    return call


def _claim(launch: LaunchRequest, user) -> tuple[Call, bool]:
    try:
        with transaction.atomic():
            call = Call.objects.create(
                key=launch.key,
                account_id=launch.account_id,
                agent_id=launch.agent_id,
                api_version=launch.api_version,
                customer_number=launch.customer_number,
                exophone=launch.exophone,
                direction=Direction.OUTBOUND,
                created_at=timezone.now(),
                options=launch.options,
                custom_field=launch.options.get("custom_field") or "",
                launched_by=user,
                preflight=launch.preflight,
            )
            _event(
                call,
                EventKind.PREFLIGHT,
                _preflight_summary(launch.preflight),
                request_id=launch.preflight.get("request_id", ""),
                at=launch.preflight.get("checked_at"),
            )
            _event(
                call,
                EventKind.LAUNCHED,
                f"{user.get_full_name() or user.username} asked Exotel to place the call ({launch.api_version})",
                actor=user,
                raw=launch.options,
            )
    except IntegrityError:
        return Call.objects.select_related("account").get(key=launch.key), False
    return call, True


def _send(client, call: Call, launch: LaunchRequest) -> tuple[str, str]:
    """POST the launch; answers (sid, request_id)."""
    options = launch.options
    callbacks = [
        exotel_calls.StatusCallback(
            event=event, url=callback_url(launch.key), method="POST", content_type="application/json"
        )
        for event in ("answered", "terminal")
    ]
    common = dict(
        virtual_number=launch.exophone,
        wait_audio_url=options.get("wait_audio_url") or None,
        max_time_limit=options.get("max_time_limit"),
        attempt_time_out=options.get("attempt_time_out"),
        custom_field=options.get("custom_field") or None,
        status_callbacks=callbacks,
    )
    if launch.api_version == "v2":
        answer = exotel_calls.launch_v2(
            client,
            number=launch.customer_number,
            user_contact_uri=options.get("user_contact_uri") or None,
            user_id=options.get("user_id") or None,
            recording=options.get("record"),
            recording_channels=options.get("recording_channels") or None,
            **common,
        )
        return answer.call_sid, answer.request_id or ""
    recording = None
    if options.get("record") is not None:
        recording = exotel_calls.RecordingOptions(
            record=options["record"],
            channels=options.get("recording_channels") or None,
            format=options.get("recording_format") or None,
        )
    streaming = options.get("streaming")
    answer = exotel_calls.launch_v3(
        client,
        from_contact_uri=options["from_contact_uri"],
        to_contact_uri=launch.customer_number,
        state_management=options.get("state_management"),
        recording=recording,
        playback=[exotel_calls.Playback(**item) for item in options.get("playback") or []],
        streaming=exotel_calls.Streaming(**streaming) if streaming else None,
        **common,
    )
    return answer.sid, answer.request_id or ""


def _launch_accepted(call: Call, answer: tuple[str, str]) -> None:
    sid, request_id = answer
    now = timezone.now()
    # A callback may have matched the call (by ref) a moment before this answer: keep what it set.
    Call.objects.filter(pk=call.pk, launch_outcome__in=[LaunchOutcome.PENDING, LaunchOutcome.UNKNOWN]).update(
        launch_outcome=LaunchOutcome.ACCEPTED
    )
    Call.objects.filter(pk=call.pk, sid__isnull=True).update(sid=sid or None)
    Call.objects.filter(pk=call.pk).update(launch_request_id=request_id, last_heard_at=now)
    Call.objects.filter(pk=call.pk, started_at__isnull=True).update(started_at=now)
    _event(
        call,
        EventKind.ACCEPTED,
        f"Exotel accepted the call (sid {sid}); the agent's device rings first.",
        request_id=request_id,
    )


def _launch_refused(call: Call, message: str, code: int | None, request_id: str) -> None:
    Call.objects.filter(pk=call.pk).update(
        launch_outcome=LaunchOutcome.REFUSED,
        state=State.TERMINAL,
        launch_error=message,
        launch_error_code=code,
        launch_request_id=request_id,
        ended_at=timezone.now(),
    )
    _event(call, EventKind.REFUSED, message, request_id=request_id)


def _launch_unknown(call: Call, exc: UnknownOutcome) -> None:
    log.warning("call launch outcome unknown: %s", exc, extra={"call": call.pk})
    Call.objects.filter(pk=call.pk, launch_outcome=LaunchOutcome.PENDING).update(
        launch_outcome=LaunchOutcome.UNKNOWN, launch_error=exc.user_message
    )
    _event(
        call,
        EventKind.UNKNOWN,
        "Exotel did not answer in time. The call was NOT sent again; it is matched when Exotel reports it.",
    )
    from calls.tasks import reconcile_call as reconcile_call_task

    transaction.on_commit(lambda: reconcile_call_task.apply_async(args=[call.pk], countdown=5))


def _preflight_summary(preflight: dict) -> str:
    if preflight.get("ok"):
        return f"Device ON, verified and free: {preflight.get('rings_first')} rings first."
    return preflight.get("reason") or "Not checked."


# -- status callbacks and polling --------------------------------------------------------


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
        if inbox_push(payload, ref):
            drain_callback_inbox_task.delay()
    except (redis.RedisError, kombu.exceptions.OperationalError) as exc:
        log.warning("callback inbox unavailable, storing the status callback inline: %s", exc)
        callback_receive(payload=payload, ref=ref)


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
                _event(call, EventKind.CALLBACK, _callback_summary(snapshot), raw=payload, fingerprint=fingerprint)
        except IntegrityError:
            return call
        _apply(call, snapshot)
    if call.is_terminal and call.legs_fetched_at is None:
        _fetch_legs_later(call)
    return call


def call_refresh(*, call_id: int, priority: str = "bulk") -> Call:
    """Poll Exotel's call details (and legs once it has ended) for one call."""
    call = Call.objects.select_related("account").get(pk=call_id)
    client = exotel_client(call.account, priority=priority)
    try:
        details = exotel_calls.get_call_details(client, call.sid)
    except ExotelError as exc:
        _poll_failed(call, "call details", exc)
        return call
    snapshot = from_details(details)
    with transaction.atomic():
        call = _locked(call)
        _event(
            call, EventKind.POLL, f"Call details: {_callback_summary(snapshot)}", request_id=details.request_id or ""
        )
        _apply(call, snapshot)
    if call.is_terminal and call.legs_fetched_at is None:
        call_legs_fetch(call_id=call.pk, priority=priority)
    return call


def call_legs_fetch(*, call_id: int, priority: str = "bulk") -> None:
    call = Call.objects.select_related("account").get(pk=call_id)
    try:
        legs = exotel_calls.get_call_legs(exotel_client(call.account, priority=priority), call.sid)
    except NotFound as exc:
        _poll_failed(call, "legs", exc)
        Call.objects.filter(pk=call.pk).update(legs_fetched_at=timezone.now())  # nothing will ever come
        return
    except ExotelError as exc:
        _poll_failed(call, "legs", exc)
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
                    ),
                )
        number = customer_legs[0].contact_uri if customer_legs else ""
        Call.objects.filter(pk=call.pk).update(legs_fetched_at=timezone.now())
        if number:
            Call.objects.filter(pk=call.pk, customer_number="").update(customer_number=number)
        _event(
            call,
            EventKind.POLL,
            f"Legs: {len(agent_legs)} agent, {len(customer_legs)} customer",
            request_id=legs.request_id or "",
        )


def calls_poll_stale(*, active_after: timedelta = POLL_ACTIVE_AFTER, limit: int = POLL_BATCH) -> int:
    """The fallback for lost callbacks: poll calls silent too long, and finished calls without legs."""
    now = timezone.now()
    placed = Call.objects.filter(sid__isnull=False, account__isnull=False)
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


def call_reconcile(*, call_id: int, priority: str = "interactive") -> Call:
    """Find the sid of a launch whose outcome is unknown, without ever launching again."""
    call = Call.objects.select_related("account", "agent").get(pk=call_id)
    agent = call.agent
    if call.sid or not agent or agent.device_model != DeviceModel.CCM or not agent.exotel_user_id:
        return call  # the ref on our callback URL will match it when Exotel calls back
    try:
        user = users.get_user(exotel_client(call.account, priority=priority), agent.exotel_user_id)
    except ExotelError as exc:
        _poll_failed(call, "the agent's active call", exc)
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
                _event(
                    call,
                    EventKind.RECONCILED,
                    f"Found the call in Exotel as the agent's active call (sid {sid}).",
                    request_id=user.request_id or "",
                )
    call.refresh_from_db()
    return call


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
    if snapshot.event == "answered" and call.answered_at is None:
        changes["answered_at"] = snapshot.updated_at or now
    if snapshot.is_terminal and not call.is_terminal:
        changes |= dict(
            state=State.TERMINAL,
            status=snapshot.status,
            ended_at=snapshot.ended_at or now,
            total_duration=snapshot.total_duration,
            talk_time=snapshot.talk_time,
        )
        if snapshot.status == "completed" and call.answered_at is None and "answered_at" not in changes:
            ended = snapshot.ended_at or now
            changes["answered_at"] = ended - timedelta(seconds=snapshot.talk_time or 0)
    if snapshot.is_terminal and snapshot.recording_url:
        # Pre-signed URLs expire: the newest one Exotel gave us is the one to keep.
        changes |= dict(recording_url=snapshot.recording_url, has_recording=True)
        _warn_if_unexpected_recording_host(
            call,
            snapshot.recording_url,
            "call details" if snapshot.event == "poll" else f"the {snapshot.event} callback",
        )
    if changes:
        Call.objects.filter(pk=call.pk).update(**changes)
        for name, value in changes.items():
            setattr(call, name, value)


def _fetch_legs_later(call: Call) -> None:
    from calls.tasks import bulk_fetch_call_legs as bulk_fetch_call_legs_task

    transaction.on_commit(lambda: bulk_fetch_call_legs_task.delay(call.pk))


def _poll_failed(call: Call, what: str, exc: ExotelError) -> None:
    log.warning("polling %s of call %s failed: %s", what, call.pk, exc, extra={"request_id": exc.request_id})
    _event(
        call, EventKind.ERROR, f"Could not read {what} from Exotel: {exc.user_message}", request_id=exc.request_id or ""
    )


def _callback_summary(snapshot: CallSnapshot) -> str:
    if snapshot.is_terminal:
        return f"{snapshot.event}: ended, {snapshot.status or 'no status'}" + (
            f", talk {snapshot.talk_time} s" if snapshot.talk_time else ""
        )
    return f"{snapshot.event}: {snapshot.state or 'active'}"


def _event(
    call: Call,
    kind: str,
    summary: str,
    *,
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
        request_id=request_id or "",
        raw=raw,
        fingerprint=fingerprint,
        at=at or timezone.now(),
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# -- recordings --------------------------------------------------------------------------


def recording_access_record(*, call: Call, user, kind: str) -> RecordingAccess:
    return RecordingAccess.objects.create(call=call, user=user, kind=kind)


def recording_url_renew(*, call: Call) -> str:
    """A fresh pre-signed URL from Exotel's call details, when the stored one has expired."""
    try:
        details = exotel_calls.get_call_details(exotel_client(call.account), call.sid)
    except ExotelError as exc:
        _poll_failed(call, "the recording link", exc)
        return ""
    url = details.recording_urls[0] if details.recording_urls else ""
    if url:
        _warn_if_unexpected_recording_host(call, url, "call details")
        Call.objects.filter(pk=call.pk).update(recording_url=url, has_recording=True)
    return url


def _warn_if_unexpected_recording_host(call: Call, url: str, source: str) -> None:
    """Stored anyway (storing is harmless: calls/recordings.py refuses to fetch it), but worth a look:
    a link off Exotel's recording storage is a forged callback, or Exotel has moved its storage."""
    reason = url_refusal(url)
    if reason:
        log.warning("call %s: the recording link from %s will not be fetched: %s", call.pk, source, reason)
