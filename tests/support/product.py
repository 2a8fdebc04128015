"""The whole product in real processes, and the people who use it, for load and fault runs
(bench/faults_under_load.py, tests/faults/): Redis, the Exotel sandbox (demo seed), gunicorn with
uvicorn workers (deploy/gunicorn.conf.py, as in production), a Celery worker and beat; supervisors polling
pages and clicking device switches; Exotel's status callbacks to the webhook. Every request's wall
time, status and outcome is recorded with the phase of the run it was sent in."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.processes import ROOT, redis_argv

PYTHON = sys.executable
TOKEN = "loadtest-webhook-token"
RATE_LIMIT = 100_000  # per minute, sandbox and product alike: faults, not the limiter, under test
SUPERVISOR = ("supervisor", "exoadmin-supervisor")
DEMO_ACCOUNT_SID = "exoadmin-demo"
EXOPHONE = "+918030752400"
TERMINAL_LAG = 50  # callbacks between a call's `answered` and its `terminal`
RESEND_EVERY = 0.2  # seconds between deliveries of a callback the webhook did not accept
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


@dataclass(frozen=True)
class Page:
    """A page a supervisor keeps open, polled as htmx does: `marker` shows its partial came back."""

    kind: str
    path: str
    marker: str


BOARD = Page("board poll", "/agents/", 'id="board"')
LIVE_CALLS = Page("live calls poll", "/calls/live/", 'data-announce-changes="live-calls"')


# -- processes ----------------------------------------------------------------------------------


class Processes:
    """Every child process, each in its own session so that stopping it stops its children too."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.running: list[tuple[str, subprocess.Popen]] = []
        self.stopping = threading.Event()

    def _spawn(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        with open(self.log_dir / f"{name}.log", "ab") as log:  # the child keeps its own copy of the file
            process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.running.append((name, process))
        return process

    def restart_when_it_exits(self, name: str, argv: list[str], env: dict) -> None:
        """Starts `name` again whenever it exits, as systemd's Restart=always does in production (a
        Celery worker can die of a broker lost at the wrong moment: kombu's channel close fails)."""

        def watch() -> None:
            process = self._latest(name)
            while not self.stopping.wait(0.5):
                if process.poll() is not None:
                    process = self._spawn(name, argv, env)

        threading.Thread(target=watch, name=f"restart-{name}", daemon=True).start()

    def _latest(self, name: str) -> subprocess.Popen:
        return next(process for started, process in reversed(self.running) if started == name)

    def start(self, name: str, argv: list[str], env: dict, ready, timeout: float = 60) -> None:
        process = self._spawn(name, argv, env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")
            try:
                if ready():
                    return
            except Exception:  # not up yet
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not start within {timeout:.0f} s:\n{self.tail(name)}")

    def run(self, name: str, argv: list[str], env: dict) -> None:
        with open(self.log_dir / f"{name}.log", "ab") as log:
            if subprocess.run(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=300).returncode:
                raise RuntimeError(f"{name} failed:\n{self.tail(name)}")

    def signal(self, name: str, sig: signal.Signals) -> None:
        """Sends `sig` to the latest process started as `name` (SIGSTOP: hung; SIGKILL: gone)."""
        process = self._latest(name)
        process.send_signal(sig)
        if sig == signal.SIGKILL:
            process.wait()

    def tail(self, name: str, lines: int = 30) -> str:
        """The log's last lines, without gunicorn's access lines."""
        path = self.log_dir / f"{name}.log"
        text = path.read_text(errors="replace").splitlines() if path.exists() else []
        return "\n".join([line for line in text if not line.startswith('127.0.0.1 "')][-lines:])

    def stop_all(self) -> None:
        """Last started first (the worker before the Redis it uses): SIGTERM to the main process, so
        gunicorn and Celery stop their children gracefully, then SIGKILL to what is left after 15 s.
        SIGCONT first: a process a fault run left stopped cannot act on SIGTERM."""
        self.stopping.set()
        time.sleep(0.6)  # a restart under way has registered its process
        for _, process in reversed(list(self.running)):
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
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


def start_redis(processes: Processes, env: dict, port: int) -> None:
    """Redis as production runs it (appendonly, README): the callback inbox and the queues survive
    a crash, so starting it again on the same port and folder brings them back."""
    import redis

    argv = redis_argv(port, processes.log_dir, appendonly=True)
    processes.start("redis", argv, env, lambda: redis.Redis.from_url(env["REDIS_URL"]).ping())


def start_services(processes: Processes, env: dict, ports: dict, faults: dict[str, float]) -> None:
    """Redis, the sandbox answering `faults` (shares of its requests per kind), the migrated
    database with demo data."""
    sandbox = env["EXOTEL_CCM_BASE_URL"]
    start_redis(processes, env, ports["redis"])
    state = processes.log_dir / "sandbox.sqlite3"
    processes.start(
        "sandbox",
        [PYTHON, "-m", "exoadmin.sandbox", "--port", str(ports["sandbox"]), "--state", str(state)]
        + ["--seed", "demo", "--rate-limit", str(RATE_LIMIT)],
        env,
        lambda: requests.get(f"{sandbox}/_sandbox/health", timeout=1).ok,
    )
    requests.post(f"{sandbox}/_sandbox/config", json={"faults": faults}, timeout=5).raise_for_status()
    processes.run("migrate", [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    processes.run("demo_data", [PYTHON, "manage.py", "demo_data"], env)


def start_product(processes: Processes, env: dict, base: str) -> None:
    """gunicorn (deploy/gunicorn.conf.py), one Celery worker on both queues, and beat, whose sweeps
    pick up what was not sent while Redis was sick (exoadmin/queueing.py)."""
    import redis

    processes.start(
        "gunicorn",
        [str(Path(PYTHON).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py", "exoadmin.asgi:application"],
        env,
        lambda: requests.get(f"{base}/login/", timeout=2).ok,
    )
    argv = [PYTHON, "-m", "celery", "-A", "exoadmin", "worker", "-Q", "interactive,bulk", "--concurrency", "2"]
    argv += ["--without-gossip", "--without-mingle", "--loglevel", "WARNING", "--hostname", f"load-{os.getpid()}@%h"]
    broker = redis.Redis.from_url(env["REDIS_URL"])
    # Ready once it waits on a queue (asked of Redis: this process's Celery app may be the tests').
    processes.start("worker", argv, env, lambda: any(c.get("cmd") == "brpop" for c in broker.client_list()))
    processes.restart_when_it_exits("worker", argv, env)
    beat = [PYTHON, "-m", "celery", "-A", "exoadmin", "beat", "--loglevel", "WARNING"]
    processes.start("beat", beat + ["--schedule", str(processes.log_dir / "beat-schedule")], env, lambda: True)


# -- figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    kind: str
    phase: str  # the run's phase when it was sent
    ended_in: str  # ... and when its answer came (a fault may start while it is in flight)
    seconds: float  # client-side wall time
    status: int | None  # None: no answer
    outcome: str


class Figures:
    """Thread-safe record of every request; `phase` names what the run is doing to the product now."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[Sample] = []
        self.examples: dict[str, str] = {}
        self.phase = "load"

    def record(self, kind: str, phase: str, seconds: float, status: int | None, outcome: str, example: str) -> None:
        with self.lock:
            self.samples.append(Sample(kind, phase, self.phase, seconds, status, outcome))
            if example and outcome not in ("ok", "confirmed") and outcome not in self.examples:
                self.examples[outcome] = f"{kind}: {example[:300]}"

    def select(self, kind: str | None = None, phase: str | None = None) -> list[Sample]:
        with self.lock:
            return [s for s in self.samples if kind in (None, s.kind) and phase in (None, s.phase)]

    def count(self, outcome: str) -> int:
        return sum(1 for sample in self.select() if sample.outcome == outcome)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summary(samples: list[Sample]) -> str:
    """count, p50, p99, max and answers, for a failure to say what happened."""
    seconds = [sample.seconds for sample in samples]
    statuses: defaultdict[str, int] = defaultdict(int)
    for sample in samples:
        statuses[str(sample.status or "no answer")] += 1
    return (
        f"{len(samples):6} requests  p50 {percentile(seconds, 0.5) * 1000:7.1f} ms  "
        f"p99 {percentile(seconds, 0.99) * 1000:7.1f} ms  max {max(seconds, default=0) * 1000:7.1f} ms  "
        f"{json.dumps(dict(sorted(statuses.items())))}"
    )


# -- supervisors --------------------------------------------------------------------------------


def logged_in_session(base: str, figures: Figures) -> requests.Session | None:
    """The demo supervisor, logged in through the login form; None (an error counted) if that failed."""
    session = requests.Session()
    started, phase = time.perf_counter(), figures.phase
    status = None
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
        status, detail = answer.status_code, f"HTTP {answer.status_code}"
    except requests.RequestException as exc:
        detail = repr(exc)
    ok = status == 302
    figures.record("login", phase, time.perf_counter() - started, status, "ok" if ok else "not_exotels", detail)
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
    started, phase = time.perf_counter(), figures.phase
    try:
        response = send()
    except requests.RequestException as exc:
        figures.record(kind, phase, time.perf_counter() - started, None, "not_exotels", f"no answer: {exc!r}")
        return "not_exotels", ""
    outcome, detail = judge(response)
    figures.record(kind, phase, time.perf_counter() - started, response.status_code, outcome, detail)
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


@dataclass(frozen=True)
class Crowd:
    """What each supervisor does: polls `pages` (the board first) every second, clicks every few seconds."""

    base: str
    figures: Figures
    stop: threading.Event
    click_every: float
    pages: tuple[Page, ...] = (BOARD, LIVE_CALLS)


def supervisor(crowd: Crowd, seed: int) -> None:
    rng, stop = random.Random(seed), crowd.stop
    session = logged_in_session(crowd.base, crowd.figures)
    if session is None:
        return
    board = [""]

    def poll() -> None:
        session_for_polls = twin(session)
        while not stop.is_set():
            started = time.monotonic()
            for page in crowd.pages:
                outcome, html = timed(
                    crowd.figures,
                    page.kind,
                    lambda page=page: session_for_polls.get(f"{crowd.base}{page.path}", timeout=15),
                    judge_partial(page.marker),
                )
                if page == BOARD and outcome == "ok":
                    board[0] = html
            stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    stop.wait(rng.uniform(0, crowd.click_every))
    while not stop.is_set():
        controls = board_controls(board[0])
        if controls:
            url, fields = rng.choice(controls)
            timed(
                crowd.figures,
                "device click",
                lambda url=url, fields=fields: session.post(
                    f"{crowd.base}{url}", data={**fields, "next": "/agents/"}, timeout=30
                ),
                judge_click,
            )
        stop.wait(rng.uniform(0.5, 1.5) * crowd.click_every)
    poller.join(20)


def supervisors_start(crowd: Crowd, count: int) -> list[threading.Thread]:
    threads = [threading.Thread(target=supervisor, args=(crowd, n), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    return threads


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


@dataclass(frozen=True)
class Sender:
    """Callbacks to the webhook at `rate` per second from `threads` threads, until `stop`. With
    `deliveries` above 1, one the webhook did not accept is sent again (as Exotel retries) until 200."""

    url: str
    rate: float
    figures: Figures
    stop: threading.Event
    threads: int = 12
    deliveries: int = 1


def send_callbacks(sender: Sender, events: list[tuple[str, str]]) -> tuple[set, set, float]:
    """Each event at its due time (start + index / rate); answers (sent, accepted, seconds)."""
    slots = iter(range(len(events)))
    lock = threading.Lock()
    sent: set[tuple[str, str]] = set()
    accepted: set[tuple[str, str]] = set()
    started = time.monotonic()
    finished = [started]

    def deliver(session: requests.Session, body: bytes) -> bool:
        for delivery in range(sender.deliveries):
            if delivery:
                time.sleep(RESEND_EVERY)
            outcome, _ = timed(
                sender.figures,
                "status callback",
                lambda: session.post(sender.url, data=body, headers={"Content-Type": "application/json"}, timeout=15),
                judge_callback,
            )
            if outcome == "ok":
                return True
        return False

    def work() -> None:
        session = requests.Session()
        while not sender.stop.is_set():
            with lock:
                index = next(slots, None)
            if index is None:
                return
            delay = started + index / sender.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            event = events[index]
            ok = deliver(session, callback(*event))
            with lock:
                finished[0] = max(finished[0], time.monotonic())
                sent.add(event)
                if ok:
                    accepted.add(event)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(sender.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent, accepted, finished[0] - started


def wait_for(condition: Callable[[], object], timeout: float, interval: float = 0.5) -> float:
    """Polls until condition() is truthy or `timeout` passed; answers seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout and not condition():
        time.sleep(interval)
    return time.monotonic() - started
