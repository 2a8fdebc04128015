"""Launching a call: the launch step (pre-flight, calls/preflight.py, then the launch as the confirm
step shows it), the confirm step, and placing the call once.

No double calls. A launch is claimed by inserting its Call row (unique `key`) and committing
BEFORE the POST to Exotel; only the request that inserted the row dials. A double click, a browser
retry or a second tab with the same confirm form finds the row and shows that call instead.
A launch Exotel gave no answer to is never sent again: calls/reconciling.py finds it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, TypedDict, cast
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, models, transaction
from django.db.models import TextChoices
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from agents.models import Agent
from calls import selectors
from calls.changes import call_changed
from calls.models import ApiVersion, Call, CallSettings, Direction, EventKind, LaunchOutcome, State
from calls.payloads import CALLBACK_EVENTS, ExotelEvent
from calls.preflight import Preflight, preflight_check
from calls.timeline import timeline_add
from exoadmin.accounts.clients import exotel_client
from exoadmin.exotel import calls as exotel_calls
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import ExotelError, UnknownOutcome
from exoadmin.queueing import enqueue
from exoadmin.refusals import Refused, with_request_id
from teams.scope import teams_of_agent

log = logging.getLogger("exoadmin.calls")

PREFLIGHT_MAX_AGE = timedelta(seconds=120)  # an older device check is not fresh enough to dial on
NO_ACCOUNT = "This call is in no Exotel account exoadmin knows, so it was not placed."
# The status callback each of CALLBACK_EVENTS asks Exotel for, in the client's words.
STATUS_CALLBACK_EVENTS: dict[ExotelEvent, Literal["answered", "terminal"]] = {
    ExotelEvent.ANSWERED: "answered",
    ExotelEvent.TERMINAL: "terminal",
}


class AgentIdentity(TextChoices):
    """How a v2 launch names the agent (seed 004's `from`)."""

    USER_ID = "user_id", "Exotel user id"
    CONTACT_URI = "user_contact_uri", "Device contact URI"


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
    overrides: list[str] = field(default_factory=list)  # what it sets unlike the account's defaults, in words


class LaunchForbidden(Exception):
    """The person may not (or may no longer) place calls for this agent."""


@dataclass(frozen=True)
class Confirmation:
    """What the confirm step did: the call to show (None: nothing was dialled, check the device
    again) and what to tell the person, as a django.contrib.messages level and text ("": nothing)."""

    call: Call | None
    level: int = messages.INFO
    message: str = ""


def callback_url(key: str) -> str:
    path = reverse("calls:webhook", args=[settings.EXOTEL_WEBHOOK_TOKEN])
    return f"{settings.EXOADMIN_PUBLIC_URL.rstrip('/')}{path}?ref={key}"


# -- the launch and confirm steps ---------------------------------------------------------


def launch_prepare(*, agent: Agent, chosen: Mapping[str, Any]) -> tuple[Preflight, LaunchRequest | None]:
    """Step 1: a fresh pre-flight; when it passes, the launch exactly as the confirm step shows it.
    `chosen` is what the launch form parsed (its cleaned data)."""
    preflight = preflight_check(agent=agent)
    if not preflight.ok:
        return preflight, None
    settings = selectors.call_settings_of([agent.account_id])[agent.account_id]
    options = launch_options(settings=settings, agent=agent, chosen=chosen, rings=preflight.from_contact_uri)
    return preflight, LaunchRequest(
        key=str(uuid4()),
        account_id=agent.account_id,
        agent_id=agent.pk,
        customer_number=chosen["customer_number"],
        exophone=chosen["exophone"],
        api_version=settings.api_version,
        options=options,
        preflight=preflight.as_dict(),
        overrides=launch_overrides(settings, chosen),
    )


# The options an account's call settings give defaults for: (form field, CallSettings field).
DEFAULTED = ("recording_channels", "recording_format", "max_time_limit", "attempt_time_out", "wait_audio_url")


def launch_options(*, settings: CallSettings, agent: Agent, chosen: Mapping[str, Any], rings: str) -> dict[str, Any]:
    """The launch options in the client's terms: what the person chose, else the account's default;
    options neither sets are left out (Exotel's defaults). `rings` is the agent number the pre-flight
    found ON, used unless the person named another. Recording off is sent only when asked for."""
    from_contact_uri = chosen["from_contact_uri"] or rings
    value = {name: chosen.get(name) or getattr(settings, name) or None for name in DEFAULTED}
    common = {
        "record": {"on": True, "off": False}.get(chosen["record"]),
        "recording_channels": value["recording_channels"],
        "wait_audio_url": value["wait_audio_url"],
        "max_time_limit": value["max_time_limit"],
        "attempt_time_out": value["attempt_time_out"],
        "custom_field": chosen["custom_field"] or None,
    }
    if settings.api_version == ApiVersion.V2:
        return _present(_v2_identity(agent, chosen["agent_identity"], from_contact_uri) | common)
    streaming = {"url": chosen["streaming_url"], "begin": chosen["streaming_begin"] or None}
    v3 = {
        "from_contact_uri": from_contact_uri,
        "state_management": settings.state_management
        if chosen["state_management"] is None
        else chosen["state_management"],
        "recording_format": value["recording_format"],
        "playback": chosen.get("playback") or None,
        "streaming": _present(streaming) if chosen["streaming_url"] else None,
    }
    return _present(common | v3)


def launch_overrides(settings: CallSettings, chosen: Mapping[str, Any]) -> list[str]:
    """What this launch sets differently from the account's defaults, in words for the confirm step."""
    overrides = []
    if chosen["record"] == "off" or (chosen["record"] == "on" and not settings.records_by_default):
        default = "records every call" if settings.records_by_default else "does not record unless asked"
        overrides.append(f"Recording {'off' if chosen['record'] == 'off' else 'on'} (the account {default})")
    mine_sm, default_sm = chosen.get("state_management"), settings.state_management
    if mine_sm is not None and default_sm is not None and mine_sm != default_sm:
        overrides.append(
            f"State management {'on' if mine_sm else 'off'} (the account's default: {'on' if default_sm else 'off'})"
        )
    for name in DEFAULTED:
        mine, default = chosen.get(name), getattr(settings, name)
        if mine and default and mine != default:
            label = str(cast(models.Field, CallSettings._meta.get_field(name)).verbose_name).removeprefix("default ")
            overrides.append(f"{label.capitalize()}: {mine} (the account's default: {default})")
    return overrides


def _v2_identity(agent: Agent, identity: str, contact_uri: str) -> dict[str, str]:
    """v2 names the agent by Exotel user id unless the person chose the device's contact URI; an
    agent Exotel has no user id for (phone/SIP) can only be named by URI."""
    if identity != AgentIdentity.CONTACT_URI and agent.exotel_user_id:
        return {"user_id": agent.exotel_user_id}
    return {"user_contact_uri": contact_uri}


def _present(options: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in options.items() if value is not None}


def launch_confirm(*, launch: LaunchRequest, user, now: datetime | None = None) -> Confirmation:
    """Step 2: dial, once. The same confirm form posted twice shows the first call; a device check
    older than PREFLIGHT_MAX_AGE dials nothing. Raises LaunchForbidden when the person may no
    longer place calls for the agent."""
    existing = selectors.call_for_user(user, launch.key)
    if existing:
        return Confirmation(existing)
    checked_at = parse_datetime(launch.preflight.get("checked_at") or "")
    if checked_at is None or (now or timezone.now()) - checked_at > PREFLIGHT_MAX_AGE:
        return Confirmation(
            None, messages.ERROR, "The device check is more than two minutes old: check again before dialling."
        )
    if not selectors.launchable_agents(user).filter(pk=launch.agent_id).exists():
        raise LaunchForbidden
    call = call_launch(launch=launch, user=user)
    if call.launch_outcome == LaunchOutcome.REFUSED and call.launch_error:
        message = with_request_id(f"Exotel did not place the call: {call.launch_error}", call.launch_request_id)
        return Confirmation(call, messages.ERROR, message)
    if call.launch_outcome == LaunchOutcome.UNKNOWN:
        return Confirmation(
            call,
            messages.WARNING,
            "Exotel did not answer in time. The call was not sent again; this page shows it as soon as Exotel "
            "reports it.",
        )
    return Confirmation(call, messages.SUCCESS, "Exotel accepted the call: the agent's device is ringing.")


# -- placing the call --------------------------------------------------------------------


def call_launch(*, launch: LaunchRequest, user) -> Call:
    """Place the call once. Answers the call row (new, or the one a previous click created)."""
    call, claimed = _claim(launch, user)
    if not claimed:
        return call
    if call.account is None:  # never (the row names launch.account_id); were it so, nothing is dialled
        _launch_refused(call, Refused(NO_ACCOUNT), None)
    else:
        _place(call, launch, exotel_client(call.account))
    call.refresh_from_db()
    call_changed(call)
    return call


def _place(call: Call, launch: LaunchRequest, client: ExotelClient) -> None:
    """The one POST to Exotel, and what its answer (or the lack of one) means for the call row."""
    try:
        answer = _send(client, call, launch)
    except UnknownOutcome as exc:
        _launch_unknown(call, exc)
    except ExotelError as exc:
        _launch_refused(call, Refused.from_exotel(exc), exc.code)
        log.warning("call launch refused: %s", exc, extra={"request_id": exc.request_id, "call": call.pk})
    except ValueError as exc:  # an option the client refuses before sending
        _launch_refused(call, Refused(str(exc)), None)
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
            call.teams.set(teams_of_agent(launch.agent_id))  # the call stays theirs if the agent moves
            timeline_add(
                call=call,
                kind=EventKind.PREFLIGHT,
                summary=_preflight_summary(launch.preflight),
                request_id=launch.preflight.get("request_id", ""),
                at=launch.preflight.get("checked_at"),
            )
            who = user.get_full_name() or user.username
            timeline_add(
                call=call,
                kind=EventKind.LAUNCHED,
                summary=f"{who} asked Exotel to place the call ({launch.api_version})",
                actor=user,
                raw=launch.options,
            )
    except IntegrityError:
        return Call.objects.select_related("account").get(key=launch.key), False
    return call, True


class _CommonLaunchArguments(TypedDict):
    """What launch_v2 and launch_v3 both take, as _send passes it to either."""

    virtual_number: str
    wait_audio_url: str | None
    max_time_limit: int | None
    attempt_time_out: int | None
    custom_field: str | None
    status_callbacks: list[exotel_calls.StatusCallback]


def _send(client: ExotelClient, call: Call, launch: LaunchRequest) -> tuple[str, str]:
    """POST the launch; answers (sid, request_id)."""
    options = launch.options
    callbacks = [
        exotel_calls.StatusCallback(
            event=STATUS_CALLBACK_EVENTS[event],
            url=callback_url(launch.key),
            method="POST",
            content_type="application/json",
        )
        for event in CALLBACK_EVENTS
    ]
    common = _CommonLaunchArguments(
        virtual_number=launch.exophone,
        wait_audio_url=options.get("wait_audio_url") or None,
        max_time_limit=options.get("max_time_limit"),
        attempt_time_out=options.get("attempt_time_out"),
        custom_field=options.get("custom_field") or None,
        status_callbacks=callbacks,
    )
    if launch.api_version == ApiVersion.V2:
        answer = exotel_calls.launch_v2(
            client,
            number=launch.customer_number,
            user_contact_uri=options.get("user_contact_uri") or None,
            user_id=options.get("user_id") or None,
            recording=options.get("record"),
            recording_channels=options.get("recording_channels") or None,
            **common,
        )
        return answer.call_sid, answer.request_id
    recording = None
    if options.get("record") is not None:
        recording = exotel_calls.RecordingOptions(
            record=options["record"],
            channels=options.get("recording_channels") or None,
            format=options.get("recording_format") or None,
        )
    streaming = options.get("streaming")
    details = exotel_calls.launch_v3(
        client,
        from_contact_uri=options["from_contact_uri"],
        to_contact_uri=launch.customer_number,
        state_management=options.get("state_management"),
        recording=recording,
        playback=[exotel_calls.Playback(**item) for item in options.get("playback") or []],
        streaming=exotel_calls.Streaming(**streaming) if streaming else None,
        **common,
    )
    return details.sid, details.request_id


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
    timeline_add(
        call=call,
        kind=EventKind.ACCEPTED,
        summary=f"Exotel accepted the call (sid {sid}); the agent's device rings first.",
        request_id=request_id,
    )


def _launch_refused(call: Call, refusal: Refused, code: int | None) -> None:
    Call.objects.filter(pk=call.pk).update(
        launch_outcome=LaunchOutcome.REFUSED,
        state=State.TERMINAL,
        launch_error=refusal.message,
        launch_error_code=code,
        launch_request_id=refusal.request_id,
        ended_at=timezone.now(),
    )
    timeline_add(call=call, kind=EventKind.REFUSED, summary=refusal.message, request_id=refusal.request_id)


def _launch_unknown(call: Call, exc: UnknownOutcome) -> None:
    log.warning("call launch outcome unknown: %s", exc, extra={"call": call.pk})
    Call.objects.filter(pk=call.pk, launch_outcome=LaunchOutcome.PENDING).update(
        launch_outcome=LaunchOutcome.UNKNOWN, launch_error=exc.user_message
    )
    timeline_add(
        call=call,
        kind=EventKind.UNKNOWN,
        summary="Exotel did not answer in time. The call was NOT sent again; it is matched when Exotel reports it.",
    )
    from calls.tasks import reconcile_call as reconcile_call_task

    transaction.on_commit(lambda: enqueue(reconcile_call_task, call.pk, countdown=5))


def _preflight_summary(preflight: dict) -> str:
    if preflight.get("ok"):
        return f"Device ON, verified and free: {preflight.get('rings_first')} rings first."
    return preflight.get("reason") or "Not checked."
