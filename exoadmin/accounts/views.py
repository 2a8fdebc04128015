from typing import Any

from django.shortcuts import render

from exoadmin.accounts.roles import Role, any_role_required, role_of
from exoadmin.accounts.selectors import accounts_for_user


@any_role_required
def home(request):
    """Each role's home page: an agent's availability; for the others, what needs them today."""
    role = role_of(request.user)
    assert role is not None  # any_role_required lets in only users with a role
    context: dict[str, Any] = {"accounts": accounts_for_user(request.user), "Role": Role}
    if role == Role.AGENT:
        from agents.selectors import my_availability
        from calls.outcome_selectors import waiting_for_outcome_page

        context |= my_availability(user=request.user) | {"waiting": waiting_for_outcome_page(request.user)}
    else:
        from agents.selectors import board_counts
        from calls.kpis import kpi_totals_today
        from calls.outcome_selectors import waiting_for_outcome_count
        from contacts.selectors import bulk_edits_needing_attention

        context |= {
            "today": kpi_totals_today(request.user),
            "bulk_edits": bulk_edits_needing_attention(request.user),
            "agent_counts": board_counts(request.user),
            "waiting_count": waiting_for_outcome_count(request.user)[0],
        }
    return render(request, f"accounts/home_{role.value}.html", context)
