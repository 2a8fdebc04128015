"""End of shift: every device of many agents OFF in one Celery job, started by a supervisor or by
an automatic rule at its time of day. Progress and outcomes live in the job's rows."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from agents.audit import Actor
from agents.devices import agent_go_unavailable
from agents.models import Agent, AutoOffRule, EndOfShiftItem, EndOfShiftJob, ItemStatus, JobStatus, Source
from agents.tasks import bulk_end_of_shift_run as bulk_end_of_shift_run_task
from exoadmin.accounts.models import ExotelAccount
from exoadmin.live.publish import Topic, changed
from exoadmin.queueing import enqueue
from exoadmin.refusals import Refused
from teams.models import Team

log = logging.getLogger("exoadmin.agents")

RESUME_AFTER = timedelta(minutes=5)  # a queued job no worker started this long after: its task was lost


def end_of_shift_job_create(*, agents: Iterable[Agent], actor: Actor, rule: AutoOffRule | None = None) -> EndOfShiftJob:
    """A job row with one item per agent; the task starts once the rows are committed."""
    agent_ids = sorted({agent.pk for agent in agents})
    with transaction.atomic():
        job = EndOfShiftJob.objects.create(created_by=actor.user, source=actor.source, rule=rule, total=len(agent_ids))
        EndOfShiftItem.objects.bulk_create(EndOfShiftItem(job=job, agent_id=pk) for pk in agent_ids)
        transaction.on_commit(lambda: enqueue(bulk_end_of_shift_run_task, job.pk))
    return job


def end_of_shift_jobs_resume(*, now: datetime | None = None) -> int:
    """Queued jobs no worker started (their task was never sent: the broker was sick): send again.
    A job only waiting behind a busy queue then has two tasks: the second finds it done and stops."""
    now = now or timezone.now()
    stuck = EndOfShiftJob.objects.filter(status=JobStatus.QUEUED, created_at__lt=now - RESUME_AFTER)
    return sum(enqueue(bulk_end_of_shift_run_task, pk) for pk in stuck.values_list("pk", flat=True))


def _job_actor(job: EndOfShiftJob) -> Actor:
    if job.rule is not None:
        return Actor.rule(job.rule.name)
    if job.created_by:
        return Actor.person(job.created_by, Source(job.source))
    return Actor(Source(job.source), None, "End-of-shift job")


def end_of_shift_job_run(*, job_id: int) -> EndOfShiftJob:
    """Turn every pending agent's devices OFF. Safe to run again (a redelivered task): only pending
    items are worked on, and each is claimed with a conditional UPDATE before it is counted."""
    job = EndOfShiftJob.objects.select_related("rule", "created_by").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job  # a task sent again (end_of_shift_jobs_resume) for a job another already finished
    EndOfShiftJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING)
    actor = _job_actor(job)
    for item in job.items.filter(status=ItemStatus.PENDING).select_related("agent__account"):
        try:
            agent_go_unavailable(agent=item.agent, actor=actor)
            status, message = ItemStatus.DONE, ""
        except Refused as exc:
            status, message = ItemStatus.FAILED, exc.message
        claimed = EndOfShiftItem.objects.filter(pk=item.pk, status=ItemStatus.PENDING).update(
            status=status, message=message
        )
        if claimed:
            counter = "done" if status == ItemStatus.DONE else "failed"
            EndOfShiftJob.objects.filter(pk=job_id).update(**{counter: F(counter) + 1})
            _progressed(job)
    EndOfShiftJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
        status=JobStatus.DONE, finished_at=timezone.now()
    )
    _progressed(job)
    job.refresh_from_db()
    return job


def _progressed(job: EndOfShiftJob) -> None:
    changed(Topic.SHIFT_JOB, job.pk, account_id=None)  # its agents may span accounts


# -- automatic rules ----------------------------------------------------------------------------


def auto_off_rules_run_due(*, now: datetime | None = None) -> list[EndOfShiftJob]:
    """Start a job for each enabled rule whose time has come today (within its grace window).

    Beat calls this every minute. Each rule is claimed for the day with a conditional UPDATE, so
    two beats, or a slow tick, never run it twice."""
    now = timezone.localtime(now)
    jobs = []
    rules = AutoOffRule.objects.filter(enabled=True, at_time__lte=now.time()).exclude(last_run_on=now.date())
    for rule in rules:
        if not rule.is_due(now):
            continue
        claimed = AutoOffRule.objects.filter(pk=rule.pk).exclude(last_run_on=now.date()).update(last_run_on=now.date())
        if claimed:
            jobs.append(end_of_shift_job_create(agents=rule_agents(rule), actor=Actor.rule(rule.name), rule=rule))
    return jobs


def rule_agents(rule: AutoOffRule) -> QuerySet[Agent]:
    """Who a rule turns OFF now: the agents it names and its teams' agents at this moment, of its own
    account only, however the rule was edited (admin's picker shows all)."""
    targeted = Q(auto_off_rules=rule) | Q(teams__auto_off_rules=rule)
    return Agent.objects.filter(targeted, account=rule.account_id).distinct()


def auto_off_rule_save(
    *,
    rule: AutoOffRule | None = None,
    actor: Actor,
    name: str,
    account: ExotelAccount,
    at_time: time,
    weekdays: Iterable[str],
    agents: Iterable[Agent],
    teams: Iterable[Team] = (),
    enabled: bool,
) -> AutoOffRule:
    """Create or change a rule. `last_run_on` is kept: a rule that already ran today never runs
    twice in a day, even when its time moves later."""
    agents, teams = list(agents), list(teams)
    if any(agent.account_id != account.pk for agent in agents) or any(t.account_id != account.pk for t in teams):
        raise ValueError("a rule turns OFF agents of its own account only")  # the form says so in words
    if not agents and not teams:
        raise ValueError("a rule targets at least one agent or team")  # the form says so in words
    rule = rule or AutoOffRule()
    rule.name, rule.account, rule.at_time, rule.enabled = name, account, at_time, enabled
    rule.weekdays = ",".join(sorted({str(day) for day in weekdays}))
    with transaction.atomic():
        rule.save()
        rule.agents.set(agents)
        rule.teams.set(teams)
    log.info("auto-OFF rule %s saved by %s", rule.pk, actor.label, extra={"rule_id": rule.pk})
    return rule


def auto_off_rule_delete(*, rule: AutoOffRule, actor: Actor) -> None:
    """The jobs it ran stay, without their rule."""
    log.info("auto-OFF rule %s (%s) deleted by %s", rule.pk, rule.name, actor.label, extra={"rule_id": rule.pk})
    rule.delete()
