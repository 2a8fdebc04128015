"""Who may use what: admins are staff; supervisors and agents are Django groups."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    SUPERVISOR = "supervisor", "Supervisor"
    AGENT = "agent", "Agent"


GROUP_NAMES = {Role.SUPERVISOR: "Supervisors", Role.AGENT: "Agents"}


def role_of(user) -> Role | None:
    """The user's role; staff outrank groups, supervisors outrank agents."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_staff:
        return Role.ADMIN
    if not hasattr(user, "_role_group_names"):
        user._role_group_names = set(user.groups.values_list("name", flat=True))
    for role in (Role.SUPERVISOR, Role.AGENT):
        if GROUP_NAMES[role] in user._role_group_names:
            return role
    return None


def _who(roles: tuple[Role, ...]) -> str:
    labels = [f"{role.label.lower()}s" for role in roles]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def role_required(*roles: Role) -> Callable:
    """Anonymous users go to the login page; a wrong role gets a 403 naming the roles needed."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                raise PermissionDenied(f"This page is for {_who(roles)}.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


supervisor_required = role_required(Role.SUPERVISOR, Role.ADMIN)
agent_required = role_required(Role.AGENT)
any_role_required = role_required(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
