"""Syncing agents from Exotel: every CCM user and device of an account, and the phone/SIP devices.

A sync costs a constant number of queries per page of 50 Exotel users, whatever the number of
agents: each page loads its agents and devices at once and writes them back in bulk. It never
undoes a change a person made (or a newer answer stored) after Exotel's snapshot was asked for,
and never waits for an agent a change holds: the next sync reads what that change leaves in Exotel.

`ccm_users_store` and `phone_sip_store` store what Exotel answered, for the sync and for the
re-reads of the agents open boards show (agents.freshness) alike, and tell every open screen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from redis.exceptions import RedisError

from agents.audit import STATE_FIELDS, Actor, log_exotel_failure, state_set
from agents.mirror import MIRROR_FIELDS, Batch, mirror_phone_sip, mirror_user
from agents.models import Agent
from agents.tasks import bulk_agents_sync as bulk_agents_sync_task
from exoadmin.accounts.clients import exotel_client
from exoadmin.accounts.models import ExotelAccount
from exoadmin.exotel import integrations, users
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import ConnectionFailed, ExotelError, NotFound
from exoadmin.exotel.models import IntegrationDevices, User
from exoadmin.live.publish import Topic, changed_many, confirmed
from exoadmin.locks import account_sync_lock, agents_locked_if_free
from exoadmin.redis import get_redis
from exoadmin.refusals import Refused

log = logging.getLogger("exoadmin.agents")

SYNC_PAGE = users.MAX_PAGE
SYNC_FIELDS = ["name", "email", *MIRROR_FIELDS, *STATE_FIELDS, "last_change_at", "last_change_by"]
FOUND_BY_SYNC = Actor.sync().label  # what changed a state a sync finds: something outside exoadmin
SYNC_ON_START_WINDOW = 120  # seconds in which workers starting together sync each account once


@dataclass
class SyncResult:
    agents: int = 0
    created: int = 0
    drifted: int = 0
    linked: int = 0
    missing: int = 0
    listing_complete: bool = False
    retry_later: bool = False  # Exotel could not be reached: trying again soon may work
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        missing = f", {self.missing} not found in Exotel" if self.missing else ""
        text = f"Synced {self.agents} agents from Exotel ({self.created} new, {self.drifted} with drift{missing})."
        return text + (" Problems: " + "; ".join(self.errors) if self.errors else "")


def agents_sync_start(*, account_ids: Iterable[int]) -> None:
    """Sync in the worker, once this transaction commits (at once outside one): a sync takes one
    Exotel request per page of 50 users (and one per phone/SIP agent), too long for a web request."""
    for account_id in account_ids:
        transaction.on_commit(partial(bulk_agents_sync_task.delay, account_id))


def agents_sync(*, account: ExotelAccount) -> SyncResult:
    """Every Exotel user and device of the account (all pages), plus phone/SIP devices of agents
    with an integrations user id. Exotel's state is stored; a difference from what the product last
    set is flagged as drift (an audit row and Agent.has_drift), not silently accepted. Agents whose
    user a complete listing no longer has are flagged as not found in Exotel."""
    result = SyncResult()
    with account_sync_lock(account.pk) as acquired:
        if not acquired:  # the board button, beat and starting workers can ask at once; one is enough
            result.errors.append("A sync of this account is already running.")
            return result
        client = exotel_client(account, priority="bulk")
        _sync_ccm_users(account, client, result)
        _sync_phone_sip(account, client, result)
    return result


def accounts_to_sync_on_start() -> list[int]:
    """The accounts a worker that just started syncs: each claimed for SYNC_ON_START_WINDOW, so
    several workers starting together sync it once (the sync lock covers a claim Redis lost)."""
    redis, claimed = get_redis(), []
    for account_id in ExotelAccount.objects.values_list("pk", flat=True):
        try:
            if redis.set(f"exoadmin:agents:sync-on-start:{account_id}", 1, nx=True, ex=SYNC_ON_START_WINDOW):
                claimed.append(account_id)
        except RedisError:
            claimed.append(account_id)
    return claimed


# -- CCM users ----------------------------------------------------------------------------------


def _sync_ccm_users(account: ExotelAccount, client: ExotelClient, result: SyncResult) -> None:
    """Page by page (each page written before the next is read). Only a listing that reached its
    end while Exotel's total held still proves who is gone: then the missing agents are flagged."""
    seen: set[str] = set()
    totals: set[int | None] = set()
    offset = 0
    try:
        while True:
            fetched_at = timezone.now()
            page = users.list_users(client, offset=offset, limit=SYNC_PAGE)
            totals.add(page.total)
            ccm_users_store(account, page.users, fetched_at, result)
            seen.update(user.id for user in page.users)
            offset += len(page.users)
            if users.is_last_page(page, offset, SYNC_PAGE):
                break
    except ExotelError as exc:
        _sync_failed(account, f"after {offset} users", exc, result)
        return
    total = page.total
    result.listing_complete = total is not None and totals == {total} and len(seen) >= total
    if result.listing_complete:
        _flag_missing(account, client, seen, result)
    else:
        result.errors.append(
            "Exotel's user list changed while it was read (or did not say how long it is): "
            "removed users are checked next sync."
        )


def _sync_failed(account: ExotelAccount, where: str, exc: ExotelError, result: SyncResult) -> None:
    log.warning(
        "agent sync failed for %s %s: %s",
        account.account_sid,
        where,
        exc.user_message,
        extra={"request_id": exc.request_id, "exotel_code": exc.code},
    )
    result.errors.append(Refused.from_exotel(exc).in_words)
    result.retry_later = isinstance(exc, ConnectionFailed)


def _user_name(user) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.email or user.id


def _agent_ids(account: ExotelAccount, exotel_user_ids) -> dict[str, int]:
    return dict(
        Agent.objects.filter(account=account, exotel_user_id__in=list(exotel_user_ids)).values_list(
            "exotel_user_id", "pk"
        )
    )


def ccm_users_store(
    account: ExotelAccount, remote_users: list[User], fetched_at: datetime, result: SyncResult
) -> list[Agent]:
    """Store Exotel's answer for these users (asked for at `fetched_at`): agents created for new
    ones, devices mirrored with drift audited, availability and drift flag set, logins linked.
    Agents a change holds, or that Exotel answered about again since `fetched_at`, are left as
    they are. Every agent stored is news to open screens, if only that it was confirmed again.
    Answers the agents stored."""
    by_id = {user.id: user for user in remote_users}
    known = _agent_ids(account, by_id)
    if new := [user for user_id, user in by_id.items() if user_id not in known]:
        Agent.objects.bulk_create(
            [
                Agent(
                    account=account,
                    exotel_user_id=user.id,
                    name=_user_name(user),
                    email=user.email or "",
                )  # in a state from when its devices are stored, below
                for user in new
            ],
            ignore_conflicts=True,
        )  # one created meanwhile elsewhere is simply loaded
        created_before = len(known)
        known = _agent_ids(account, by_id)
        result.created += len(known) - created_before
    created = {known[user.id] for user in new if user.id in known}
    with agents_locked_if_free(known.values()) as unlocked, transaction.atomic():
        batch = Batch(timezone.now())
        agents = [agent for agent in _agents_to_mirror(unlocked) if not _answered_after(agent, fetched_at)]
        news = {agent.pk for agent in agents if agent.pk in created}  # new rows for every board
        for agent in agents:
            user, before = by_id[agent.exotel_user_id], _row_state(agent)
            agent.name, agent.email = _user_name(user), user.email or agent.email
            devices = mirror_user(agent, user, list(agent.devices.all()), batch)
            _state_set(batch, agent, devices, getattr(agent, "phone_sip", None))
            if _row_state(agent, devices) != before:
                news.add(agent.pk)
        batch.save()
        Agent.objects.bulk_update(agents, SYNC_FIELDS)
        result.linked += _link_logins(agents)
        _tell_open_screens(account, agents, news)
    result.agents += len(agents)
    result.drifted += batch.drifted_agents
    return agents


def _state_set(batch: Batch, agent: Agent, devices: list, phone_sip) -> None:
    """The agent's board fields and state from what Exotel said, a changed state saved with the batch."""
    batch.state_changed(agent, state_set(agent, devices, phone_sip, batch.now, by=FOUND_BY_SYNC))


def _agents_to_mirror(agent_ids: Iterable[int]) -> list[Agent]:
    return list(
        Agent.objects.filter(pk__in=list(agent_ids)).select_related("phone_sip", "account").prefetch_related("devices")
    )


def _answered_after(agent: Agent, moment: datetime) -> bool:
    """Exotel answered about the agent after this snapshot was asked for (a person's change it
    confirmed, or a newer read stored meanwhile): storing the snapshot would undo that (the next
    read brings whatever is newer)."""
    confirmed_at = agent.confirmed_at
    return bool(confirmed_at and confirmed_at > moment)


def _row_state(agent: Agent, devices: list | None = None, phone_sip=None) -> tuple:
    """What a board row shows of an agent from Exotel's answer, to tell a change from a confirmation."""
    devices = list(agent.devices.all()) if devices is None else devices
    phone_sip = getattr(agent, "phone_sip", None) if phone_sip is None else phone_sip
    return (
        agent.name,
        agent.availability,
        agent.has_drift,
        agent.missing_in_exotel_since,
        sorted((d.exotel_id, d.contact_uri, d.available, d.verified, d.status) for d in devices),
        phone_sip and (phone_sip.phone_enabled, phone_sip.sip_enabled, phone_sip.sip_registered),
    )


def _tell_open_screens(account: ExotelAccount, agents: list[Agent], news: set[int]) -> None:
    """Once the stored page commits: the agents whose row changed are news, as rows; the others
    were only confirmed again, which open boards hear in one message (their "confirmed N s ago")."""
    changed_many(Topic.AGENT, ((pk, pk) for pk in sorted(news)), account_id=account.pk)
    confirmed([agent.pk for agent in agents if agent.pk not in news], account_id=account.pk)


def _link_logins(agents: list[Agent]) -> int:
    """Link each agent to the product login with the same email, if neither is linked yet."""
    wanting = {agent.email.lower(): agent for agent in agents if not agent.user_id and agent.email}
    if not wanting:
        return 0
    logins = (
        get_user_model()
        .objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(wanting), agent__isnull=True)
    )
    linked = []
    for login in logins:
        if agent := wanting.pop(login.email_lower, None):
            agent.user = login
            linked.append(agent)
    Agent.objects.bulk_update(linked, ["user"])
    return len(linked)


def _flag_missing(account: ExotelAccount, client: ExotelClient, seen: set[str], result: SyncResult) -> None:
    """Agents whose Exotel user a complete listing did not have, and that Exotel then says it does
    not know (an offset listing can skip a user when others are added and removed while it is
    read): flagged once (the time says since when) and off. Listed users were cleared as their
    page was written."""
    rows = (
        Agent.objects.filter(account=account)
        .exclude(exotel_user_id="")
        .values_list("pk", "exotel_user_id", "missing_in_exotel_since")
    )
    unlisted = [(pk, user_id, since) for pk, user_id, since in rows if user_id not in seen]
    newly = _confirmed_gone(
        account, client, [(pk, user_id) for pk, user_id, since in unlisted if since is None], result
    )
    result.missing = len(newly) + sum(1 for *_, since in unlisted if since is not None)
    now = timezone.now()
    for start in range(0, len(newly), SYNC_PAGE):
        with agents_locked_if_free(newly[start : start + SYNC_PAGE]) as unlocked, transaction.atomic():
            agents, batch = _agents_to_mirror(unlocked), Batch(now)
            for agent in agents:
                agent.missing_in_exotel_since = now
                _state_set(batch, agent, list(agent.devices.all()), getattr(agent, "phone_sip", None))
            Agent.objects.bulk_update(agents, ["missing_in_exotel_since", *STATE_FIELDS])
            batch.save()
            _tell_open_screens(account, agents, {agent.pk for agent in agents})  # each one newly flagged
    if newly:
        log.warning(
            "%s agents of %s are no longer in Exotel's user list",
            len(newly),
            account.account_sid,
            extra={"agent_ids": newly[:50]},
        )


def _confirmed_gone(
    account: ExotelAccount, client: ExotelClient, candidates: list[tuple[int, str]], result: SyncResult
) -> list[int]:
    """The candidates Exotel answers 404 for, one request each (removals are rare); stops at the
    first other failure, flagging none of the rest."""
    gone = []
    for pk, user_id in candidates:
        try:
            users.get_user(client, user_id)
        except NotFound:
            gone.append(pk)
        except ExotelError as exc:
            _sync_failed(account, f"checking whether user {user_id} is still in Exotel", exc, result)
            break
    return gone


# -- phone/SIP devices --------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneSipAnswer:
    """Exotel's answer about one agent's phone/SIP devices, and when it was asked for and given."""

    devices: IntegrationDevices
    asked_at: datetime
    answered_at: datetime


def phone_sip_read(client: ExotelClient, integrations_user_id: str) -> PhoneSipAnswer:
    asked_at = timezone.now()
    devices = integrations.get_devices(client, integrations_user_id)
    return PhoneSipAnswer(devices, asked_at, timezone.now())


def _sync_phone_sip(account: ExotelAccount, client: ExotelClient, result: SyncResult) -> None:
    """Exotel has no list of phone/SIP devices: one request per agent, written a page at a time."""
    if not account.has_integrations:
        return
    rows = list(account.agents.exclude(integrations_user_id="").values_list("pk", "integrations_user_id", "name"))
    for start in range(0, len(rows), SYNC_PAGE):
        answers, unreachable = {}, False
        for agent_id, user_id, name in rows[start : start + SYNC_PAGE]:
            try:
                answers[agent_id] = phone_sip_read(client, user_id)
            except ConnectionFailed as exc:  # unreachable for one is unreachable for all: stop asking
                log_exotel_failure(agent_id, "reading phone/SIP", exc)
                result.errors.append(f"Phone/SIP devices: {exc.user_message}")
                result.retry_later = unreachable = True
                break
            except ExotelError as exc:
                log_exotel_failure(agent_id, "reading phone/SIP", exc)
                result.errors.append(f"{name}: {exc.user_message}")
        phone_sip_store(account, answers, result)
        if unreachable:
            return


def phone_sip_store(account: ExotelAccount, answers: dict[int, PhoneSipAnswer], result: SyncResult) -> list[Agent]:
    """Store Exotel's phone/SIP answers by agent id: devices mirrored with drift audited, each
    agent confirmed as of its own answer, availability and drift flag set; agents a change holds,
    or that Exotel answered about again since they were asked for, are left as they are. Every
    agent stored is news to open screens. Answers the agents stored."""
    with agents_locked_if_free(answers) as unlocked, transaction.atomic():
        batch = Batch(timezone.now())
        agents = [
            agent for agent in _agents_to_mirror(unlocked) if not _answered_after(agent, answers[agent.pk].asked_at)
        ]
        news = set()
        for agent in agents:
            answer, before = answers[agent.pk], _row_state(agent)
            phone_sip = mirror_phone_sip(agent, getattr(agent, "phone_sip", None), answer.devices, batch)
            agent.synced_at = answer.answered_at
            _state_set(batch, agent, list(agent.devices.all()), phone_sip)
            if _row_state(agent, phone_sip=phone_sip) != before:
                news.add(agent.pk)
        batch.save()
        Agent.objects.bulk_update(agents, ["synced_at", *STATE_FIELDS, "last_change_at", "last_change_by"])
        _tell_open_screens(account, agents, news)
    result.agents += sum(1 for agent in agents if agent.exotel_user_id == "")
    result.drifted += batch.drifted_agents
    return agents
