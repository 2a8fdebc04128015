"""Faults under load: the real product (gunicorn with uvicorn workers + a Celery worker) against the Exotel sandbox
answering 20% of requests with faults, while supervisors poll the board and click device switches
and status callbacks arrive at 100/s; for a stretch of the run Redis hangs (SIGSTOP, then SIGCONT).
Nothing may fail except what Exotel itself refused, nobody may wait long while Redis hangs, and no
callback may be lost.

Everything runs on loopback in processes started on free ports and stopped at the end, even on
failure (tests/support/product.py): Redis (appendonly, as production), the sandbox (`python -m
exoadmin.sandbox`, demo seed, faults {error_500: 0.1, error_429: 0.05, drop: 0.05}, or another share
with --faults), gunicorn (`deploy/gunicorn.conf.py`, 2 workers), one Celery worker (`-Q
interactive,bulk`) and beat (its sweeps pick up what was not sent while Redis was sick). The
database is a throw-away one: a new database on the PostgreSQL server of DATABASE_URL when that is
set (CI), else a temporary SQLite file. Both rate limits (the sandbox's and the product's shared
budget) are set high, so faults, not the limiter, are what the product meets.

For --seconds (default 60), from threads in this process:
- supervisors (the demo `supervisor`, logged in through /login/) poll the board partial and the
  live calls partial every second, as htmx does, and click a device switch on the board every few
  seconds (each click is Exotel requests through the faults). A poll must answer 200 with its
  partial; a click must answer 200 with the board row and either Exotel's confirmation or a
  specific message (Exotel's, or a product rule's such as "another change is still going on").
  Anything else (5xx, a traceback, a generic page, no answer) is an error that was not Exotel's.
- status callbacks (v3 JSON, seed 002's shape) at --rate per second to the webhook: an
  `answered` then a `terminal` one for each of rate × seconds / 2 calls created beforehand. Each is
  sent once, as a single delivery by Exotel: one not answered 200 is lost.
- from --hang-at seconds (default: 40% in) for --hang-for seconds (default 8), Redis is stopped
  (SIGSTOP): every Redis command hangs, the webhook stores callbacks in the database instead of its
  Redis inbox, and each process's breaker skips Redis until it answers again (SIGCONT).
Afterwards, once the worker has drained the callback inbox (bounded wait), every callback sent is
looked for in the database (a CallEvent of kind callback with that payload) and every call whose
terminal callback was stored must be ended: lost = sent − stored.

Last three lines: `errors_not_exotels: N`, `hung_redis_p99_s: X` (the p99 wall time of requests sent
while Redis hung) and `callbacks_lost: N`. Exits non-zero when errors or lost callbacks are above 0,
when hung_redis_p99_s is above 2.0, when a call did not end, or when the achieved callback rate is
below 80% of --rate.

    .venv/bin/python bench/faults_under_load.py [--seconds 60] [--rate 100] [--faults 0.2] [--hang-for 8] [--keep-logs]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.processes import free_port
from tests.support.product import (
    DEMO_ACCOUNT_SID,
    EXOPHONE,
    TOKEN,
    Crowd,
    Figures,
    Processes,
    Sender,
    callback_schedule,
    percentile,
    send_callbacks,
    services_env,
    start_product,
    start_services,
    summary,
    supervisors_start,
    wait_for,
)

FAULT_MIX = {"error_500": 0.5, "error_429": 0.25, "drop": 0.25}  # how --faults splits between kinds
DRAIN_TIMEOUT = 120  # seconds the worker gets to store what was accepted, after the load
MIN_RATE_SHARE = 0.8  # the achieved callback rate must reach this share of --rate
HUNG_REDIS = "redis hung"
HUNG_REDIS_P99_TARGET = 2.0  # seconds: a page's or action's limit, met while Redis hangs


# -- the database ------------------------------------------------------------------------------


class ThrowawayPostgres:
    """A new database on DATABASE_URL's server for this run, dropped afterwards."""

    def __init__(self, url: str) -> None:
        self.name = f"exoadmin_loadtest_{os.getpid()}"
        parts = urlsplit(url)
        self.admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(sql)

    def create(self) -> str:
        self._execute(f'CREATE DATABASE "{self.name}"')
        return self.url

    def drop(self) -> None:
        from django.apps import apps

        if apps.ready:
            from django.db import connections

            connections.close_all()
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# -- the product's side (Django in this process, on the same database and Redis) ----------------


def setup_django(env: dict) -> None:
    os.environ.update(env, DJANGO_SETTINGS_MODULE="exoadmin.settings")
    import django

    django.setup()


def calls_create(count: int, prefix: str) -> list[str]:
    """Calls in progress that the callbacks will be about (as if launched a moment ago)."""
    from django.utils import timezone

    from agents.models import Agent
    from calls.models import Call, LaunchOutcome
    from exoadmin.accounts.models import ExotelAccount

    account = ExotelAccount.objects.get(account_sid=DEMO_ACCOUNT_SID)
    agents: list[Agent | None] = [*Agent.objects.filter(account=account)] or [None]
    now = timezone.now()
    sids = [f"{prefix}{index:06d}" for index in range(count)]
    Call.objects.bulk_create(
        [
            Call(
                account=account,
                agent=agents[index % len(agents)],
                sid=sid,
                exophone=EXOPHONE,
                customer_number=f"+9198765{index % 100000:05d}",
                launch_outcome=LaunchOutcome.ACCEPTED,
                created_at=now,
                started_at=now,
            )
            for index, sid in enumerate(sids)
        ],
        batch_size=1000,
    )
    return sids


def stored_callbacks(prefix: str) -> set[tuple[str, str]]:
    from calls.models import CallEvent, EventKind

    rows = CallEvent.objects.filter(kind=EventKind.CALLBACK, call__sid__startswith=prefix).values_list(
        "call__sid", "raw"
    )
    return {(sid, (raw or {}).get("event_details", {}).get("event_type", "")) for sid, raw in rows if sid is not None}


def calls_not_ended(prefix: str, terminal_stored: set[str]) -> int:
    from calls.models import Call, State

    ended = set(Call.objects.filter(sid__startswith=prefix, state=State.TERMINAL).values_list("sid", flat=True))
    return len(terminal_stored - ended)


def inbox_counts() -> dict[str, int]:
    from calls import inbox
    from exoadmin.redis import get_redis

    redis = get_redis()
    return {
        name: redis.llen(key)
        for name, key in (("pending", inbox.PENDING), ("processing", inbox.PROCESSING), ("failed", inbox.FAILED))
    }


def celery_queues() -> dict[str, int]:
    from exoadmin.redis import get_redis

    return {queue: get_redis().llen(queue) for queue in ("interactive", "bulk")}


def wait_for_drain(prefix: str, accepted: set) -> float:
    """Until every accepted callback is stored and the inbox is empty (bounded); answers seconds waited."""

    def drained() -> bool:
        counts = inbox_counts()
        return not counts["pending"] and not counts["processing"] and accepted <= stored_callbacks(prefix)

    return wait_for(drained, DRAIN_TIMEOUT)


# -- the run ------------------------------------------------------------------------------------


def faults(share: float) -> dict[str, float]:
    return {kind: round(share * part, 4) for kind, part in FAULT_MIX.items()}


@dataclass
class Callbacks:
    sent: set = field(default_factory=set)
    accepted: set = field(default_factory=set)
    stored: set = field(default_factory=set)
    seconds: float = 0.0  # sending them
    stored_during_load: int = 0
    queued_at_load_end: dict = field(default_factory=dict)  # Celery tasks waiting, per queue
    drain_seconds: float = 0.0  # after the load, until all were stored
    not_ended: int = 0  # calls whose terminal callback was stored but that are not ended
    inbox: dict = field(default_factory=dict)


def run_load(base: str, args, sids: list[str], figures: Figures, processes: Processes) -> Callbacks:
    """Supervisors and callbacks together for args.seconds; Redis hangs for a stretch of it."""
    stop = threading.Event()
    crowd = supervisors_start(Crowd(base, figures, stop, args.click_every), args.supervisors)
    hang = threading.Thread(target=hang_redis, args=(processes, figures, args.hang_at, args.hang_for, stop))
    hang.start()
    deadline = threading.Timer(args.seconds + 30, stop.set)  # a bound, should sending fall far behind
    deadline.start()
    try:
        sender = Sender(f"{base}/exotel/webhook/{TOKEN}/", args.rate, figures, stop, args.senders)
        sent, accepted, seconds = send_callbacks(sender, callback_schedule(sids))
    finally:
        deadline.cancel()
        stop.set()
        hang.join()
        for thread in crowd:
            thread.join(40)
    return Callbacks(sent=sent, accepted=accepted, seconds=seconds)


def hang_redis(processes: Processes, figures: Figures, at: float, seconds: float, stop: threading.Event) -> None:
    """Redis stopped (SIGSTOP) from `at` for `seconds`, then continued; requests sent meanwhile are
    marked HUNG_REDIS. Continued early if the load ends first."""
    if stop.wait(at) or seconds <= 0:
        return
    processes.signal("redis", signal.SIGSTOP)
    figures.phase = HUNG_REDIS
    try:
        stop.wait(seconds)
    finally:
        figures.phase = "load"
        processes.signal("redis", signal.SIGCONT)


def check_stored(callbacks: Callbacks, prefix: str) -> None:
    """What the worker stored: during the load, then after it once the inbox is drained (bounded)."""
    callbacks.stored_during_load = len(stored_callbacks(prefix))
    callbacks.queued_at_load_end = celery_queues()
    callbacks.drain_seconds = wait_for_drain(prefix, callbacks.accepted)
    callbacks.stored = stored_callbacks(prefix)
    callbacks.not_ended = calls_not_ended(prefix, {sid for sid, event in callbacks.stored if event == "terminal"})
    callbacks.inbox = inbox_counts()


def exotel_answers(sandbox: str) -> str:
    """What the sandbox answered the product (its log keeps the last 10,000 requests)."""
    log = requests.get(f"{sandbox}/_sandbox/requests", timeout=30).json()
    statuses = Counter("dropped" if entry["status"] is None else str(entry["status"]) for entry in log)
    faults = sum(n for status, n in statuses.items() if status in ("dropped", "429") or status.startswith("5"))
    return (
        f"Exotel (sandbox) answered {len(log)} requests, {faults} ({faults / max(1, len(log)):.0%}) "
        f"with a fault: {json.dumps(dict(statuses), sort_keys=True)}"
    )


def report(figures: Figures, callbacks: Callbacks, exotel: str, args) -> int:
    """Prints the figures, the three headline lines last; answers the exit status."""
    print(
        f"load: {args.seconds:.0f} s, {args.supervisors} supervisors, callbacks at {args.rate:.0f}/s, "
        f"Exotel faults {faults(args.faults)}, Redis hung from {args.hang_at:.0f} s for {args.hang_for:.0f} s"
    )
    print(exotel)
    for kind in ("login", "board poll", "live calls poll", "device click", "status callback"):
        samples = figures.select(kind)
        outcomes = Counter(sample.outcome for sample in samples)
        print(f"{kind:16} {summary(samples)}  {json.dumps(dict(sorted(outcomes.items())))}")
    hung = figures.select(phase=HUNG_REDIS)
    print(f"{'sent, Redis hung':16} {summary(hung)}")
    hung_p99 = percentile([sample.seconds for sample in hung], 0.99)
    exotels, rules, not_exotels = (figures.count(name) for name in ("exotel_error", "refused_by_rule", "not_exotels"))
    print(
        f"shown to supervisors: {figures.count('confirmed')} confirmed by Exotel, {exotels} Exotel errors "
        f"(its message and request id), {rules} refused by the product's rules, {not_exotels} other errors"
    )
    for outcome, example in sorted(figures.examples.items()):
        print(f"  e.g. {outcome}: {example}")
    sent, stored, seconds = callbacks.sent, callbacks.stored, callbacks.seconds
    lost = len(sent - stored)
    achieved = len(callbacks.accepted) / seconds if seconds else 0.0
    print(
        f"callbacks: {len(sent)} sent, {len(callbacks.accepted)} accepted (200), "
        f"{len(sent - callbacks.accepted)} not accepted, {len(stored & sent)} stored, {lost} lost; "
        f"achieved {achieved:.1f}/s over {seconds:.1f} s"
    )
    during, waited = callbacks.stored_during_load, callbacks.drain_seconds
    after = len(stored) - during
    print(
        f"worker stored {during} during the load ({during / max(seconds, 0.001):.1f}/s), the other {after} in the "
        f"{waited:.1f} s after it ({after / max(waited, 0.001):.1f}/s); inbox now {json.dumps(callbacks.inbox)}; "
        f"Celery tasks waiting "
        f"when the load ended: {json.dumps(callbacks.queued_at_load_end)}"
    )
    print(f"calls whose terminal callback was stored but that did not end: {callbacks.not_ended}")
    failed = False
    if achieved < MIN_RATE_SHARE * args.rate:
        print(
            f"FAILED: callbacks arrived at {achieved:.1f}/s, below {MIN_RATE_SHARE * args.rate:.0f}/s: "
            "this machine could not keep up the load, so the figures above prove less than they should"
        )
        failed = True
    if callbacks.not_ended or callbacks.inbox.get("failed"):
        print("FAILED: calls not ended by their stored terminal callback, or callbacks in the inbox's failed list")
        failed = True
    if args.hang_for > 0 and not hung:
        print("FAILED: no request was sent while Redis hung")
        failed = True
    print(f"errors_not_exotels: {not_exotels}")
    print(f"hung_redis_p99_s: {hung_p99:.3f}")
    print(f"callbacks_lost: {lost}")
    return 1 if failed or not_exotels or lost or hung_p99 > HUNG_REDIS_P99_TARGET else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=100, help="status callbacks per second")
    parser.add_argument("--faults", type=float, default=0.2, help="share of Exotel requests answered with a fault")
    parser.add_argument("--supervisors", type=int, default=4)
    parser.add_argument("--click-every", type=float, default=3.0, help="seconds between one supervisor's clicks")
    parser.add_argument("--senders", type=int, default=12, help="threads sending callbacks")
    parser.add_argument("--hang-at", type=float, help="seconds into the load when Redis hangs (default: 40%% in)")
    parser.add_argument("--hang-for", type=float, default=8.0, help="seconds Redis stays hung (0: it never hangs)")
    parser.add_argument("--keep-logs", action="store_true", help="keep every process's log, also on success")
    args = parser.parse_args()
    if args.hang_at is None:
        args.hang_at = 0.4 * args.seconds
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops every process

    tmp = Path(tempfile.mkdtemp(prefix="exoadmin-loadtest-"))
    processes = Processes(tmp)
    given = os.environ.get("DATABASE_URL", "")
    postgres = ThrowawayPostgres(given) if given.startswith("postgres") else None
    status = 1
    try:
        database_url = postgres.create() if postgres else f"sqlite:///{tmp}/loadtest.sqlite3"
        ports = {name: free_port() for name in ("redis", "sandbox", "web")}
        env = services_env(database_url, ports)
        base = f"http://127.0.0.1:{ports['web']}"
        start_services(processes, env, ports, faults(args.faults))
        setup_django(env)
        prefix = f"loadtest{os.getpid()}x"
        sids = calls_create(int(args.rate * args.seconds / 2), prefix)
        start_product(processes, env, base)
        figures = Figures()
        callbacks = run_load(base, args, sids, figures, processes)
        check_stored(callbacks, prefix)
        status = report(figures, callbacks, exotel_answers(env["EXOTEL_CCM_BASE_URL"]), args)
    finally:
        processes.stop_all()
        if postgres:
            postgres.drop()
        if status or args.keep_logs:
            print(f"logs of every process: {tmp}", file=sys.stderr)
        if status:
            for name in ("gunicorn", "worker", "sandbox"):
                text = processes.tail(name, 15)
                if text:
                    print(f"-- last lines of {name}.log\n{text}", file=sys.stderr)
        elif not args.keep_logs:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
