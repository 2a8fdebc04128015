"""End of shift: a Celery job turns every selected agent's devices OFF, with progress in the database;
scheduled rules start the same job, audited with source "rule"."""

import os
import signal
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from agents import shifts
from agents.audit import Actor
from agents.models import Agent, AutoOffRule, EndOfShiftJob, JobStatus
from exoadmin.accounts.services import account_create_or_update
from exoadmin.redis import redis_breaker
from tests.support.processes import wait_until

from .conftest import PHONE, exotel_devices, sandbox_user, synced_agent


@pytest.fixture
def two_agents(sandbox, exotel_account):
    asha = sandbox_user(sandbox)
    rahul = sandbox_user(
        sandbox,
        first_name="Rahul",
        last_name="Das",
        email="rahul@example.com",
        devices=[{"contact_uri": "+919900000404", "type": "tel", "available": True}],
    )
    agents = [synced_agent(exotel_account), synced_agent(exotel_account, email="rahul@example.com")]
    return agents, [asha, rahul]


@pytest.mark.django_db(transaction=True)
def test_supervisor_job_turns_everyone_off_with_a_real_worker(
    celery_worker, client, board_supervisor, two_agents, sandbox
):
    agents, users = two_agents
    assert client.login(username=board_supervisor.username, password=board_supervisor.password)

    confirm = client.post("/agents/end-of-shift/", {"agents": [a.pk for a in agents]})
    assert "Turn every device OFF for 2 agents?" in confirm.content.decode()
    response = client.post("/agents/end-of-shift/", {"agents": [a.pk for a in agents], "confirm": "1"})

    job = EndOfShiftJob.objects.get()
    assert response["Location"] == f"/agents/end-of-shift/{job.pk}/"
    wait_until(
        lambda: EndOfShiftJob.objects.get(pk=job.pk).status == JobStatus.DONE,
        timeout=30,
        what="the worker to finish the end-of-shift job",
    )
    job.refresh_from_db()
    assert (job.total, job.done, job.failed) == (2, 2, 0)
    for user in users:
        assert not any(d["available"] for d in exotel_devices(sandbox, user["id"]).values())
    page = client.get(f"/agents/end-of-shift/{job.pk}/").content.decode()
    assert "2 of 2 agents handled" in page and 'hx-trigger="every 1s"' not in page


def test_running_a_job_twice_does_nothing_twice(two_agents, supervisor_actor, django_capture_on_commit_callbacks):
    agents, _ = two_agents
    with django_capture_on_commit_callbacks(execute=False):
        job = shifts.end_of_shift_job_create(agents=agents, actor=supervisor_actor)

    shifts.end_of_shift_job_run(job_id=job.pk)
    again = shifts.end_of_shift_job_run(job_id=job.pk)

    assert (again.done, again.failed, again.total) == (2, 0, 2)


def test_phone_sip_agents_are_reported_not_done_with_the_reason(
    phone_sip_agent, supervisor_actor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = shifts.end_of_shift_job_create(agents=[phone_sip_agent], actor=supervisor_actor)

    job = shifts.end_of_shift_job_run(job_id=job.pk)

    assert job.failed == 1 and "must always stay enabled" in job.items.get().message


def test_a_due_rule_turns_its_agents_off_audited_as_rule(
    two_agents, exotel_account, sandbox, django_capture_on_commit_callbacks
):
    agents, users = two_agents
    rule = AutoOffRule.objects.create(account=exotel_account, name="Day shift ends", at_time=time(19, 0))
    rule.agents.set(agents[:1])
    at = timezone.make_aware(datetime(2026, 11, 23, 19, 5))

    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        jobs = shifts.auto_off_rules_run_due(now=at)
    assert len(jobs) == len(enqueued) == 1
    shifts.end_of_shift_job_run(job_id=jobs[0].pk)  # what the enqueued task does

    assert exotel_devices(sandbox, users[0]["id"])[PHONE]["available"] is False
    assert exotel_devices(sandbox, users[1]["id"])["+919900000404"]["available"] is True
    event = agents[0].events.get()
    assert (event.source, event.after) == ("rule", "OFF")
    rule.refresh_from_db()
    assert rule.last_run_on == at.date()
    assert shifts.auto_off_rules_run_due(now=at) == [], "once a day"


def test_a_rule_does_not_fire_early_late_or_on_other_days(two_agents, exotel_account):
    agents, _ = two_agents
    rule = AutoOffRule.objects.create(
        account=exotel_account, name="Weekdays", at_time=time(19, 0), weekdays="0,1,2,3,4"
    )
    rule.agents.set(agents)
    monday = datetime(2026, 11, 23)  # a Monday

    for moment in (
        monday.replace(hour=18, minute=59),
        monday.replace(hour=20, minute=0),
        datetime(2026, 11, 22, 19, 5),
    ):  # too early, past the grace window, a Sunday
        assert shifts.auto_off_rules_run_due(now=timezone.make_aware(moment)) == []


def test_a_rule_turns_off_only_agents_of_its_own_account(
    two_agents, exotel_account, django_capture_on_commit_callbacks
):
    agents, _ = two_agents
    elsewhere = account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    stranger = Agent.objects.create(account=elsewhere, name="Not theirs")
    rule = AutoOffRule.objects.create(account=exotel_account, name="Mixed in admin", at_time=time(19, 0))
    rule.agents.set([agents[0], stranger])

    with django_capture_on_commit_callbacks(execute=False):
        (job,) = shifts.auto_off_rules_run_due(now=timezone.make_aware(datetime(2026, 11, 23, 19, 5)))

    assert list(job.items.values_list("agent__name", flat=True)) == [agents[0].name]
    with pytest.raises(ValueError, match="own account only"):
        shifts.auto_off_rule_save(
            rule=rule,
            actor=Actor.rule("test"),
            name="x",
            account=exotel_account,
            at_time=time(19, 0),
            weekdays=["0"],
            agents=[stranger],
            enabled=True,
        )


def test_a_rule_is_due_from_its_time_for_its_grace_period_on_its_days_once(exotel_account):
    rule = AutoOffRule(account=exotel_account, name="Weekdays", at_time=time(19, 0), weekdays="0,1,2,3,4")
    monday = timezone.make_aware(datetime(2026, 11, 23, 19, 0))

    assert [rule.is_due(monday + timedelta(minutes=m)) for m in (-1, 0, 30, 31)] == [False, True, True, False]
    assert not rule.is_due(monday - timedelta(days=1))  # Sunday
    rule.last_run_on = monday.date()
    assert not rule.is_due(monday)


@pytest.mark.django_db(transaction=True)
def test_a_job_started_while_redis_is_hung_is_sent_again_by_the_sweep(
    celery_worker, client, board_supervisor, two_agents, sandbox, hung_redis
):
    agents, users = two_agents
    assert client.login(username=board_supervisor.username, password=board_supervisor.password)
    assert client.get("/agents/").status_code == 200  # the board finds Redis hung
    response = client.post("/agents/end-of-shift/", {"agents": [a.pk for a in agents], "confirm": "1"})

    job = EndOfShiftJob.objects.get()
    assert response.status_code == 302 and job.status == JobStatus.QUEUED
    assert redis_breaker().status().state == "open", "the task was not sent: Redis is hung"
    page = client.get(response["Location"]).content.decode()
    assert "Background jobs are waiting: the task queue (Redis) is not answering" in page
    assert shifts.end_of_shift_jobs_resume() == 0, "a queued job is not sent again at once"

    os.kill(hung_redis.process.pid, signal.SIGCONT)
    redis_breaker().succeeded()
    assert shifts.end_of_shift_jobs_resume(now=timezone.now() + shifts.RESUME_AFTER) == 1
    wait_until(
        lambda: EndOfShiftJob.objects.get(pk=job.pk).status == JobStatus.DONE,
        timeout=30,
        what="the worker to finish the job the sweep sent",
    )
    assert not any(device["available"] for device in exotel_devices(sandbox, users[0]["id"]).values())
