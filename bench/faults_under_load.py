"""Faults under load: the real product (gunicorn with uvicorn workers + a Celery worker) against the Exotel sandbox
answering 20% of requests with faults, while supervisors poll the board and click device switches
and status callbacks arrive at 100/s. Nothing may fail except what Exotel itself refused, and no
callback may be lost.

Everything runs on loopback in processes this script starts on free ports and stops at the end,
even on failure: Redis, the sandbox (`python -m exoadmin.sandbox`, demo seed, faults
{error_500: 0.1, error_429: 0.05, drop: 0.05}, or another share with --faults), gunicorn
(`deploy/gunicorn.conf.py`, 2 workers) and one Celery worker (`-Q interactive,bulk`). The database is
a throw-away one: a new database on the
PostgreSQL server of DATABASE_URL when that is set (CI), else a temporary SQLite file. Both rate
limits (the sandbox's and the product's shared budget) are set high, so faults, not the limiter,
are what the product meets.

For --seconds (default 60), from threads in this process:
- supervisors (the demo `supervisor`, logged in through /login/) poll the board partial and the
  live calls partial every second, as htmx does, and click a device switch on the board every few
  seconds (each click is Exotel requests through the faults). A poll must answer 200 with its
  partial; a click must answer 200 with the board row and either Exotel's confirmation or a
  specific message (Exotel's, or a product rule's such as "another change is still going on").
  Anything else (5xx, a traceback, a generic page, no answer) is an error that was not Exotel's.
- status callbacks (v3 JSON, seed 002's shape) at --rate per second to the webhook: an
  `answered` then a `terminal` one for each of rate × seconds / 2 calls created beforehand.
Afterwards, once the worker has drained the callback inbox (bounded wait), every callback sent is
looked for in the database (a CallEvent of kind callback with that payload) and every call whose
terminal callback was stored must be ended: lost = sent − stored.

Last two lines: `errors_not_exotels: N` then `lost_callbacks: N`. Exits non-zero when either is
above 0, when a call did not end, or when the achieved callback rate is below 80% of --rate.

    .venv/bin/python bench/faults_under_load.py [--seconds 60] [--rate 100] [--faults 0.2] [--keep-logs]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
TOKEN = "loadtest-webhook-token"
FAULT_MIX = {"error_500": 0.5, "error_429": 0.25, "drop": 0.25}  # how --faults splits between kinds
RATE_LIMIT = 100_000  # per minute, sandbox and product alike: faults, not the limiter, under test
SUPERVISOR = ("supervisor", "exoadmin-supervisor")
DEMO_ACCOUNT_SID = "exoadmin-demo"
EXOPHONE = "+918030752400"
TERMINAL_LAG = 50  # callbacks between a call's `answered` and its `terminal`
DRAIN_TIMEOUT = 120  # seconds the worker gets to store what was accepted, after the load
MIN_RATE_SHARE = 0.8  # the achieved callback rate must reach this share of --rate
# Refusals by the product's own rules: specific, honest messages, not failures.
RULE_MESSAGES = (
    "Another change to this agent is still going on",
    "Another device is ON",
    "This device is not verified yet",
    "At least one of phone and SIP must stay enabled",
)
NOTICE = re.compile(r'class="notice (ok|error)"[^>]*>(.*?)</div>', re.S)
DEVICE_FORM = re.compile(
    r'<form method="post" action="(/agents/\d+/(?:devices/\d+|phone-sip)/)" class="device".*?</form>', re.S
)
BUTTON = re.compile(r'<button name="(\w+)" value="(\w+)"')


# -- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    """Every child process, each in its own session so that stopping it stops its children too."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict, ready, timeout: float = 60) -> None:
        with open(self.log_dir / f"{name}.log", "ab") as log:  # the child keeps its own copy of the file
            process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.running.append((name, process))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode}:\n{self.tail(name)}")
            try:
                if ready():
                    return
            except Exception:  # not up yet
                pass
            time.sleep(0.2)
        raise SystemExit(f"{name} did not start within {timeout:.0f} s:\n{self.tail(name)}")

    def run(self, name: str, argv: list[str], env: dict) -> None:
        with open(self.log_dir / f"{name}.log", "ab") as log:
            if subprocess.run(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=300).returncode:
                raise SystemExit(f"{name} failed:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 30) -> str:
        """The log's last lines, without gunicorn's access lines."""
        path = self.log_dir / f"{name}.log"
        text = path.read_text(errors="replace").splitlines() if path.exists() else []
        return "\n".join([line for line in text if not line.startswith('127.0.0.1 "')][-lines:])

    def stop_all(self) -> None:
        """Last started first (the worker before the Redis it uses): SIGTERM to the main process, so
        gunicorn and Celery stop their children gracefully, then SIGKILL to what is left after 15 s."""
        for _, process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        self.running.clear()


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


# -- figures ------------------------------------------------------------------------------------


class Figures:
    """Thread-safe counts and latencies per kind of request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.examples: dict[str, str] = {}

    def record(self, kind: str, seconds: float, outcome: str, example: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.outcomes[kind][outcome] += 1
            if example and outcome not in ("ok", "confirmed") and outcome not in self.examples:
                self.examples[outcome] = f"{kind}: {example[:300]}"

    def count(self, outcome: str) -> int:
        with self.lock:
            return sum(by_kind.get(outcome, 0) for by_kind in self.outcomes.values())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


# -- supervisors --------------------------------------------------------------------------------


def logged_in_session(base: str, figures: Figures) -> requests.Session | None:
    """The demo supervisor, logged in through the login form; None (an error counted) if that failed."""
    session = requests.Session()
    started = time.perf_counter()
    try:
        page = session.get(f"{base}/login/", timeout=15)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        token = found.group(1) if found else ""  # no form: the login below fails and says how
        answer = session.post(
            f"{base}/login/",
            data={"username": SUPERVISOR[0], "password": SUPERVISOR[1], "csrfmiddlewaretoken": token},
            timeout=15,
            allow_redirects=False,
        )
        ok = answer.status_code == 302
        detail = f"HTTP {answer.status_code}"
    except requests.RequestException as exc:
        ok, detail = False, repr(exc)
    figures.record("login", time.perf_counter() - started, "ok" if ok else "not_exotels", detail)
    if not ok:
        return None
    session.headers.update({"HX-Request": "true", "X-CSRFToken": session.cookies["csrftoken"]})
    return session


def twin(session: requests.Session) -> requests.Session:
    """A second connection for the same browser: htmx polls while a click is still waiting."""
    other = requests.Session()
    other.cookies.update(session.cookies)
    other.headers.update(session.headers)
    return other


def timed(figures: Figures, kind: str, send, judge) -> tuple[str, str]:
    """Send one request, judge the answer, record it; answers (outcome, body)."""
    started = time.perf_counter()
    try:
        response = send()
    except requests.RequestException as exc:
        figures.record(kind, time.perf_counter() - started, "not_exotels", f"no answer: {exc!r}")
        return "not_exotels", ""
    outcome, detail = judge(response)
    figures.record(kind, time.perf_counter() - started, outcome, detail)
    return outcome, response.text


def judge_partial(marker: str):
    def judge(response: requests.Response) -> tuple[str, str]:
        if response.status_code == 200 and marker in response.text and "Traceback" not in response.text:
            return "ok", ""
        return "not_exotels", f"HTTP {response.status_code}: {response.text[:200]!r}"

    return judge


def judge_click(response: requests.Response) -> tuple[str, str]:
    """Exotel's confirmation, or a specific message; anything else was not Exotel's doing."""
    body = response.text
    if response.status_code != 200 or 'id="agent-' not in body or "Traceback" in body:
        return "not_exotels", f"HTTP {response.status_code}: {body[:200]!r}"
    notice = NOTICE.search(body)
    if notice is None:
        return "not_exotels", f"no notice in the row: {body[:200]!r}"
    kind, text = notice.group(1), re.sub(r"<[^>]+>|\s+", " ", notice.group(2)).strip()
    if kind == "ok":
        return "confirmed", ""
    if text.startswith(RULE_MESSAGES):
        return "refused_by_rule", text
    if "Exotel" in text or "request id" in text:
        return "exotel_error", text
    return "not_exotels", f"error notice that is not Exotel's: {text}"


def board_controls(html: str) -> list[tuple[str, dict]]:
    """The device buttons a supervisor could click on the board: (URL, form fields)."""
    controls = []
    for form in DEVICE_FORM.finditer(html):
        if "unverified" in form.group(0):
            continue  # refused by our own rule before Exotel is asked: nothing to learn here
        button = BUTTON.search(form.group(0))
        if button:
            controls.append((form.group(1), {button.group(1): button.group(2)}))
    return controls


def supervisor(base: str, figures: Figures, stop: threading.Event, click_every: float, seed: int) -> None:
    rng = random.Random(seed)
    session = logged_in_session(base, figures)
    if session is None:
        return
    board = [""]

    def poll() -> None:
        session_for_polls = twin(session)
        while not stop.is_set():
            started = time.monotonic()
            outcome, html = timed(
                figures,
                "board poll",
                lambda: session_for_polls.get(f"{base}/agents/", timeout=15),
                judge_partial('id="board"'),
            )
            if outcome == "ok":
                board[0] = html
            timed(
                figures,
                "live calls poll",
                lambda: session_for_polls.get(f"{base}/calls/live/", timeout=15),
                judge_partial('data-announce-changes="live-calls"'),
            )
            stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    stop.wait(rng.uniform(0, click_every))
    while not stop.is_set():
        controls = board_controls(board[0])
        if controls:
            url, fields = rng.choice(controls)
            timed(
                figures,
                "device click",
                lambda url=url, fields=fields: session.post(
                    f"{base}{url}", data={**fields, "next": "/agents/"}, timeout=30
                ),
                judge_click,
            )
        stop.wait(rng.uniform(0.5, 1.5) * click_every)
    poller.join(20)


# -- callbacks ----------------------------------------------------------------------------------


def callback(sid: str, event: str) -> bytes:
    """A v3 status callback in seed 002's shape."""
    terminal = event == "terminal"
    return json.dumps(
        {
            "event_details": {"event_type": event},
            "call_details": {
                "sid": sid,
                "direction": "outbound",
                "virtual_number": EXOPHONE,
                "state": "terminal" if terminal else "active",
                "status": "completed" if terminal else None,
                "legs": f"/v3/accounts/{DEMO_ACCOUNT_SID}/calls/{sid}/legs",
                "created_time": "2026-11-03 00:18:32+05:30",
                "updated_time": "2026-11-03 00:19:02+05:30",
                "start_time": "2026-11-03 00:18:38+05:30",
                "end_time": "2026-11-03 00:19:02+05:30" if terminal else None,
                "total_duration": 30 if terminal else None,
                "total_talk_time": 11 if terminal else None,
                "custom_field": None,
                "app_id": None,
                "app_name": None,
                "digits": None,
                "recordings": [],
            },
        }
    ).encode()


def judge_callback(response: requests.Response) -> tuple[str, str]:
    """Exotel sends each callback once: anything but 200 is a callback lost (counted again by the database)."""
    if response.status_code == 200:
        return "ok", ""
    return "not_accepted", f"HTTP {response.status_code}: {response.text[:200]!r}"


def callback_schedule(sids: list[str]) -> list[tuple[str, str]]:
    """Each call's `answered`, and its `terminal` TERMINAL_LAG callbacks later."""
    events = []
    for step in range(len(sids) + TERMINAL_LAG):
        if step < len(sids):
            events.append((sids[step], "answered"))
        if step >= TERMINAL_LAG:
            events.append((sids[step - TERMINAL_LAG], "terminal"))
    return events


def send_callbacks(
    url: str, events: list[tuple[str, str]], rate: float, figures: Figures, senders: int, stop: threading.Event
) -> tuple[set, set, float]:
    """Each event at its due time (start + index / rate) from `senders` threads; answers (sent, accepted, seconds)."""
    slots = iter(range(len(events)))
    lock = threading.Lock()
    sent: set[tuple[str, str]] = set()
    accepted: set[tuple[str, str]] = set()
    started = time.monotonic()
    finished = [started]

    def work() -> None:
        session = requests.Session()
        while not stop.is_set():
            with lock:
                index = next(slots, None)
            if index is None:
                return
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sid, event = events[index]
            body = callback(sid, event)
            outcome, _ = timed(
                figures,
                "status callback",
                lambda body=body: session.post(
                    url, data=body, headers={"Content-Type": "application/json"}, timeout=15
                ),
                judge_callback,
            )
            with lock:
                finished[0] = max(finished[0], time.monotonic())
                sent.add((sid, event))
                if outcome == "ok":
                    accepted.add((sid, event))

    threads = [threading.Thread(target=work, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent, accepted, finished[0] - started


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
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_TIMEOUT:
        counts = inbox_counts()
        if not counts["pending"] and not counts["processing"] and accepted <= stored_callbacks(prefix):
            break
        time.sleep(0.5)
    return time.monotonic() - started


# -- the run ------------------------------------------------------------------------------------


def services_env(database_url: str, ports: dict) -> dict:
    sandbox, redis_url = f"http://127.0.0.1:{ports['sandbox']}", f"redis://127.0.0.1:{ports['redis']}/0"
    return {
        **os.environ,
        "EXOADMIN_ENV": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "EXOTEL_WEBHOOK_TOKEN": TOKEN,
        "EXOTEL_CCM_BASE_URL": sandbox,
        "EXOTEL_CONTACTS_BASE_URL": sandbox,
        "EXOTEL_INTEGRATIONS_BASE_URL": f"{sandbox}/v2/integrations",
        "EXOTEL_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
        "EXOADMIN_PUBLIC_URL": f"http://127.0.0.1:{ports['web']}",
        "EXOADMIN_BIND": f"127.0.0.1:{ports['web']}",
        "WEB_CONCURRENCY": "2",
    }


def faults(share: float) -> dict[str, float]:
    return {kind: round(share * part, 4) for kind, part in FAULT_MIX.items()}


def start_services(processes: Processes, tmp: Path, env: dict, ports: dict, fault_share: float) -> None:
    import redis

    sandbox = env["EXOTEL_CCM_BASE_URL"]
    processes.start(
        "redis",
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--port",
            str(ports["redis"]),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        env,
        lambda: redis.Redis.from_url(env["REDIS_URL"]).ping(),
    )
    processes.start(
        "sandbox",
        [
            PYTHON,
            "-m",
            "exoadmin.sandbox",
            "--port",
            str(ports["sandbox"]),
            "--state",
            str(tmp / "sandbox.sqlite3"),
            "--seed",
            "demo",
            "--rate-limit",
            str(RATE_LIMIT),
        ],
        env,
        lambda: requests.get(f"{sandbox}/_sandbox/health", timeout=1).ok,
    )
    requests.post(f"{sandbox}/_sandbox/config", json={"faults": faults(fault_share)}, timeout=5).raise_for_status()
    processes.run("migrate", [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    processes.run("demo_data", [PYTHON, "manage.py", "demo_data"], env)


def start_product(processes: Processes, env: dict, base: str) -> None:
    from exoadmin.celery import app as celery_app

    processes.start(
        "gunicorn",
        [str(Path(PYTHON).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py", "exoadmin.asgi:application"],
        env,
        lambda: requests.get(f"{base}/login/", timeout=2).ok,
    )
    processes.start(
        "worker",
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "exoadmin",
            "worker",
            "-Q",
            "interactive,bulk",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"loadtest-{os.getpid()}@%h",
        ],
        env,
        lambda: celery_app.control.ping(timeout=0.5),
    )


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


def run_load(base: str, args, sids: list[str], figures: Figures) -> Callbacks:
    """Supervisors and callbacks together for args.seconds."""
    stop = threading.Event()
    crowd = [
        threading.Thread(target=supervisor, args=(base, figures, stop, args.click_every, n), daemon=True)
        for n in range(args.supervisors)
    ]
    for thread in crowd:
        thread.start()
    deadline = threading.Timer(args.seconds + 30, stop.set)  # a bound, should sending fall far behind
    deadline.start()
    try:
        sent, accepted, seconds = send_callbacks(
            f"{base}/exotel/webhook/{TOKEN}/", callback_schedule(sids), args.rate, figures, args.senders, stop
        )
    finally:
        deadline.cancel()
        stop.set()
        for thread in crowd:
            thread.join(40)
    return Callbacks(sent=sent, accepted=accepted, seconds=seconds)


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
    statuses: defaultdict[str, int] = defaultdict(int)
    for entry in log:
        statuses["dropped" if entry["status"] is None else str(entry["status"])] += 1
    faults = sum(n for status, n in statuses.items() if status in ("dropped", "429") or status.startswith("5"))
    return (
        f"Exotel (sandbox) answered {len(log)} requests, {faults} ({faults / max(1, len(log)):.0%}) "
        f"with a fault: {json.dumps(dict(statuses), sort_keys=True)}"
    )


def report(figures: Figures, callbacks: Callbacks, exotel: str, args) -> int:
    """Prints the figures, the two headline lines last; answers the exit status."""
    print(
        f"load: {args.seconds:.0f} s, {args.supervisors} supervisors, callbacks at {args.rate:.0f}/s, "
        f"Exotel faults {faults(args.faults)}"
    )
    print(exotel)
    for kind in ("login", "board poll", "live calls poll", "device click", "status callback"):
        latencies, outcomes = figures.latencies[kind], dict(figures.outcomes[kind])
        print(
            f"{kind:16} {len(latencies):6} requests  p50 {percentile(latencies, 0.5) * 1000:7.1f} ms  "
            f"p95 {percentile(latencies, 0.95) * 1000:7.1f} ms  {json.dumps(outcomes, sort_keys=True)}"
        )
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
    print(f"errors_not_exotels: {not_exotels}")
    print(f"lost_callbacks: {lost}")
    return 1 if failed or not_exotels or lost else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=100, help="status callbacks per second")
    parser.add_argument("--faults", type=float, default=0.2, help="share of Exotel requests answered with a fault")
    parser.add_argument("--supervisors", type=int, default=4)
    parser.add_argument("--click-every", type=float, default=3.0, help="seconds between one supervisor's clicks")
    parser.add_argument("--senders", type=int, default=12, help="threads sending callbacks")
    parser.add_argument("--keep-logs", action="store_true", help="keep every process's log, also on success")
    args = parser.parse_args()
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
        start_services(processes, tmp, env, ports, args.faults)
        setup_django(env)
        prefix = f"loadtest{os.getpid()}x"
        sids = calls_create(int(args.rate * args.seconds / 2), prefix)
        start_product(processes, env, base)
        figures = Figures()
        callbacks = run_load(base, args, sids, figures)
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
