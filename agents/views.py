"""Thin views: role and ownership first, then parse, call a service or selector, render.

htmx requests get the partial that changed (a device card, a board row, the board); plain
requests get a redirect with a message, so every control also works without JavaScript.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from agents import selectors, services
from agents.diagnosis import why_no_calls
from agents.forms import DEVICE_ACTIONS, AgentIdsForm, BoardFilterForm, PhoneSipForm
from agents.models import Source
from agents.services import Actor, ChangeRefused
from agents.tasks import bulk_agents_sync as bulk_agents_sync_task
from exoadmin.accounts.roles import agent_required, supervisor_required
from exoadmin.accounts.selectors import accounts_for_user


@dataclass(frozen=True)
class Notice:
    kind: str  # ok | error
    text: str
    request_id: str = ""


def _attempt(change: Callable[[], object], success: str) -> Notice:
    try:
        change()
    except ChangeRefused as exc:
        return Notice("error", exc.message, exc.request_id)
    return Notice("ok", success)


def _reply(request, notice: Notice, partial: str, context: dict, fallback: str):
    if request.htmx:
        return render(request, partial, {**context, "notice": notice})
    (messages.success if notice.kind == "ok" else messages.error)(
        request, notice.text + (f" (Exotel request id {notice.request_id})" if notice.request_id else "")
    )
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return redirect(target if safe and target else fallback)


def _device_change(device, action: str, actor: Actor) -> Callable[[], object]:
    if action == "switch":
        return lambda: services.device_switch_to(device=device, actor=actor)
    return lambda: services.device_set_available(device=device, available=DEVICE_ACTIONS[action], actor=actor)


# -- the agent's own page -----------------------------------------------------------------------


@agent_required
@require_GET
def my_availability(request):
    """The page; htmx polls its devices section so a supervisor's change shows up here too."""
    template = "agents/me.html#my-devices" if request.htmx else "agents/me.html"
    return render(request, template, selectors.my_availability(user=request.user))


def _my_reply(request, notice: Notice):
    return _reply(request, notice, "agents/me.html#my-devices", selectors.my_availability(user=request.user), "home")


@agent_required
@require_POST
def my_device(request, device_id: int):
    device = selectors.own_device(request.user, device_id)  # another agent's device: 404
    action = request.POST.get("action", "")
    if action not in (*DEVICE_ACTIONS, "switch"):
        return HttpResponseBadRequest("Unknown action.")
    actor = Actor.person(request.user, Source.AGENT)
    return _my_reply(request, _attempt(_device_change(device, action, actor), "Done: Exotel confirmed the change."))


@agent_required
@require_POST
def my_phone_sip(request):
    agent = selectors.own_agent(request.user)
    changes = PhoneSipForm(request.POST).changes()
    if agent is None or changes is None:
        return HttpResponseBadRequest("Say which device to turn on or off.")
    actor = Actor.person(request.user, Source.AGENT)
    change = lambda: services.phone_sip_set(agent=agent, actor=actor, **changes)  # noqa: E731
    return _my_reply(request, _attempt(change, "Done: Exotel confirmed the change."))


@agent_required
@require_POST
def my_go_unavailable(request):
    agent = selectors.own_agent(request.user)
    if agent is None:
        return HttpResponseBadRequest("Your login is not linked to an agent.")
    actor = Actor.person(request.user, Source.AGENT)
    change = lambda: services.agent_go_unavailable(agent=agent, actor=actor)  # noqa: E731
    return _my_reply(request, _attempt(change, "Done: every device is OFF, so no calls ring."))


# -- the supervisor board -----------------------------------------------------------------------


def _board_context(request) -> dict:
    form = BoardFilterForm(request.GET)
    filters = form.filters()
    page = selectors.board_page(request.user, filters)
    return {"form": form, "filters": filters, "page": page, "sorts": selectors.SORTS}


@supervisor_required
@require_GET
def board(request):
    context = _board_context(request)
    template = "agents/board.html#board" if request.htmx and not request.htmx.boosted else "agents/board.html"
    return render(request, template, context)


@supervisor_required
@require_GET
def board_csv(request):
    filters = BoardFilterForm(request.GET).filters()
    rows = selectors.board_export_rows(request.user, filters)

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    header = ["name", "account", "exotel_user_id", "device_model", "availability", "ringing_on",
              "busy", "in_state_since", "last_change_at", "last_change_by", "drift"]
    lines = (writer.writerow([_csv_safe(value) for value in _csv_row(agent)]) for agent in rows)
    response = StreamingHttpResponse(
        (line for chunk in ([writer.writerow(header)], lines) for line in chunk), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="agents-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def _csv_safe(value: str) -> str:
    """Names come from Exotel: never let one run as a spreadsheet formula (phone numbers stay as they are)."""
    text = str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in "+-" and not text[1:].replace(" ", "").isdigit()):
        return "'" + text
    return text


def _csv_row(agent) -> list:
    if agent.device_model == "integrations":
        phone_sip = getattr(agent, "phone_sip", None)
        ringing = [f"Phone {phone_sip.phone_number}"] * bool(phone_sip and phone_sip.phone_enabled)
        ringing += [f"SIP {phone_sip.sip_username}"] * bool(phone_sip and phone_sip.sip_enabled)
    else:
        ringing = [services.device_label(d) for d in agent.devices.all() if d.is_on]
    return [agent.name, agent.account.name, agent.exotel_user_id, agent.device_model, agent.availability,
            "; ".join(ringing), "yes" if agent.availability == "busy" else "no",
            agent.state_since.isoformat() if agent.state_since else "",
            agent.last_change_at.isoformat() if agent.last_change_at else "", agent.last_change_by,
            "yes" if agent.has_drift else "no"]


@supervisor_required
@require_POST
def board_sync(request):
    """Start a sync of every account the supervisor works in; the board refreshes itself."""
    accounts = list(accounts_for_user(request.user))
    for account in accounts:
        transaction.on_commit(lambda pk=account.pk: bulk_agents_sync_task.delay(pk))
    names = ", ".join(a.name for a in accounts) or "no account"
    messages.success(request, f"Sync from Exotel started for {names}: the board updates itself when it is done.")
    return redirect("agents:board")


def _row_reply(request, agent, notice: Notice):
    row = selectors.board_row(request.user, agent.pk)
    return _reply(request, notice, "agents/board.html#row", {"agent": row}, reverse("agents:detail", args=[agent.pk]))


@supervisor_required
@require_POST
def agent_device(request, agent_id: int, device_id: int):
    agent = selectors.agent_for_user(request.user, agent_id)  # not in the supervisor's accounts: 404
    device = selectors.device_of_agent(agent, device_id)
    action = request.POST.get("action", "")
    if action not in (*DEVICE_ACTIONS, "switch"):
        return HttpResponseBadRequest("Unknown action.")
    actor = Actor.person(request.user, Source.SUPERVISOR)
    return _row_reply(request, agent, _attempt(_device_change(device, action, actor), "Exotel confirmed."))


@supervisor_required
@require_POST
def agent_phone_sip(request, agent_id: int):
    agent = selectors.agent_for_user(request.user, agent_id)
    changes = PhoneSipForm(request.POST).changes()
    if changes is None:
        return HttpResponseBadRequest("Say which device to turn on or off.")
    actor = Actor.person(request.user, Source.SUPERVISOR)
    change = lambda: services.phone_sip_set(agent=agent, actor=actor, **changes)  # noqa: E731
    return _row_reply(request, agent, _attempt(change, "Exotel confirmed."))


@supervisor_required
@require_POST
def agent_go_unavailable(request, agent_id: int):
    agent = selectors.agent_for_user(request.user, agent_id)
    actor = Actor.person(request.user, Source.SUPERVISOR)
    change = lambda: services.agent_go_unavailable(agent=agent, actor=actor)  # noqa: E731
    return _row_reply(request, agent, _attempt(change, "Every device is OFF."))


# -- one agent ----------------------------------------------------------------------------------


@supervisor_required
@require_GET
def agent_detail(request, agent_id: int):
    """The timeline, and the "why no calls" card from data fetched from Exotel right now."""
    agent = selectors.agent_for_user(request.user, agent_id)
    fresh = services.agent_refresh(agent=agent)
    row = selectors.board_row(request.user, agent.pk)
    context = {"agent": row, "agent_state": selectors.state_in_words(row, you=False), "fresh": fresh,
               "checks": why_no_calls(row, fresh),
               "events": selectors.agent_events(agent), "calls": selectors.agent_calls(request.user, agent)}
    template = "agents/detail.html#why" if request.htmx else "agents/detail.html"
    return render(request, template, context)


@supervisor_required
@require_POST
def agent_drift(request, agent_id: int):
    agent = selectors.agent_for_user(request.user, agent_id)
    action = request.POST.get("action", "")
    if action not in ("accept", "reapply"):
        return HttpResponseBadRequest("Choose accept or reapply.")
    actor = Actor.person(request.user, Source.SUPERVISOR)
    change = lambda: services.agent_drift_resolve(agent=agent, action=action, actor=actor)  # noqa: E731
    done = "Accepted Exotel's state." if action == "accept" else "Re-applied what exoadmin had set."
    return _row_reply(request, agent, _attempt(change, done))


# -- end of shift -------------------------------------------------------------------------------


@supervisor_required
@require_POST
def end_of_shift_start(request):
    form = AgentIdsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick at least one agent first.")
        return redirect("agents:board")
    chosen = form.cleaned_data["agents"]
    agents = list(selectors.agents_for_user(request.user).filter(pk__in=chosen).select_related("account"))
    if not agents:
        messages.error(request, "None of the ticked agents is in your accounts.")
        return redirect("agents:board")
    if not request.POST.get("confirm"):
        return render(request, "agents/end_of_shift.html", {"confirm_agents": agents})
    job = services.end_of_shift_job_create(agents=agents, actor=Actor.person(request.user, Source.SUPERVISOR))
    return redirect("agents:end_of_shift", job_id=job.pk)


@supervisor_required
@require_GET
def end_of_shift(request, job_id: int):
    job = selectors.end_of_shift_job_for_user(request.user, job_id)
    context = {"job": job, "items": job.items.select_related("agent") if job.is_finished else []}
    template = "agents/end_of_shift.html#progress" if request.htmx else "agents/end_of_shift.html"
    return render(request, template, context)
