"""Thin views: role and ownership first, then parse, call a service or selector, render.

htmx requests get the partial that changed (a device card, a board row, the board); plain
requests get a redirect with a message, so every control also works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents import devices, drift, finding, mirror, phone_sip, selectors, shifts, sync, words
from agents.audit import Actor
from agents.device_address import device_address
from agents.device_controls import SWITCH
from agents.diagnosis import why_no_calls
from agents.forms import DEVICE_ACTIONS, AgentIdsForm, AutoOffRuleForm, BoardFilterForm, PhoneSipForm
from agents.models import Availability, Source
from calls.outcome_selectors import waiting_for_outcome_page
from exoadmin.accounts.roles import agent_required, supervisor_required
from exoadmin.accounts.selectors import accounts_for_user
from exoadmin.live import watching
from exoadmin.refusals import Refused, with_request_id
from exoadmin.spreadsheets import csv_download, csv_lines
from exoadmin.text import is_ascii_digits


@dataclass(frozen=True)
class Notice:
    kind: str  # ok | error
    text: str
    request_id: str = ""


def _attempt(change: Callable[[], object], success: str) -> Notice:
    try:
        change()
    except Refused as exc:
        return Notice("error", exc.message, exc.request_id)
    return Notice("ok", success)


def _reply(request, notice: Notice, partial: str, context: dict, fallback: str):
    if request.htmx:
        return render(request, partial, {**context, "notice": notice})
    (messages.success if notice.kind == "ok" else messages.error)(
        request, with_request_id(notice.text, notice.request_id)
    )
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return redirect(target if safe and target else fallback)


def _device_change(device, action: str, actor: Actor) -> Callable[[], object]:
    if action == SWITCH:
        return lambda: devices.device_switch_to(device=device, actor=actor)
    return lambda: devices.device_set_available(device=device, available=DEVICE_ACTIONS[action], actor=actor)


# -- the agent's own page -----------------------------------------------------------------------


@agent_required
@require_GET
def my_availability(request):
    """The page; htmx polls its devices section so a supervisor's change shows up here too."""
    if request.htmx:
        return render(request, "agents/me.html#my-devices", selectors.my_availability(user=request.user))
    waiting = waiting_for_outcome_page(request.user)  # the answered calls still needing an outcome
    return render(request, "agents/me.html", selectors.my_availability(user=request.user) | {"waiting": waiting})


def _my_reply(request, notice: Notice):
    return _reply(request, notice, "agents/me.html#my-devices", selectors.my_availability(user=request.user), "home")


@agent_required
@require_POST
def my_device(request, device_id: int):
    device = selectors.own_device(request.user, device_id)  # another agent's device: 404
    action = request.POST.get("action", "")
    if action not in (*DEVICE_ACTIONS, SWITCH):
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
    change = lambda: phone_sip.phone_sip_set(agent=agent, actor=actor, **changes)  # noqa: E731
    return _my_reply(request, _attempt(change, "Done: Exotel confirmed the change."))


@agent_required
@require_POST
def my_go_unavailable(request):
    agent = selectors.own_agent(request.user)
    if agent is None:
        return HttpResponseBadRequest("Your login is not linked to an agent.")
    actor = Actor.person(request.user, Source.AGENT)
    change = lambda: devices.agent_go_unavailable(agent=agent, actor=actor)  # noqa: E731
    return _my_reply(request, _attempt(change, "Done: every device is OFF, so no calls ring."))


# -- the supervisor board -----------------------------------------------------------------------


def _board_context(request) -> dict:
    form = BoardFilterForm(request.GET)
    filters = form.filters()
    page = selectors.board_page(request.user, filters)
    # Nobody here has the device searched for: Exotel may (for those who may ask it).
    ask_exotel = bool(filters.q and not page.agents and finding.accounts_that_may_ask(request.user))
    context = {"form": form, "filters": filters, "page": page, "sorts": selectors.SORTS}
    return context | {"ask_exotel_for": device_address(filters.q) if ask_exotel else ""}


@supervisor_required
@require_GET
def board(request):
    context = _board_context(request)
    # Its agents are re-read from Exotel often while the page (its live stream) stays open.
    watching.board_shows(request.session.session_key or "", (agent.pk for agent in context["page"].agents))
    template = "agents/board.html#board" if request.htmx and not request.htmx.boosted else "agents/board.html"
    return render(request, template, context)


@supervisor_required
@require_GET
def board_csv(request):
    filters = BoardFilterForm(request.GET).filters()
    header = [
        "name",
        "account",
        "exotel_user_id",
        "device_model",
        "availability",
        "ringing_on",
        "busy",
        "in_state_since",
        "last_change_at",
        "last_change_by",
        "drift",
        "not_found_in_exotel_since",
    ]
    rows = (_csv_row(agent) for agent in selectors.board_export_rows(request.user, filters))
    return _csv_response("agents", header, rows)


def _csv_response(name: str, header: list[str], rows):
    return csv_download(csv_lines(header, rows), f"{name}-{timezone.localdate():%Y-%m-%d}.csv")


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def _csv_row(agent) -> list:
    return [
        agent.name,
        agent.account.name,
        agent.exotel_user_id,
        agent.device_model,
        agent.availability,
        words.ringing_on_words(agent),
        "yes" if agent.availability == Availability.BUSY else "no",
        _iso(agent.state_since),
        _iso(agent.last_change_at),
        agent.last_change_by,
        "yes" if agent.has_drift else "no",
        _iso(agent.missing_in_exotel_since),
    ]


@supervisor_required
@require_POST
def board_sync(request):
    """Start a sync of every account the supervisor works in; the board refreshes itself."""
    accounts = list(accounts_for_user(request.user))
    sync.agents_sync_start(account_ids=[account.pk for account in accounts])
    names = ", ".join(a.name for a in accounts) or "no account"
    messages.success(request, f"Sync from Exotel started for {names}: the board updates itself when it is done.")
    return redirect("agents:board")


@supervisor_required
@require_GET
def board_find_in_exotel(request):
    """Exotel's users with the device searched for, each with a link or an "add" button (htmx partial)."""
    template = "agents/found_in_exotel.html" + ("#result" if request.htmx else "")
    try:
        address, found = finding.ask_exotel_for_device(user=request.user, text=request.GET.get("q", ""))
    except Refused as refused:
        return render(request, template, {"refusal": with_request_id(refused.message, refused.request_id)})
    return render(request, template, {"address": address, "found": found})


@supervisor_required
@require_POST
def board_add_from_exotel(request):
    account = request.POST.get("account", "")
    try:
        agent = finding.agent_add_from_exotel(
            user=request.user,
            account_id=int(account) if is_ascii_digits(account) else 0,
            exotel_user_id=request.POST.get("user_id", ""),
        )
    except Refused as refused:
        messages.error(request, with_request_id(refused.message, refused.request_id))
        return redirect("agents:board")
    messages.success(request, f"{agent.name} is added from Exotel, with their devices as Exotel has them now.")
    return redirect("agents:detail", agent.pk)


def _row_reply(request, agent, notice: Notice):
    row = selectors.board_row(request.user, agent.pk)
    return _reply(request, notice, "agents/board.html#row", {"agent": row}, reverse("agents:detail", args=[agent.pk]))


@supervisor_required
@require_POST
def agent_device(request, agent_id: int, device_id: int):
    agent = selectors.agent_for_user(request.user, agent_id)  # not in the supervisor's accounts: 404
    device = selectors.device_of_agent(agent, device_id)
    action = request.POST.get("action", "")
    if action not in (*DEVICE_ACTIONS, SWITCH):
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
    change = lambda: phone_sip.phone_sip_set(agent=agent, actor=actor, **changes)  # noqa: E731
    return _row_reply(request, agent, _attempt(change, "Exotel confirmed."))


@supervisor_required
@require_POST
def agent_go_unavailable(request, agent_id: int):
    agent = selectors.agent_for_user(request.user, agent_id)
    actor = Actor.person(request.user, Source.SUPERVISOR)
    change = lambda: devices.agent_go_unavailable(agent=agent, actor=actor)  # noqa: E731
    return _row_reply(request, agent, _attempt(change, "Every device is OFF."))


# -- one agent ----------------------------------------------------------------------------------


@supervisor_required
@require_GET
def agent_detail(request, agent_id: int):
    """The timeline, and the "why no calls" card from data fetched from Exotel right now."""
    agent = selectors.agent_for_user(request.user, agent_id)
    fresh = mirror.agent_refresh(agent=agent)
    row = selectors.board_row(request.user, agent.pk)
    context = {
        "agent": row,
        "agent_state": words.state_in_words(row, you=False),
        "fresh": fresh,
        "checks": why_no_calls(row, fresh),
        "events": selectors.agent_events(agent),
        "calls": selectors.agent_calls(request.user, agent),
    }
    template = "agents/detail.html#why" if request.htmx else "agents/detail.html"
    return render(request, template, context)


@supervisor_required
@require_POST
def agent_drift(request, agent_id: int):
    agent = selectors.agent_for_user(request.user, agent_id)
    action = request.POST.get("action", "")
    if action not in (drift.ACCEPT, drift.REAPPLY):
        return HttpResponseBadRequest("Choose accept or reapply.")
    actor = Actor.person(request.user, Source.SUPERVISOR)
    change = lambda: drift.agent_drift_resolve(agent=agent, action=action, actor=actor)  # noqa: E731
    done = "Accepted Exotel's state." if action == drift.ACCEPT else "Re-applied what exoadmin had set."
    return _row_reply(request, agent, _attempt(change, done))


# -- end of shift -------------------------------------------------------------------------------


@supervisor_required
@require_POST
def end_of_shift_start(request):
    form = AgentIdsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick at least one agent first.")
        return redirect("agents:board")
    chosen = set(form.cleaned_data["agents"])
    agents = list(selectors.agents_for_user(request.user).filter(pk__in=chosen).select_related("account"))
    if not agents or len(agents) != len(chosen):  # one you do not supervise: nothing starts
        messages.error(request, "Some of the ticked agents are not yours to turn OFF: nothing was started.")
        return redirect("agents:board")
    if not request.POST.get("confirm"):
        return render(request, "agents/end_of_shift.html", {"confirm_agents": agents})
    job = shifts.end_of_shift_job_create(agents=agents, actor=Actor.person(request.user, Source.SUPERVISOR))
    return redirect("agents:end_of_shift", job_id=job.pk)


@supervisor_required
@require_GET
def end_of_shift(request, job_id: int):
    job = selectors.end_of_shift_job_for_user(request.user, job_id)
    context = {"job": job, "items": job.items.select_related("agent") if job.is_finished else []}
    template = "agents/end_of_shift.html#progress" if request.htmx else "agents/end_of_shift.html"
    return render(request, template, context)


# -- automatic end-of-shift rules ---------------------------------------------------------------


@supervisor_required
@require_GET
def rules(request):
    return render(request, "agents/rules.html", {"rules": selectors.rules_for_user(request.user)})


@supervisor_required
@require_GET
def rules_csv(request):
    header = ["name", "account", "at", "days", "enabled", "last_ran_on", "agents", "teams"]
    rows = (
        [
            rule.name,
            rule.account.name,
            f"{rule.at_time:%H:%M}",
            rule.days_in_words,
            "yes" if rule.enabled else "no",
            _iso(rule.last_run_on),
            "; ".join(agent.name for agent in rule.agents.all()),
            "; ".join(team.name for team in rule.teams.all()),
        ]
        for rule in selectors.rules_export_rows(request.user)
    )
    return _csv_response("auto-off-rules", header, rows)


def _rule_form(request, form: AutoOffRuleForm, rule=None):
    """Save a valid POST and go back to the list, or show the form (with its errors in words)."""
    if request.method == "POST" and form.is_valid():
        actor = Actor.person(request.user, Source.SUPERVISOR)
        saved = shifts.auto_off_rule_save(rule=rule, actor=actor, **form.cleaned_data)
        state = "on" if saved.enabled else "off (it will not run until turned on)"
        if saved.is_due(timezone.localtime()):
            state += ". Its time today has just passed, so it turns these agents OFF within a minute"
        count = shifts.rule_agents(saved).count()
        messages.success(
            request,
            f"Rule “{saved.name}” saved: {saved.days_in_words} at {saved.at_time:%H:%M}, "
            f"{count} agent{'s' if count != 1 else ''}, {state}.",
        )
        return redirect("agents:rules")
    context = {
        "form": form,
        "rule": rule,
        "agent_choices": selectors.rule_agent_choices(request.user),
        "chosen": form.chosen_agent_ids(),
        "chosen_teams": form.chosen_agent_ids("teams"),
        "time_zone": settings.TIME_ZONE,
    }
    return render(request, "agents/rule_form.html", context)


@supervisor_required
@require_http_methods(["GET", "POST"])
def rule_add(request):
    return _rule_form(request, AutoOffRuleForm(request.POST if request.method == "POST" else None, user=request.user))


@supervisor_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, rule_id: int):
    rule = selectors.rule_for_user(request.user, rule_id)  # another account's rule: 404
    data = request.POST if request.method == "POST" else None
    return _rule_form(request, AutoOffRuleForm.for_rule(rule, data, user=request.user), rule)


@supervisor_required
@require_http_methods(["GET", "POST"])
def rule_delete(request, rule_id: int):
    """GET asks to confirm; POST deletes."""
    rule = selectors.rule_for_user(request.user, rule_id)
    if request.method == "GET":
        return render(request, "agents/rule_delete.html", {"rule": rule})
    shifts.auto_off_rule_delete(rule=rule, actor=Actor.person(request.user, Source.SUPERVISOR))
    messages.success(request, f"Rule “{rule.name}” deleted: it no longer turns agents OFF.")
    return redirect("agents:rules")
