"""Reads for the agent page, the board, the agent detail page and the CSV export.

The board reads only denormalised columns, the live call (joined) and two prefetches, so a page
costs the same number of queries whether the account has 50 agents or 5,000; pages are
keyset-paginated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypedDict

from django.core import signing
from django.db.models import Count, DateTimeField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from agents.device_address import device_address
from agents.models import (
    GONE_FROM_EXOTEL,
    Agent,
    AutoOffRule,
    Availability,
    AvailabilityEvent,
    Device,
    EndOfShiftItem,
    EndOfShiftJob,
)
from agents.team_counts import team_counts
from agents.words import state_in_words
from exoadmin.accounts.roles import Role, role_of
from teams.models import Team
from teams.scope import supervised_agents, supervised_rules
from teams.visible import teams_for_user

PAGE_SIZE = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # sorts agents with no time first


# -- who may see what ---------------------------------------------------------------------------


def agents_for_user(user) -> QuerySet[Agent]:
    """Admins see every agent; supervisors those of their accounts and teams (teams/scope.py)."""
    agents = Agent.objects.all()
    if role_of(user) == Role.ADMIN:
        return agents
    return agents.filter(supervised_agents(user))


def agent_for_user(user, agent_id: int) -> Agent:
    try:
        return agents_for_user(user).select_related("account", "phone_sip").get(pk=agent_id)
    except (Agent.DoesNotExist, ValueError):
        raise Http404("No such agent in your accounts.") from None


def own_agent(user) -> Agent | None:
    """The agent linked to this login (an agent acts only on their own devices)."""
    return (
        Agent.objects.filter(user=user)
        .select_related("account", "phone_sip", "live_call")
        .prefetch_related(Prefetch("devices", queryset=Device.objects.order_by("-type", "name")))
        .first()
    )


def own_device(user, device_id: int) -> Device:
    """A device of the login's own agent, else 404 (another agent's device id reveals nothing)."""
    try:
        return Device.objects.select_related("agent__account").get(pk=device_id, agent__user=user)
    except (Device.DoesNotExist, ValueError):
        raise Http404("No such device.") from None


def device_of_agent(agent: Agent, device_id: int) -> Device:
    try:
        return Device.objects.select_related("agent__account").get(pk=device_id, agent=agent)
    except (Device.DoesNotExist, ValueError):
        raise Http404("No such device.") from None


# -- the board ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilters:
    availability: str = ""  # available | busy | off
    model: str = ""  # ccm | integrations
    busy: str = ""  # busy | free
    drift: bool = False
    missing: bool = False  # only agents not found in Exotel
    q: str = ""
    team: int | None = None  # only this team's agents (a team the user may see)
    sort: str = "name"
    after: str = ""  # keyset cursor

    def without(self, name: str) -> dict[str, Any]:
        """The query string values with one filter removed (for a chip's × link)."""
        return {k: v for k, v in self.query().items() if k != name}

    def query(self) -> dict[str, Any]:
        values = {
            "availability": self.availability,
            "model": self.model,
            "busy": self.busy,
            "drift": "1" if self.drift else "",
            "missing": "1" if self.missing else "",
            "q": self.q,
            "team": "" if self.team is None else str(self.team),
            "sort": "" if self.sort == "name" else self.sort,
        }
        return {k: v for k, v in values.items() if v}


# sort name → (label, [(column, descending)]); every sort ends with the id as tie-break.
SORTS: dict[str, tuple[str, list[tuple[str, bool]]]] = {
    "name": ("Name", [("name", False)]),
    "time_in_state": ("Longest in this state", [("sort_since", False)]),
    "last_change": ("Latest change first", [("sort_changed", True)]),
    "availability": ("Availability", [("availability", False), ("name", False)]),
}
_DATETIME_COLUMNS = {"sort_since", "sort_changed"}


def _filtered(user, filters: BoardFilters) -> QuerySet[Agent]:
    agents = agents_for_user(user)
    if filters.availability:
        agents = agents.filter(availability=filters.availability)
    if filters.model:
        agents = agents.filter(device_model=filters.model)
    if filters.busy == "busy":
        agents = agents.filter(availability=Availability.BUSY)
    elif filters.busy == "free":
        agents = agents.exclude(availability=Availability.BUSY)
    if filters.drift:
        agents = agents.filter(has_drift=True)
    if filters.missing:
        agents = agents.filter(GONE_FROM_EXOTEL)
    if filters.team is not None:
        members = Team.agents.through.objects.filter(team=filters.team, team__in=teams_for_user(user).values("pk"))
        agents = agents.filter(pk__in=members.values("agent_id"))
    if filters.q:
        q = filters.q.strip()
        matches = (
            Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(devices__contact_uri__icontains=q)
            | Q(phone_sip__phone_number__icontains=q)
            | Q(phone_sip__sip_username__icontains=q)
        )
        if address := device_address(q):  # "+91 98765 00001" finds +919876500001
            matches |= Q(devices__contact_uri__iexact=address) | Q(phone_sip__phone_number=address)
        agents = agents.filter(matches).distinct()
    return agents


def _with_sort_keys(agents: QuerySet[Agent]) -> QuerySet[Agent]:
    epoch = Value(_EPOCH, output_field=DateTimeField())
    return agents.annotate(sort_since=Coalesce("state_since", epoch), sort_changed=Coalesce("last_change_at", epoch))


def _keyset(columns: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order of `columns` (the last column is the id)."""
    condition = Q()
    for i, (column, descending) in enumerate(columns):
        step = Q(**{f"{column}__{'lt' if descending else 'gt'}": values[i]})
        for j, (previous, _) in enumerate(columns[:i]):
            step &= Q(**{previous: values[j]})
        condition |= step
    return condition


def _encode_cursor(agent: Agent, columns: list[tuple[str, bool]]) -> str:
    values = [getattr(agent, column) for column, _ in columns]
    return signing.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], salt="agents.board")


def _decode_cursor(cursor: str, columns: list[tuple[str, bool]]) -> list[Any] | None:
    try:
        values = signing.loads(cursor, salt="agents.board")
        if len(values) != len(columns):
            return None
        return [
            datetime.fromisoformat(v) if column in _DATETIME_COLUMNS else v
            for (column, _), v in zip(columns, values, strict=True)
        ]
    except (signing.BadSignature, TypeError, ValueError):
        return None


@dataclass
class BoardPage:
    agents: list[Agent]
    next_cursor: str
    total: int
    counts: dict[str, int]
    last_synced_at: datetime | None
    as_of: datetime


def board_page(user, filters: BoardFilters, *, page_size: int = PAGE_SIZE) -> BoardPage:
    """One page of the board: a constant number of queries whatever the number of agents."""
    _, sort_columns = SORTS.get(filters.sort, SORTS["name"])
    columns = [*sort_columns, ("id", sort_columns[-1][1])]
    agents = _with_sort_keys(_filtered(user, filters))
    values = _decode_cursor(filters.after, columns) if filters.after else None
    if values is not None:
        agents = agents.filter(_keyset(columns, values))
    ordering = [f"-{column}" if descending else column for column, descending in columns]
    rows = list(_as_rows(agents).order_by(*ordering)[: page_size + 1])
    next_cursor = _encode_cursor(rows[page_size - 1], columns) if len(rows) > page_size else ""
    summary = board_counts(user)
    return BoardPage(
        rows[:page_size], next_cursor, summary["total"], summary, summary["last_synced_at"], timezone.now()
    )


def board_counts(user) -> dict:
    """How many of the user's agents are in each state, and when Exotel was last read (one query);
    `teams`: the same per team the user may see (agents.team_counts, one query)."""
    counts = agents_for_user(user).aggregate(
        total=Count("pk"),
        available=Count("pk", filter=Q(availability=Availability.AVAILABLE)),
        busy=Count("pk", filter=Q(availability=Availability.BUSY)),
        off=Count("pk", filter=Q(availability=Availability.OFF)),
        drift=Count("pk", filter=Q(has_drift=True)),
        missing=Count("pk", filter=GONE_FROM_EXOTEL),
        last_synced_at=Max("synced_at"),
    )
    return {**counts, "teams": team_counts(user)}


def board_row(user, agent_id: int) -> Agent:
    """One agent as a board row shows it (after an inline change)."""
    try:
        return _as_rows(agents_for_user(user)).get(pk=agent_id)
    except (Agent.DoesNotExist, ValueError):
        raise Http404("No such agent in your accounts.") from None


def board_row_pushed(agent_id: int) -> Agent | None:
    """One agent as every open board shows it, for the live stream (which checked who may see it)."""
    return _as_rows(Agent.objects.all()).filter(pk=agent_id).first()


def _as_rows(agents: QuerySet[Agent]) -> QuerySet[Agent]:
    devices = Prefetch("devices", queryset=Device.objects.order_by("-type", "name"))
    return agents.select_related("account", "phone_sip", "live_call").prefetch_related(devices)


def board_export_rows(user, filters: BoardFilters):
    """Every agent matching the filters (no paging), streamed in chunks for the CSV export."""
    agents = _filtered(user, filters).select_related("account", "phone_sip").order_by("name", "id")
    return agents.prefetch_related("devices").iterator(chunk_size=500)


# -- one agent ----------------------------------------------------------------------------------


def agent_events(agent: Agent, *, limit: int = 100) -> list[AvailabilityEvent]:
    return list(agent.events.select_related("actor")[:limit])


def agent_calls(user, agent: Agent, *, limit: int = 10) -> list | None:
    """The agent's latest calls that `user` may see, from the calls app's history selector."""
    try:
        from calls.selectors import HistoryFilters, history_page
    except ImportError:  # a deployment without the calls app
        return None
    return history_page(user, HistoryFilters(agent_id=agent.pk), page_size=limit).calls


def end_of_shift_job_for_user(user, job_id: int) -> EndOfShiftJob:
    """A job whose agents the user may see (admins: any)."""
    jobs = EndOfShiftJob.objects.all()
    if role_of(user) != Role.ADMIN:  # theirs, or one whose every agent they supervise (rules' jobs)
        others = EndOfShiftItem.objects.exclude(agent__in=agents_for_user(user).values("pk")).values("job_id")
        jobs = jobs.filter(Q(created_by=user) | (Q(items__isnull=False) & ~Q(pk__in=others))).distinct()
    try:
        return jobs.get(pk=job_id)
    except (EndOfShiftJob.DoesNotExist, ValueError):
        raise Http404("No such end-of-shift job.") from None


# -- automatic end-of-shift rules ---------------------------------------------------------------


def rules_for_user(user) -> QuerySet[AutoOffRule]:
    """Admins see every rule; supervisors those teams/scope.py's supervised_rules gives them. Counts are
    subqueries: joining agents and a year of daily jobs would multiply rows."""
    members = AutoOffRule.agents.through.objects.filter(autooffrule=OuterRef("pk"))
    teams = AutoOffRule.teams.through.objects.filter(autooffrule=OuterRef("pk"))
    # django-stubs does not track annotations on an auto-created many-to-many through model.
    agent_counts = members.values("autooffrule").annotate(n=Count("pk")).values("n")  # type: ignore[misc]
    team_counts = teams.values("autooffrule").annotate(n=Count("pk")).values("n")  # type: ignore[misc]
    rules = AutoOffRule.objects.select_related("account").annotate(
        agent_count=Coalesce(Subquery(agent_counts), 0),
        team_count=Coalesce(Subquery(team_counts), 0),
        last_job_id=Subquery(EndOfShiftJob.objects.filter(rule=OuterRef("pk")).order_by("-pk").values("pk")[:1]),
    )
    if role_of(user) == Role.ADMIN:
        return rules
    return rules.filter(supervised_rules(user))


def rule_for_user(user, rule_id: int) -> AutoOffRule:
    try:
        return rules_for_user(user).get(pk=rule_id)
    except (AutoOffRule.DoesNotExist, ValueError):
        raise Http404("No such rule in your accounts.") from None


class RuleAgentChoice(TypedDict):
    pk: int
    name: str
    account_id: int
    account__name: str


def rule_agent_choices(user) -> list[RuleAgentChoice]:
    """The agents a rule of this user may turn OFF, for the rule form's checkboxes (one query)."""
    return list(
        agents_for_user(user)
        .order_by("account__name", "name", "pk")
        .values("pk", "name", "account_id", "account__name")
    )


def rule_teams(user) -> QuerySet[Team]:
    """The teams a rule of this user may target, for the rule form."""
    return teams_for_user(user).select_related("account").order_by("account__name", "name")


def rules_export_rows(user):
    """Every rule with its agents' and teams' names, for the CSV export (three queries)."""
    named = Prefetch("agents", queryset=Agent.objects.only("name"))
    return rules_for_user(user).prefetch_related(named, Prefetch("teams", queryset=Team.objects.only("name")))


def my_availability(*, user) -> dict:
    """What the agent's own page shows; also the agent's home page."""
    agent = own_agent(user)
    return {
        "my_agent": agent,
        "my_state": state_in_words(agent) if agent else "",
        "my_confirmed_at": agent.confirmed_at if agent else None,
    }
