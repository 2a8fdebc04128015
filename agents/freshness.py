"""Keeping the agents open boards show fresh: asked about again from Exotel, within the shared budget.

Beat runs `watched_agents_refresh` every SWEEP_EVERY_SECONDS. It takes the agents some open screen
shows (exoadmin.live.watching), keeps those whose last answer from Exotel (`Agent.confirmed_at`)
would outlive their cadence (`Agent.refresh_seconds`) before the next sweep is done, oldest answer
first, and asks Exotel about them again, account by account:

- CCM agents: Exotel's users listing filtered by the agents' emails, 50 users per request.
  Exotel's listing cannot be filtered by user id (exotel-api-research.md 2.2: only `email` and
  `devices.contact_uri`). Paging through the whole listing costs one request per 50 users of the
  account however few are watched; the email filter costs one per 50 watched agents, never more.
  An email never changes once set (a device's number can, and devices come and go), so a watched
  user is found by it whatever happened to their devices. 120 watched CCM agents: 3 requests.
- phone/SIP agents: Exotel has no list of these devices, so one request per agent, at the slower
  PHONE_SIP_REFRESH_SECONDS; CCM agents without an email likewise (one user read each).

Every request is bulk priority: the budget's interactive reserve stays for supervisors' clicks. When
no slot frees within SWEEP_BUDGET_WAIT, or Exotel cannot be reached, the round stops for that
account and the next sweep carries on. One sweep runs at a time across every worker, and none
starts a request after SWEEP_DEADLINE_SECONDS.

What Exotel answers is stored exactly as the sync stores it (agents.sync: drift audited,
availability and drift flag set, logins linked, open screens told). A partial read proves nothing
about who is gone: a user the email filter does not answer for, or that Exotel answers 404 for, is
left as it is, and only the sync's complete listing flags agents "not found in Exotel".
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from agents.audit import log_exotel_failure
from agents.models import Agent
from agents.sync import PhoneSipAnswer, SyncResult, ccm_users_store, phone_sip_read, phone_sip_store
from exoadmin.accounts.clients import exotel_client
from exoadmin.accounts.models import ExotelAccount
from exoadmin.exotel import users
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import ExotelError, NotFound
from exoadmin.live.watching import watched_agents
from exoadmin.locks import freshness_sweep_lock

log = logging.getLogger("exoadmin.agents")

SWEEP_EVERY_SECONDS = 10  # beat's interval (settings.CELERY_BEAT_SCHEDULE "agents-freshness")
# Room for a sweep's own duration and a late beat tick: an agent is asked about again once its
# answer is refresh_seconds - SWEEP_EVERY_SECONDS - SWEEP_ALLOWANCE_SECONDS old (17 s for CCM,
# so each is read every 20 s and no answer a board shows gets older than 30 s).
SWEEP_ALLOWANCE_SECONDS = 3
SWEEP_BUDGET_WAIT = 1.0  # seconds a request waits for the budget; then the next sweep goes on
SWEEP_DEADLINE_SECONDS = 20.0  # no request starts later than this into a sweep
PAGE = users.MAX_PAGE


@dataclass
class SweepResult:
    ran: bool = True  # False: another sweep was running (or Redis could not say)
    watched: int = 0
    due: int = 0
    requests: int = 0  # logical requests to Exotel (the client may retry one)
    read: int = 0  # agents stored from a fresh answer
    stopped: list[str] = field(default_factory=list)  # why an account's round ended early
    stored: SyncResult = field(default_factory=SyncResult)

    def summary(self) -> str:
        stopped = f"; stopped: {'; '.join(self.stopped)}" if self.stopped else ""
        read = f"{self.read} of {self.due} due agents re-read in {self.requests} requests"
        return f"{read} ({self.watched} watched){stopped}"


class _StopRound(Exception):
    """This account's round ends here (no budget, Exotel unreachable, out of time)."""


def watched_agents_refresh() -> SweepResult:
    """Ask Exotel again about the watched agents whose answer is getting old, and store it."""
    result = SweepResult()
    with freshness_sweep_lock() as acquired:
        if not acquired:
            result.ran = False
            return result
        watched = watched_agents()
        result.watched = len(watched)
        due = due_agents(watched, timezone.now())
        result.due = len(due)
        deadline = time.monotonic() + SWEEP_DEADLINE_SECONDS
        by_account: dict[int, list[Agent]] = defaultdict(list)
        for agent in due:
            by_account[agent.account_id].append(agent)
        for agents in by_account.values():
            _account_refresh(agents[0].account, agents, deadline, result)
    if result.due or result.stopped:
        log.info("freshness sweep: %s", result.summary())
    return result


def due_agents(agent_ids: Iterable[int], now: datetime) -> list[Agent]:
    """Those of these agents Exotel can be asked about whose answer would be older than their cadence
    before the next sweep comes, oldest answer first (first to be asked when the budget is short)."""
    due = [
        agent
        for agent in Agent.objects.filter(pk__in=list(agent_ids)).select_related("account")
        if _askable(agent) and _older_than(agent, now - _due_age(agent))
    ]
    return sorted(due, key=lambda agent: agent.confirmed_at or datetime.min.replace(tzinfo=UTC))


def _due_age(agent: Agent) -> timedelta:
    """How old an answer may be at the start of a sweep and still be within the agent's cadence
    when the next sweep has been and gone."""
    return timedelta(seconds=agent.refresh_seconds - SWEEP_EVERY_SECONDS - SWEEP_ALLOWANCE_SECONDS)


def _askable(agent: Agent) -> bool:
    if agent.uses_phone_sip:
        return bool(agent.integrations_user_id) and agent.account.has_integrations
    # A user the sync found gone is only asked for in a shared listing request, never on its own.
    return bool(agent.exotel_user_id) and (agent.readable_by_email or not agent.is_gone_from_exotel)


def _older_than(agent: Agent, moment: datetime) -> bool:
    confirmed_at = agent.confirmed_at
    return confirmed_at is None or confirmed_at <= moment


def _account_refresh(account: ExotelAccount, agents: list[Agent], deadline: float, result: SweepResult) -> None:
    client = exotel_client(account, priority="bulk", budget_wait=SWEEP_BUDGET_WAIT)
    listed = [agent for agent in agents if agent.readable_by_email]
    alone = [agent for agent in agents if not agent.readable_by_email and not agent.uses_phone_sip]
    phone_sip = [agent for agent in agents if agent.uses_phone_sip]
    try:
        for start in range(0, len(listed), PAGE):
            _listed_refresh(account, client, listed[start : start + PAGE], deadline, result)
        for agent in alone:
            _user_refresh(account, client, agent, deadline, result)
        for start in range(0, len(phone_sip), PAGE):
            _phone_sip_refresh(account, client, phone_sip[start : start + PAGE], deadline, result)
    except _StopRound as stop:
        result.stopped.append(f"{account.name}: {stop}")


def _ask(deadline: float, result: SweepResult) -> None:
    """Before each request: out of time stops the round; the request is counted."""
    if time.monotonic() > deadline:
        raise _StopRound("out of time for this sweep")
    result.requests += 1


def _stop_unless_permanent(agent_id: int | None, what: str, exc: ExotelError) -> None:
    """A refusal about this one request (4xx) is logged and the round goes on; a failure that the
    next request would meet as well (no budget, Exotel unreachable or failing) ends the round."""
    if agent_id is not None:
        log_exotel_failure(agent_id, what, exc)
    else:
        log.warning("exotel refused %s: %s", what, exc.user_message, extra={"request_id": exc.request_id})
    if not exc.permanent:
        raise _StopRound(exc.user_message) from exc


def _listed_refresh(
    account: ExotelAccount, client: ExotelClient, agents: list[Agent], deadline: float, result: SweepResult
) -> None:
    """One listing request for up to 50 agents by email; users it answers for that are not among
    them (an email now someone else's) are left to the sync."""
    _ask(deadline, result)
    asked_at = timezone.now()
    try:
        answered = users.users_by_email(client, [agent.email for agent in agents])
    except ExotelError as exc:
        _stop_unless_permanent(None, f"re-reading {len(agents)} watched users by email", exc)
        return
    wanted = {agent.exotel_user_id for agent in agents}
    stored = ccm_users_store(account, [user for user in answered if user.id in wanted], asked_at, result.stored)
    result.read += len(stored)


def _user_refresh(
    account: ExotelAccount, client: ExotelClient, agent: Agent, deadline: float, result: SweepResult
) -> None:
    _ask(deadline, result)
    asked_at = timezone.now()
    try:
        user = users.get_user(client, agent.exotel_user_id)
    except NotFound:
        return  # only the sync's complete listing decides that a user is gone
    except ExotelError as exc:
        _stop_unless_permanent(agent.pk, "re-reading a watched user", exc)
        return
    result.read += len(ccm_users_store(account, [user], asked_at, result.stored))


def _phone_sip_refresh(
    account: ExotelAccount, client: ExotelClient, agents: list[Agent], deadline: float, result: SweepResult
) -> None:
    """One request per agent; what was read is stored even when the round stops halfway."""
    answers: dict[int, PhoneSipAnswer] = {}
    try:
        for agent in agents:
            _ask(deadline, result)
            try:
                answers[agent.pk] = phone_sip_read(client, agent.integrations_user_id)
            except ExotelError as exc:
                _stop_unless_permanent(agent.pk, "re-reading watched phone/SIP devices", exc)
    finally:
        if answers:
            result.read += len(phone_sip_store(account, answers, result.stored))
