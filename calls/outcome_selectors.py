"""Reads about call outcomes: what a call's form offers, its changes, and the answered calls still
waiting for an outcome (an agent's list, a home page's count). calls/outcomes.py writes them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from agents.models import Agent
from calls.models import Call, CallOutcome, CallSettings, HistoryStatus
from calls.selectors import STATUS_FILTERS, TOTAL_CAP, visible_calls
from exoadmin.accounts.roles import Role, role_of
from exoadmin.accounts.selectors import accounts_for_user


def history_outcomes(account_ids: Collection[int]) -> list[CallOutcome]:
    """Every outcome of these accounts, retired ones too (past calls keep them): the history's filter."""
    return list(CallOutcome.objects.filter(account_id__in=account_ids).select_related("account"))


@dataclass
class OutcomePick:
    """A call with the outcomes its form offers (its account's active ones, and the one it has)."""

    call: Call
    outcomes: list[CallOutcome]


def outcome_picks(calls: list[Call]) -> list[OutcomePick]:
    """Each call with its outcomes to pick from: one query for a page of calls."""
    accounts = {call.account_id for call in calls}
    current = {call.outcome_id for call in calls}
    outcomes = list(CallOutcome.objects.filter(Q(active=True) | Q(pk__in=current), account_id__in=accounts))
    return [
        OutcomePick(
            call, [o for o in outcomes if o.account_id == call.account_id and (o.active or o.pk == call.outcome_id)]
        )
        for call in calls
    ]


def outcome_changes(call: Call) -> list:
    return list(call.outcome_changes.select_related("by").order_by("-at", "-id"))


WAITING_SHOWN = 20


def waiting_for_outcome(user) -> QuerySet[Call]:
    """Answered calls of `user`'s reach with no outcome yet, in accounts that require one, newest first."""
    required = CallSettings.objects.filter(outcome_required=True).values("account_id")
    return (
        visible_calls(user)
        .filter(STATUS_FILTERS[HistoryStatus.COMPLETED], outcome__isnull=True, account__in=required)
        .order_by("-created_at", "-id")
    )


@dataclass
class WaitingForOutcome:
    """An agent's answered calls still needing an outcome: the newest WAITING_SHOWN of `total`."""

    required: bool  # whether any of their accounts requires outcomes (else nothing is shown)
    picks: list[OutcomePick]
    total: int
    agent_id: int | None = None  # an agent's own agent: a call of theirs ending refreshes the list


def waiting_for_outcome_page(user) -> WaitingForOutcome:
    accounts = accounts_for_user(user).values("pk")
    if not CallSettings.objects.filter(outcome_required=True, account__in=accounts).exists():
        return WaitingForOutcome(required=False, picks=[], total=0)
    calls = list(waiting_for_outcome(user).select_related("agent")[:WAITING_SHOWN])
    total = len(calls) if len(calls) < WAITING_SHOWN else waiting_for_outcome_count(user)[0]
    own = Agent.objects.filter(user=user).values_list("pk", flat=True).first() if role_of(user) == Role.AGENT else None
    return WaitingForOutcome(required=True, picks=outcome_picks(calls), total=total, agent_id=own)


def waiting_for_outcome_count(user) -> tuple[int, bool]:
    """(waiting calls up to TOTAL_CAP, whether there are more): a home page's count."""
    total = waiting_for_outcome(user).order_by()[: TOTAL_CAP + 1].count()
    return min(total, TOTAL_CAP), total > TOTAL_CAP
