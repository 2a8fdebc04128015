"""Time in state: the team page, an agent's timeline and the CSV of the intervals."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from exoadmin.accounts.roles import any_role_required, supervisor_required
from exoadmin.spreadsheets import csv_download, csv_lines
from reports.forms import TeamRangeForm
from reports.time_in_state import charts, selectors
from reports.time_in_state.forms import TimelineForm
from reports.time_in_state.states import BY_KEY, STATES

CSV_HEADER = ["agent", "teams", "state", "started", "ended", "seconds", "changed by"]
MAX_CHANGES = 1000
AGENTS_SHOWN = 200  # a page of rows with a chart each; a whole account's agents are a team filter away


@supervisor_required
@require_GET
def time_in_state(request):
    form = TeamRangeForm(request.GET or None, user=request.user)
    report_range = form.report_range()
    context = {"form": form, "states": STATES, "report_range": report_range}
    if report_range:
        team = form.cleaned_data.get("team") if form.is_bound else None
        agents = selectors.report_agents(request.user, report_range, team)
        by_agent = selectors.seconds_by_agent(report_range, agents)
        context["teams"] = [
            charts.StateRow(t.name, seconds)
            for t, seconds in selectors.team_rows(request.user, report_range, agents, by_agent, team)
        ]
        context["agents"] = [
            charts.StateRow(name, by_agent.get(pk, {}), reverse("reports:agent_timeline", args=[pk]))
            for pk, name in agents.order_by("name").values_list("pk", "name")[:AGENTS_SHOWN]
        ]
        context["agents_total"] = agents.count() if len(context["agents"]) == AGENTS_SHOWN else len(context["agents"])
        context["query"] = request.GET.urlencode()
    return render(request, "reports/time_in_state.html", context)


@any_role_required
@require_GET
def agent_timeline(request, agent_id: int):
    agent = selectors.timeline_agent(request.user, agent_id)
    form = TimelineForm(request.GET or None, user=request.user, agent=agent)
    report_range = form.report_range()
    context = {"form": form, "agent": agent, "states": STATES, "report_range": report_range}
    if report_range:
        intervals = selectors.agent_intervals(report_range, agent)
        changes = charts.changes(report_range, intervals)
        context.update(
            timeline=charts.timeline(report_range, intervals),
            total=charts.StateRow(agent.name, selectors.added_up(_seconds(intervals))),
            changes=changes[-MAX_CHANGES:][::-1],
            changes_left_out=max(len(changes) - MAX_CHANGES, 0),
        )
    return render(request, "reports/agent_timeline.html", context)


def _seconds(intervals):
    return ({interval.state: interval.seconds} for interval in intervals)


@supervisor_required
@require_GET
def time_in_state_csv(request):
    form = TeamRangeForm(request.GET or None, user=request.user)
    report_range = form.report_range()
    if report_range is None:
        return render(request, "reports/time_in_state.html", {"form": form, "states": STATES}, status=400)
    team = form.cleaned_data.get("team") if form.is_bound else None
    agents = selectors.report_agents(request.user, report_range, team)
    names, teams = dict(agents.values_list("pk", "name")), selectors.teams_by_agent(agents)
    zone = report_range.account.zone
    rows = (
        [
            names[row.agent_id],
            teams.get(row.agent_id, ""),
            BY_KEY[row.state].label,
            row.started_at.astimezone(zone).isoformat(),
            row.ended_at.astimezone(zone).isoformat() if row.ended_at else "",
            row.seconds,
            row.changed_by,
        ]
        for row in selectors.interval_rows(report_range, agents)
    )
    filename = f"time-in-state-{report_range.first_day}-{report_range.last_day}.csv"
    return csv_download(csv_lines(CSV_HEADER, rows), filename)
