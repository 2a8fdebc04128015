"""Who is watching an open stream, and which changes they may hear about.

A stream carries only what its viewer may see: an agent hears about their own agent row and their
own calls; a supervisor about the agents and calls teams/scope.py gives them (every agent of the
accounts where they are account-wide, the agents of the teams they lead) and the account-level news
(bulk edits, end-of-shift jobs) of the accounts they are a member of; an admin about everything. The
same rule as the pages' selectors, decided when the stream opens and again whenever a team of one of
their accounts changes (exoadmin.live.hub).
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.selectors import own_agent
from exoadmin.accounts.roles import Role, role_of
from exoadmin.accounts.selectors import accounts_for_user
from teams.scope import team_agent_ids, wide_accounts

_AGENTS_NEWS = {"agent", "call"}  # news about one agent or one call: heard within a supervisor's scope only


@dataclass(frozen=True)
class Viewer:
    user_id: int
    role: Role
    account_ids: frozenset[int] | None  # the accounts they are a member of; None: every account (admins)
    agent_id: int | None  # an agent's own agent row; None for supervisors and admins
    wide_account_ids: frozenset[int] = frozenset()  # a supervisor's account-wide accounts
    agent_ids: frozenset[int] = frozenset()  # the agents of the teams a supervisor leads

    def may_see(self, message: dict) -> bool:
        """Whether a published change (exoadmin.live.publish) is this viewer's to hear."""
        if self.role == Role.AGENT:
            return self.agent_id is not None and message.get("agent") == self.agent_id
        account, agent = message.get("account"), message.get("agent")
        if self.account_ids is None or account is None:
            return True
        if account not in self.account_ids:
            return False
        if account in self.wide_account_ids:
            return True
        if agent is None:  # a bulk edit's news is the account's; a call of no agent, only account-wide
            return message.get("topic") not in _AGENTS_NEWS
        return agent in self.agent_ids

    @property
    def scope(self) -> tuple:
        """Viewers with the same scope see the same shared fragments (board counts, calls now)."""
        return (self.role, self.account_ids, self.agent_id, self.wide_account_ids, self.agent_ids)


def viewer_for(user) -> Viewer | None:
    """The viewer a signed-in person is, or None when they have no role (no stream for them)."""
    role = role_of(user)
    if role is None:
        return None
    if role == Role.AGENT:
        agent = own_agent(user)
        return Viewer(user.pk, role, frozenset(), agent.pk if agent else None)
    if role == Role.ADMIN:
        return Viewer(user.pk, role, None, None)
    accounts = frozenset(accounts_for_user(user).values_list("pk", flat=True))
    wide = frozenset(wide_accounts(user).values_list("pk", flat=True))
    return Viewer(user.pk, role, accounts, None, wide, team_agent_ids(user))
