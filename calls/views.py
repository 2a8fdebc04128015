"""Calls: history, one call, recordings, launch (form → pre-flight → confirm → call), live calls,
KPIs, and Exotel's status-callback webhook."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import timedelta
from hmac import compare_digest
from urllib.parse import urlencode
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls import charts, selectors, services
from calls.forms import HistoryFilterForm, KpiForm, LaunchForm
from calls.models import RecordingAccess
from calls.payloads import BadPayload, unflatten
from calls.preflight import preflight_check
from calls.recordings import RecordingUnavailable, recording_stream
from exoadmin.accounts.models import ExoPhone
from exoadmin.accounts.roles import Role, any_role_required, role_of
from exoadmin.spreadsheets import csv_download, csv_lines

log = logging.getLogger("exoadmin.calls")
CONFIRM_SALT = "calls.launch.confirm"
CONFIRM_MAX_AGE = 120  # seconds: older pre-flight results are not fresh enough to dial on


def _history_form(request):
    agents = selectors.launchable_agents(request.user).order_by("name")
    phones = ExoPhone.objects.filter(account__in={a.account_id for a in agents}).values_list("number", flat=True)
    by_agent = None if role_of(request.user) == Role.AGENT else agents
    return HistoryFilterForm(request.GET or None, agents=by_agent, exophones=sorted(set(phones)))


@any_role_required
@require_GET
def history(request):
    form = _history_form(request)
    page = selectors.history_page(request.user, form.filters(), request.GET.get("cursor", ""))
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"form": form, "page": page, "chips": form.chips(), "query": query.urlencode()}
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
    context = {"call": call, "bars": bars, "timeline": timeline, "accesses": accesses}
    if request.htmx:  # the history's side panel, or the panel polling itself while the call is live
        return render(request, "calls/detail.html#panel", context)
    return render(request, "calls/detail.html", context)


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
    try:
        chunks, content_type = recording_stream(call)
    except RecordingUnavailable as exc:
        return HttpResponse(str(exc), status=502, content_type="text/plain; charset=utf-8")
    if not continuing:
        services.recording_access_record(
            call=call, user=request.user, kind=RecordingAccess.Kind.DOWNLOAD if download else RecordingAccess.Kind.PLAY
        )
    response = StreamingHttpResponse(chunks, content_type=content_type)
    extension = "wav" if "wav" in content_type else "mp3"
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="call-{call.key}.{extension}"'
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
    versions = sorted(set(selectors.api_versions_for({agent.account_id for agent in agents}).values()))
    context = {"form": form, "versions": versions}
    if request.method == "GET" or not form.is_valid():
        return render(request, "calls/launch.html", context, status=200 if request.method == "GET" else 422)
    agent = form.cleaned_data["agent"]
    preflight = preflight_check(agent=agent)
    if not preflight.ok:
        context["preflight"] = preflight
        return render(request, "calls/launch.html", context, status=409)
    api_version = selectors.api_version_for(agent.account)
    pending = services.LaunchRequest(
        key=str(uuid4()),
        account_id=agent.account_id,
        agent_id=agent.pk,
        customer_number=form.cleaned_data["customer_number"],
        exophone=form.cleaned_data["exophone"],
        api_version=api_version,
        options=form.options(api_version, preflight.from_contact_uri),
        preflight=preflight.as_dict(),
    )
    token = signing.dumps({"user": request.user.pk, "launch": asdict(pending)}, salt=CONFIRM_SALT)
    return render(
        request, "calls/confirm.html", {"launch": pending, "agent": agent, "preflight": preflight, "token": token}
    )


@any_role_required
@require_POST
def confirm(request):
    """Step 2: dial. The same confirm form posted twice shows the first call, never a second one."""
    try:
        signed = signing.loads(request.POST.get("token", ""), salt=CONFIRM_SALT)
    except signing.BadSignature:
        return HttpResponseBadRequest("This confirm form is not valid: start again from the call form.")
    if signed["user"] != request.user.pk:
        raise Http404
    pending = services.LaunchRequest(**signed["launch"])
    existing = selectors.call_for_user(request.user, pending.key)
    if existing:
        return redirect("calls:detail", key=existing.key)
    try:
        signing.loads(request.POST["token"], salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        messages.error(request, "The device check is more than two minutes old: check again before dialling.")
        return redirect(
            f"{reverse('calls:launch')}?{urlencode({'number': pending.customer_number, 'agent': pending.agent_id})}"
        )
    if not selectors.launchable_agents(request.user).filter(pk=pending.agent_id).exists():
        raise Http404
    call = services.call_launch(launch=pending, user=request.user)
    if call.launch_error and call.launch_outcome == "refused":
        messages.error(
            request,
            f"Exotel did not place the call: {call.launch_error}"
            + (f" (request id {call.launch_request_id})" if call.launch_request_id else ""),
        )
    elif call.launch_outcome == "unknown":
        messages.warning(
            request,
            "Exotel did not answer in time. The call was not sent again; this page shows "
            "it as soon as Exotel reports it.",
        )
    else:
        messages.success(request, "Exotel accepted the call: the agent's device is ringing.")
    return redirect("calls:detail", key=call.key)


@any_role_required
@require_GET
def live(request):
    if not request.htmx:  # typed or bookmarked: a page around the list that refreshes itself
        return render(request, "calls/live.html")
    return render(request, "calls/_live_calls_list.html", {"calls": selectors.live_calls(request.user)})


@any_role_required
@require_GET
def kpis(request):
    default = selectors.default_range()
    form = KpiForm(
        request.GET or None,
        initial={"date_from": default[0].date(), "date_to": (default[1] - timedelta(days=1)).date()},
    )
    start, end = form.range(default)
    numbers = selectors.kpis(request.user, start, end)
    context = {
        "form": form,
        "kpis": numbers,
        "start": start,
        "last_day": end - timedelta(days=1),
        "per_hour": charts.column_chart("Calls per hour of the day", [(f"{h:02d}", n) for h, n in numbers.per_hour]),
        "per_agent": charts.bar_chart("Calls per agent (answered darker)", numbers.per_agent),
        "per_exophone": charts.bar_chart("Calls per ExoPhone (answered darker)", numbers.per_exophone),
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
        services.callback_accept(payload=payload, ref=request.GET.get("ref"))
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
