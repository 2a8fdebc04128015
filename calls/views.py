"""Calls: history, one call, recordings, launch (form → pre-flight → confirm → call), live calls,
KPIs, and Exotel's status-callback webhook."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import timedelta
from hmac import compare_digest
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls import charts, launching, outcome_selectors, outcomes, recordings, selectors, tracking
from calls.forms import HistoryFilterForm, KpiForm, LaunchForm, OutcomeForm
from calls.kpis import default_range, kpis_between
from calls.models import CallStatus, RecordingAccess
from calls.payloads import BadPayload, unflatten
from exoadmin.accounts.models import ExoPhone
from exoadmin.accounts.roles import Role, any_role_required, role_of
from exoadmin.refusals import Refused
from exoadmin.spreadsheets import csv_download, csv_lines
from exoadmin.text import is_ascii_digits

log = logging.getLogger("exoadmin.calls")
# The pending launch travels through the browser signed, bound to the person (freshness is the
# launching service's rule, read from the pre-flight itself).
CONFIRM_SALT = "calls.launch.confirm"


def _history_form(request):
    agents = selectors.launchable_agents(request.user).order_by("name")
    phones = ExoPhone.objects.filter(account__in={a.account_id for a in agents}).values_list("number", flat=True)
    by_agent = None if role_of(request.user) == Role.AGENT else agents
    outcome_list = outcome_selectors.history_outcomes({agent.account_id for agent in agents})
    return HistoryFilterForm(request.GET or None, agents=by_agent, exophones=sorted(set(phones)), outcomes=outcome_list)


@any_role_required
@require_GET
def history(request):
    form = _history_form(request)
    page = selectors.history_page(request.user, form.filters(), request.GET.get("cursor", ""))
    query = request.GET.copy()
    query.pop("cursor", None)
    # Each row with the outcomes it offers: "my calls" (an agent's history) sets them inline.
    picks = outcome_selectors.outcome_picks(page.calls)
    context = {"form": form, "page": page, "picks": picks, "chips": form.chips(), "query": query.urlencode()}
    if request.htmx and request.htmx.target == "history-results":
        return render(request, "calls/history.html#results", context)
    return render(request, "calls/history.html", context)


@any_role_required
@require_GET
def totals(request):
    total, capped = selectors.history_total(request.user, _history_form(request).filters())
    return render(request, "calls/_totals.html", {"total": total, "capped": capped})


@any_role_required
@require_GET
def export_csv(request):
    rows = selectors.export_rows(request.user, _history_form(request).filters())
    return csv_download(csv_lines(selectors.EXPORT_COLUMNS, rows), "calls.csv")


def _visible_call(request, key):
    call = selectors.call_for_user(request.user, key)
    if call is None:
        raise Http404("No such call, or it is not one of yours.")
    return call


@any_role_required
@require_GET
def detail(request, key):
    call = _visible_call(request, key)
    bars, timeline = selectors.call_timeline(call)
    accesses = call.recording_accesses.select_related("user")[:10]
    context = {"call": call, "bars": bars, "timeline": timeline, "accesses": accesses, **_outcome_context(call)}
    if request.htmx:  # the history's side panel, or the panel polling itself while the call is live
        return render(request, "calls/detail.html#panel", context)
    return render(request, "calls/detail.html", context)


def _outcome_context(call) -> dict:
    """The call page's outcome section: the form's choices and the audit, newest first."""
    return {
        "pick": outcome_selectors.outcome_picks([call])[0],
        "outcome_changes": outcome_selectors.outcome_changes(call),
    }


@any_role_required
@require_POST
def outcome(request, key):
    """Sets a call's outcome and note, from the call page, a row of "my calls" or the agent's list
    of calls waiting for one; answers that place's fragment (htmx) or goes back to it."""
    form = OutcomeForm(request.POST)
    try:
        if not form.is_valid():
            raise Refused(form.error_words())
        call, did_change = outcomes.call_outcome_set(
            user=request.user, call_key=key, outcome_id=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
        )
        saved = f"Outcome saved: {call.outcome or 'no outcome'} for {call.customer_number or 'this call'}."
        notice = {"kind": "ok", "text": saved if did_change else "Nothing to change: that is already saved."}
    except outcomes.OutcomeNotFound:
        raise Http404("No such call or outcome, or it is not one of yours.") from None
    except Refused as refusal:
        call, notice = _visible_call(request, key), {"kind": "error", "text": refusal.message}
    if not request.htmx:
        (messages.success if notice["kind"] == "ok" else messages.error)(request, notice["text"])
        target = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
        return redirect(target if safe and target else reverse("calls:detail", args=[call.key]))
    return _outcome_fragment(request, call, request.POST.get("place", ""), notice)


def _outcome_fragment(request, call, place: str, notice: dict):
    if place == "waiting":
        waiting = outcome_selectors.waiting_for_outcome_page(request.user)
        return render(request, "calls/_waiting_outcomes.html", {"waiting": waiting, "notice": notice, "noticed": call})
    if place == "row":
        pick = outcome_selectors.outcome_picks([call])[0]
        return render(request, "calls/_outcome_form.html", {"pick": pick, "place": place, "notice": notice})
    return render(request, "calls/_outcome.html", {"call": call, "notice": notice, **_outcome_context(call)})


@any_role_required
@require_GET
def waiting_outcomes(request):
    """The person's answered calls still waiting for an outcome (re-drawn as the agent's page hears of changes)."""
    waiting = outcome_selectors.waiting_for_outcome_page(request.user)
    return render(request, "calls/_waiting_outcomes.html", {"waiting": waiting})


@any_role_required
@require_GET
def recording(request, key):
    """Streams the audio from Exotel server-side: the browser never sees the pre-signed URL."""
    call = _visible_call(request, key)
    if not call.has_recording:
        raise Http404(call.audio_unavailable_reason)
    download = request.GET.get("download") == "1"
    # A player asks for the rest of a file it is already playing in ranges: that is the same play.
    continuing = request.headers.get("Range", "bytes=0-") not in ("bytes=0-", "")
    part = request.GET.get("part", "1")
    try:
        chunks, content_type = recordings.recording_stream(call=call, part=int(part) if is_ascii_digits(part) else 0)
    except Refused as refusal:
        return HttpResponse(refusal.in_words, status=502, content_type="text/plain; charset=utf-8")
    if not continuing:
        recordings.recording_access_record(
            call=call, user=request.user, kind=RecordingAccess.Kind.DOWNLOAD if download else RecordingAccess.Kind.PLAY
        )
    response = StreamingHttpResponse(chunks, content_type=content_type)
    extension = "wav" if "wav" in content_type else "mp3"
    disposition = "attachment" if download else "inline"
    name = f"call-{call.key}" + (f"-{part}" if part != "1" else "")
    response["Content-Disposition"] = f'{disposition}; filename="{name}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@any_role_required
@require_http_methods(["GET", "POST"])
def launch(request):
    """Step 1: the form; on submit, a pre-flight with fresh Exotel data, then the confirm step."""
    agents = selectors.launchable_agents(request.user)
    if not agents.exists():
        messages.error(
            request, "There is no agent you can place calls for. Ask an admin to link your login to an agent."
        )
        return redirect("calls:history")
    initial = {"customer_number": request.GET.get("number", ""), "agent": request.GET.get("agent")}
    form = LaunchForm(request.POST or None, agents=agents, initial=initial)
    settings_of = selectors.call_settings_of({agent.account_id for agent in agents})
    versions = sorted({settings.api_version for settings in settings_of.values()})
    accounts = {agent.account_id: agent.account for agent in agents.select_related("account")}
    call_settings = [(accounts[account_id], settings_of[account_id]) for account_id in sorted(settings_of)]
    context = {"form": form, "versions": versions, "call_settings": call_settings}
    if request.method == "GET" or not form.is_valid():
        return render(request, "calls/launch.html", context, status=200 if request.method == "GET" else 422)
    agent = form.cleaned_data["agent"]
    preflight, pending = launching.launch_prepare(agent=agent, chosen=form.cleaned_data)
    if pending is None:
        context["preflight"] = preflight
        return render(request, "calls/launch.html", context, status=409)
    token = signing.dumps({"user": request.user.pk, "launch": asdict(pending)}, salt=CONFIRM_SALT)
    return render(
        request, "calls/confirm.html", {"launch": pending, "agent": agent, "preflight": preflight, "token": token}
    )


@any_role_required
@require_POST
def confirm(request):
    """Step 2: dial (launching.launch_confirm decides), then show the call or ask for a fresh check."""
    try:
        signed = signing.loads(request.POST.get("token", ""), salt=CONFIRM_SALT)
    except signing.BadSignature:
        return HttpResponseBadRequest("This confirm form is not valid: start again from the call form.")
    if signed["user"] != request.user.pk:
        raise Http404
    pending = launching.LaunchRequest(**signed["launch"])
    try:
        confirmation = launching.launch_confirm(launch=pending, user=request.user)
    except launching.LaunchForbidden:
        raise Http404 from None
    if confirmation.message:
        messages.add_message(request, confirmation.level, confirmation.message)
    if confirmation.call is None:
        query = urlencode({"number": pending.customer_number, "agent": pending.agent_id})
        return redirect(f"{reverse('calls:launch')}?{query}")
    return redirect("calls:detail", key=confirmation.call.key)


@any_role_required
@require_GET
def live(request):
    if not request.htmx:  # typed or bookmarked: a page around the list that refreshes itself
        return render(request, "calls/live.html")
    return render(request, "calls/_live_calls_list.html", {"calls": selectors.live_calls(request.user)})


@any_role_required
@require_GET
def kpis(request):
    default = default_range()
    form = KpiForm(
        request.GET or None,
        initial={"date_from": default[0].date(), "date_to": (default[1] - timedelta(days=1)).date()},
    )
    start, end = form.range(default)
    numbers = kpis_between(request.user, start, end)
    completed = CallStatus.COMPLETED.label.lower()  # the calls KPIs count as answered
    context = {
        "form": form,
        "kpis": numbers,
        "start": start,
        "last_day": end - timedelta(days=1),
        "per_hour": charts.column_chart("Calls per hour of the day", [(f"{h:02d}", n) for h, n in numbers.per_hour]),
        "per_agent": charts.bar_chart(f"Calls per agent ({completed} darker)", numbers.per_agent),
        "per_exophone": charts.bar_chart(f"Calls per ExoPhone ({completed} darker)", numbers.per_exophone),
    }
    return render(request, "calls/kpis.html", context)


# Exotel signs nothing: the secret token in the path is the authentication (no role, no CSRF).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request, token):
    if not compare_digest(token.encode(), settings.EXOTEL_WEBHOOK_TOKEN.encode()):
        raise Http404
    try:
        payload = _callback_payload(request)
        tracking.callback_accept(payload=payload, ref=request.GET.get("ref"))
    except BadPayload as exc:
        log.warning("status callback refused: %s", exc, extra={"content_type": request.content_type})
        return HttpResponseBadRequest(f"Not a status callback: {exc}", content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def _callback_payload(request):
    if request.method == "GET":
        return unflatten([(k, v) for k, values in request.GET.lists() if k != "ref" for v in values])
    if request.content_type == "application/json":
        try:
            return json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadPayload(f"invalid JSON ({exc})") from None
    return unflatten([(k, v) for k, values in request.POST.lists() for v in values])
