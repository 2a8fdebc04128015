"""The team pages, for admins: list, add, edit, delete (with a confirm step). Thin: the form parses,
teams/services.py decides and writes."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from exoadmin.accounts.roles import Role, role_required
from teams import selectors, services
from teams.forms import TeamForm

admin_required = role_required(Role.ADMIN)


@admin_required
@require_GET
def team_list(request):
    return render(request, "teams/list.html", {"teams": selectors.teams_list()})


def _team_form(request, form: TeamForm, team=None):
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.team_save(team=team, by=request.user, **form.cleaned_data)
        except services.TeamRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            count = saved.agents.count()
            messages.success(
                request,
                f"Team “{saved.name}” saved: {count} agent{'s' if count != 1 else ''}, led by "
                f"{', '.join(user.username for user in saved.leads.all()) or 'nobody yet'}. "
                "Its leads see these agents and their calls from now on.",
            )
            return redirect("teams:list")
    context = {
        "form": form,
        "team": team,
        "chosen_agents": form.chosen("agents"),
        "chosen_leads": form.chosen("leads"),
        **selectors.form_choices(),
    }
    return render(request, "teams/form.html", context, status=422 if form.errors else 200)


@admin_required
@require_http_methods(["GET", "POST"])
def team_add(request):
    return _team_form(request, TeamForm(request.POST if request.method == "POST" else None))


@admin_required
@require_http_methods(["GET", "POST"])
def team_edit(request, team_id: int):
    team = selectors.team_by_id(team_id)
    data = request.POST if request.method == "POST" else None
    return _team_form(request, TeamForm.for_team(team, data), team)


@admin_required
@require_http_methods(["GET", "POST"])
def team_delete(request, team_id: int):
    """GET asks to confirm; POST deletes."""
    team = selectors.team_by_id(team_id)
    if request.method == "GET":
        return render(request, "teams/delete.html", {"team": team})
    services.team_delete(team=team, by=request.user)
    messages.success(request, f"Team “{team.name}” deleted: its agents stay, its leads no longer see them through it.")
    return redirect("teams:list")
