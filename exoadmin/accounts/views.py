from django.shortcuts import render

from exoadmin.accounts.roles import Role, any_role_required, role_of
from exoadmin.accounts.selectors import accounts_for_user


@any_role_required
def home(request):
    """Each role's home page."""
    role = role_of(request.user)
    accounts = accounts_for_user(request.user)
    context = {"accounts": accounts, "Role": Role}
    if role == Role.AGENT:  # an agent's home is their availability page
        from agents.selectors import my_availability

        context |= my_availability(user=request.user)
    return render(request, f"accounts/home_{role.value}.html", context)
