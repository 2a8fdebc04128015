"""Who is watching an open stream, and which changes they may hear about.

A stream carries only what its viewer may see: an agent hears about their own agent row and their
own calls; a supervisor about the agents, calls and jobs of the accounts they are a member of; an
admin about everything. The same rule as the pages' selectors, decided once when the stream opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.selectors import own_agent
from exoadmin.accounts.roles import Role, role_of
from exoadmin.accounts.selectors import accounts_for_user


@dataclass(frozen=True)
class Viewer:
    user_id: int
    role: Role
    account_ids: frozenset[int] | None  # None: every account (admins)
    agent_id: int | None  # an agent's own agent row; None for supervisors and admins

    def may_see(self, message: dict) -> bool:
        """Whether a published change (exoadmin.live.publish) is this viewer's to hear."""
        if self.role == Role.AGENT:
            return self.agent_id is not None and message.get("agent") == self.agent_id
        account = message.get("account")
        return self.account_ids is None or account is None or account in self.account_ids

    @property
    def scope(self) -> tuple:
        """Viewers with the same scope see the same shared fragments (board counts, calls now)."""
        return (self.role, self.account_ids, self.agent_id)


def viewer_for(user) -> Viewer | None:
    """The viewer a signed-in person is, or None when they have no role (no stream for them)."""
    role = role_of(user)
    if role is None:
        return None
    if role == Role.AGENT:
        agent = own_agent(user)
        return Viewer(user.pk, role, frozenset(), agent.pk if agent else None)
    accounts = None if role == Role.ADMIN else frozenset(accounts_for_user(user).values_list("pk", flat=True))
    return Viewer(user.pk, role, accounts, None)
