"""Who sees which agents and calls: the one place the teams rule is stated.

Admins see everything. A supervisor sees the agents of the accounts where they are account-wide and
the agents of the teams they lead; the calls of those accounts and the calls placed for those teams
(a call belongs to the teams its agent was in when it was placed). Everything a supervisor can list,
count, chart, export, open by id or hear about on a live stream goes through these two filters.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from agents.models import Agent, AutoOffRule
from exoadmin.accounts.models import ExotelAccount
from teams.models import Team


def wide_accounts(user):
    """The accounts whose every agent and call this supervisor sees."""
    return ExotelAccount.objects.filter(account_wide=user, members=user).values("pk")


def supervised_agents(user) -> Q:
    """Over Agent: the agents a supervisor looks after."""
    led = Team.agents.through.objects.filter(team__leads=user, team__account__members=user).values("agent_id")
    return Q(account__in=wide_accounts(user)) | Q(pk__in=led)


def supervised_calls(user) -> Q:
    """Over Call: the calls a supervisor looks after. "This call is in a team they lead" is asked of
    each call (EXISTS, one index probe), not as a list of every call of their teams: so the database
    walks calls newest first and stops after a page, however many calls the teams have."""
    led_teams = Team.objects.filter(leads=user, account__members=user).values("pk")
    in_led_team = Team.calls.through.objects.filter(call=OuterRef("pk"), team__in=led_teams)
    return Q(account__in=wide_accounts(user)) | Q(Exists(in_led_team))


def supervised_calls_of_account(user, account_id: int) -> Q:
    """`supervised_calls` within one account, in the form a count over months of calls wants: all the
    account's calls where they are account-wide, else the calls of the teams they lead there, read
    from the call–team table by team (its index), not asked of each call of the account."""
    if ExotelAccount.objects.filter(pk=account_id, account_wide=user, members=user).exists():
        return Q(account_id=account_id)
    led = Team.calls.through.objects.filter(team__leads=user, team__account_id=account_id, team__account__members=user)
    return Q(account_id=account_id, pk__in=led.values("call_id"))


def teams_of_agent(agent_id: int | None) -> list[int]:
    """The teams a call placed now for this agent belongs to."""
    if agent_id is None:
        return []
    return list(Team.agents.through.objects.filter(agent_id=agent_id).values_list("team_id", flat=True))


def supervised_teams(user) -> Q:
    """Over Team: the teams a supervisor may pick (on a rule): every team of their account-wide
    accounts, and the teams they lead."""
    led = Team.leads.through.objects.filter(user=user, team__account__members=user).values("team_id")
    return Q(account__in=wide_accounts(user)) | Q(pk__in=led)


def team_agent_ids(user) -> frozenset[int]:
    """The agents of the teams a supervisor leads (a live stream's scope beyond their account-wide accounts)."""
    led = Team.agents.through.objects.filter(team__leads=user, team__account__members=user)
    return frozenset(led.values_list("agent_id", flat=True))


def supervised_rules(user) -> Q:
    """Over AutoOffRule: the automatic end-of-shift rules a supervisor sees and may change.

    The rule, stated once: every rule of the accounts where they are account-wide; elsewhere a rule
    only when everything it targets is theirs: each agent it names is one they supervise, each team
    it targets is one they lead, and it targets at least one of either. A rule that also reaches
    another team's people is not theirs to see or change (an account-wide supervisor or an admin
    looks after it)."""
    named = AutoOffRule.agents.through.objects
    targeted = AutoOffRule.teams.through.objects
    others_agents = named.exclude(agent__in=Agent.objects.filter(supervised_agents(user)).values("pk"))
    others_teams = targeted.exclude(team__in=Team.objects.filter(leads=user, account__members=user).values("pk"))
    own = (
        (Q(pk__in=named.values("autooffrule_id")) | Q(pk__in=targeted.values("autooffrule_id")))
        & ~Q(pk__in=others_agents.values("autooffrule_id"))
        & ~Q(pk__in=others_teams.values("autooffrule_id"))
        & Q(account__in=ExotelAccount.objects.filter(members=user).values("pk"))
    )
    return Q(account__in=wide_accounts(user)) | own
