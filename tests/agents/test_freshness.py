"""Agents on an open board are asked about again from Exotel as their answer ages: CCM users 50 to a
request, phone/SIP one by one and less often, at bulk priority, one sweep at a time, and every
screen is told."""

import json
import time
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.utils import timezone

from agents import sync
from agents.freshness import watched_agents_refresh
from agents.models import CCM_REFRESH_SECONDS, PHONE_SIP_REFRESH_SECONDS, Agent, Outcome
from agents.tasks import bulk_watched_agents_refresh
from exoadmin.accounts.clients import rate_budget
from exoadmin.exotel.errors import RateLimited
from exoadmin.live.publish import CHANNEL
from exoadmin.live.watching import KEY, watch
from exoadmin.locks import freshness_sweep_lock
from exoadmin.redis import get_redis
from tests.support.processes import wait_until

from .conftest import PHONE, change_in_exotel, sandbox_user


@pytest.fixture(autouse=True)
def nothing_watched(redis_server):
    get_redis().delete(KEY)
    yield
    get_redis().delete(KEY)


def answered_ago(agents, seconds: float) -> None:
    """As if Exotel last answered about these agents `seconds` ago."""
    Agent.objects.filter(pk__in=[agent.pk for agent in agents]).update(
        synced_at=timezone.now() - timedelta(seconds=seconds), last_change_at=None
    )


def listings(sandbox, since: int = 0) -> list[dict]:
    """The users-listing requests the sandbox received (not single-user reads), after the first `since`."""
    return [entry for entry in sandbox.requests("/users", "GET") if entry["path"].endswith("/users")][since:]


def phone_sip_reads(sandbox) -> list[dict]:
    return [entry for entry in sandbox.requests("/v2/integrations/", "GET") if entry["path"].endswith("/devices")]


def test_confirmed_is_when_exotel_last_answered_a_read_or_a_change_whichever_came_later():
    read, change = timezone.now() - timedelta(seconds=40), timezone.now() - timedelta(seconds=5)
    assert Agent(synced_at=read, last_change_at=change).confirmed_at == change
    assert Agent(synced_at=change, last_change_at=read).confirmed_at == change
    assert Agent(synced_at=read).confirmed_at == read and Agent().confirmed_at is None


def test_a_watched_agent_changed_behind_the_products_back_is_read_again_by_one_sweep(
    ccm_agent, ccm_user, sandbox, exotel_account
):
    answered_ago([ccm_agent], 60)
    stale = Agent.objects.get(pk=ccm_agent.pk).confirmed_at
    change_in_exotel(sandbox, ccm_user["id"], PHONE, available=False)
    watch([ccm_agent.pk])
    before = timezone.now()

    result = watched_agents_refresh()

    agent = Agent.objects.get(pk=ccm_agent.pk)
    assert agent.confirmed_at > stale and agent.confirmed_at >= before
    assert (result.due, result.read, result.requests) == (1, 1, 1)
    phone = agent.devices.get(contact_uri=PHONE)
    assert (phone.available, phone.expected_available) == (False, True), "Exotel's word, flagged as drift"
    assert agent.has_drift and agent.availability == "off"
    assert agent.events.get(outcome=Outcome.DRIFT).source == "sync"


def test_an_agent_no_board_shows_is_not_read(ccm_agent, sandbox, exotel_account):
    sandbox_user(sandbox, first_name="Vikram", last_name="Shah", email="vikram@example.com")
    sync.agents_sync(account=exotel_account)
    vikram = Agent.objects.get(email="vikram@example.com")
    answered_ago([ccm_agent, vikram], 60)
    watch([vikram.pk])
    read_before = len(listings(sandbox))

    watched_agents_refresh()

    (request,) = listings(sandbox, read_before)
    assert parse_qs(request["query"])["email"] == ["vikram@example.com"]
    assert Agent.objects.get(pk=ccm_agent.pk).synced_at < timezone.now() - timedelta(seconds=50)


def test_an_agent_read_recently_is_not_asked_about_again(ccm_agent, sandbox):
    answered_ago([ccm_agent], CCM_REFRESH_SECONDS - 15)  # the next sweep, 10 s on, still finds it young
    watch([ccm_agent.pk])
    read_before = len(sandbox.requests())

    result = watched_agents_refresh()

    assert (result.due, result.requests) == (0, 0)
    assert len(sandbox.requests()) == read_before


def test_an_agent_whose_answer_would_be_too_old_by_the_next_sweep_is_read_now(ccm_agent):
    answered_ago([ccm_agent], CCM_REFRESH_SECONDS - 9)  # 10 s on it would be past its 30 s
    watch([ccm_agent.pk])

    assert watched_agents_refresh().read == 1


def test_ccm_agents_are_read_fifty_to_a_request(sandbox, exotel_account):
    for n in range(120):
        sandbox_user(
            sandbox,
            first_name=f"Agent{n:03d}",
            email=f"agent{n}@example.com",
            devices=[{"contact_uri": f"+9199100{n:05d}", "type": "tel", "available": True}],
        )
    sync.agents_sync(account=exotel_account)
    agents = list(Agent.objects.filter(account=exotel_account))
    answered_ago(agents, 60)
    watch(agent.pk for agent in agents)
    read_before = len(listings(sandbox))

    result = watched_agents_refresh()

    requests = listings(sandbox, read_before)
    assert len(requests) == result.requests == 3  # 50 + 50 + 20
    for request in requests:
        query = parse_qs(request["query"])
        assert int(query["limit"][0]) <= 50 and len(query["email"][0].split(",")) <= 50
    assert result.read == 120
    fresh = timezone.now() - timedelta(seconds=5)
    assert all(agent.confirmed_at > fresh for agent in Agent.objects.filter(account=exotel_account))


def test_phone_sip_agents_are_read_one_by_one_only_at_their_slower_pace(phone_sip_agent, sandbox):
    watch([phone_sip_agent.pk])
    answered_ago([phone_sip_agent], 60)  # old for a CCM agent, young for phone/SIP
    reads_before = len(phone_sip_reads(sandbox))

    assert watched_agents_refresh().requests == 0
    assert len(phone_sip_reads(sandbox)) == reads_before

    sandbox.control("PATCH", "/_sandbox/integration-users/agent_007", {"sip": {"enabled": True}})
    answered_ago([phone_sip_agent], PHONE_SIP_REFRESH_SECONDS)
    before = timezone.now()

    result = watched_agents_refresh()

    assert result.requests == 1 and len(phone_sip_reads(sandbox)) == reads_before + 1
    agent = Agent.objects.get(pk=phone_sip_agent.pk)
    assert agent.confirmed_at >= before and agent.phone_sip.sip_enabled and agent.has_drift
    assert agent.refresh_seconds == PHONE_SIP_REFRESH_SECONDS


def test_a_user_the_partial_read_misses_is_never_flagged_not_found(ccm_agent, ccm_user, sandbox):
    sandbox.control("DELETE", f"/_sandbox/users/{ccm_user['id']}")
    answered_ago([ccm_agent], 60)
    watch([ccm_agent.pk])

    result = watched_agents_refresh()

    agent = Agent.objects.get(pk=ccm_agent.pk)
    assert result.requests == 1 and result.read == 0
    assert agent.missing_in_exotel_since is None, "only a complete listing proves a user gone"
    assert agent.confirmed_at < timezone.now() - timedelta(seconds=50), "not confirmed by an answer that lacks it"


@pytest.fixture
def bulk_budget_used_up(exotel_account):
    """Every slot bulk work may take this minute is taken: only the interactive reserve is left."""
    budget, sid = rate_budget(), exotel_account.account_sid
    with pytest.raises(RateLimited):
        for _ in range(settings.EXOTEL_RATE_LIMIT_PER_MINUTE):
            budget.acquire(sid, "bulk", max_wait=0)
    yield budget
    get_redis().delete(f"exoadmin:exotel:budget:{sid}")  # later tests get a fresh minute


def test_the_sweep_never_takes_the_interactive_reserve(ccm_agent, sandbox, exotel_account, bulk_budget_used_up):
    answered_ago([ccm_agent], 60)
    watch([ccm_agent.pk])
    sent_before = len(sandbox.requests())
    used_before = bulk_budget_used_up.usage(exotel_account.account_sid).used

    result = watched_agents_refresh()

    assert result.stopped and result.read == 0
    assert len(sandbox.requests()) == sent_before, "nothing sent"
    assert bulk_budget_used_up.usage(exotel_account.account_sid).used == used_before
    bulk_budget_used_up.acquire(exotel_account.account_sid, "interactive", max_wait=0)  # a click still goes


def test_a_second_sweep_while_one_runs_does_nothing(ccm_agent, sandbox):
    answered_ago([ccm_agent], 60)
    watch([ccm_agent.pk])
    sent_before = len(sandbox.requests())

    with freshness_sweep_lock() as running:  # as a sweep in another worker holds it
        assert running
        result = watched_agents_refresh()

    assert not result.ran and len(sandbox.requests()) == sent_before
    assert watched_agents_refresh().read == 1, "once the first is done, the next one sweeps"


def test_beat_sweeps_every_10_seconds_and_drops_a_sweep_that_could_not_start_in_time(db):
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from exoadmin.celery import app

    name, entry = next((n, e) for n, e in settings.CELERY_BEAT_SCHEDULE.items() if e["task"].endswith("_refresh"))
    assert entry["schedule"] == 10.0
    DatabaseScheduler.Entry.from_entry(name, app=app, **app.conf.beat_schedule[name])  # what beat stores
    stored = PeriodicTask.objects.get(task="agents.tasks.bulk_watched_agents_refresh")
    assert (stored.interval.every, stored.interval.period, stored.expire_seconds) == (10, "seconds", 10)
    app.loader.import_default_modules()
    assert stored.task in app.tasks


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweeps_on_beats_word(celery_worker, ccm_agent):
    answered_ago([ccm_agent], 60)
    watch([ccm_agent.pk])
    stale = Agent.objects.get(pk=ccm_agent.pk).confirmed_at

    bulk_watched_agents_refresh.delay()  # what beat sends every 10 s

    agent = wait_until(
        lambda: Agent.objects.filter(pk=ccm_agent.pk, synced_at__gt=stale).first(),
        timeout=30,
        what="the worker's sweep",
    )
    assert agent.confirmed_at > stale and agent.refresh_seconds == CCM_REFRESH_SECONDS


@pytest.fixture
def listener(redis_server):
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(CHANNEL)
    yield pubsub
    pubsub.close()


def received(pubsub, timeout=2.0) -> list[dict]:
    """Every message until none came for `timeout` seconds (or 0.3 s once the first came)."""
    messages, quiet_until = [], time.monotonic() + timeout
    while time.monotonic() < quiet_until:
        message = pubsub.get_message(timeout=0.1)  # None also for the subscription's own confirmation
        if message:
            messages.append(json.loads(message["data"]))
            quiet_until = time.monotonic() + 0.3
    return messages


@pytest.mark.django_db(transaction=True)
def test_an_agent_read_again_unchanged_is_one_confirmation_for_open_boards(ccm_agent, exotel_account, listener):
    answered_ago([ccm_agent], 60)
    watch([ccm_agent.pk])
    received(listener, timeout=0.3)  # what the fixtures' sync published

    watched_agents_refresh()

    (message,) = received(listener)
    assert {key: message[key] for key in ("topic", "ids", "account")} == {
        "topic": "confirmed",
        "ids": [ccm_agent.pk],
        "account": exotel_account.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_an_agent_read_again_changed_is_news_with_its_row(ccm_agent, ccm_user, sandbox, exotel_account, listener):
    answered_ago([ccm_agent], 60)
    watch([ccm_agent.pk])
    received(listener, timeout=0.3)
    change_in_exotel(sandbox, ccm_user["id"], PHONE, available=False)  # behind the product's back

    watched_agents_refresh()

    (message,) = received(listener)
    assert {key: message[key] for key in ("topic", "id", "account", "agent")} == {
        "topic": "agent",
        "id": ccm_agent.pk,
        "account": exotel_account.pk,
        "agent": ccm_agent.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_a_sync_tells_open_screens_about_every_agent_it_stored(sandbox, exotel_account, listener):
    for n in range(3):
        sandbox_user(sandbox, first_name=f"Agent{n}", email=f"a{n}@example.com", devices=[])

    sync.agents_sync(account=exotel_account)

    agent_ids = set(Agent.objects.filter(account=exotel_account).values_list("pk", flat=True))
    messages = received(listener)
    assert len(agent_ids) == 3 and {m["id"] for m in messages} == agent_ids
    assert {(m["topic"], m["account"]) for m in messages} == {("agent", exotel_account.pk)}
