"""How fast does a change reach 200 open boards, and what do open streams cost the web process?

One account of 5,000 agents (bench/board_scale.py's seed) in a throw-away SQLite database, a Redis
server and one uvicorn process serving the product, all on loopback, started here and stopped at
the end. Two phases of --seconds each, in this order, with the same changes made in both:

- streaming: 200 boards hold `/live/stream/?page=board` open (raw HTTP from one asyncio loop, as
  EventSource would). Every --every seconds one random agent's phone is flipped in the database
  and `agents.audit.agent_state_refresh` (the service every device change ends with) publishes it;
  each board notes when `event: agent-<id>` arrives. Latency is from just before the service call
  to the event's arrival at each board.
- polling: the same 200 boards ask for the board's table as htmx's 10-second poll does
  (`GET /agents/` with HX-Request), spread evenly over the 10 s.

The web process's CPU time (user + system, from /proc) is measured over each phase.
Prints the latency figures, `live_p95_s` (target ≤ 1.0) and, last, `stream_cpu_ratio`: CPU seconds
per minute while streaming ÷ while polling (target ≤ 0.5).

    .venv/bin/python bench/live_latency.py [--boards 200] [--seconds 30] [--every 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


REDIS_PORT = free_port()
os.environ["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"

from bench.board_scale import seed  # noqa: E402  (sets up Django on its throw-away database)

# isort: split

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from agents.audit import agent_state_refresh  # noqa: E402
from agents.models import Agent, Device, PhoneSip  # noqa: E402

AGENTS = 5000
USERNAME, PASSWORD = f"bench-{AGENTS}", "pw-bench-2026"  # board_scale's supervisor for that account
POLL_SECONDS = 10.0


def start(argv: list[str], log_dir: str, name: str, env: dict | None = None) -> subprocess.Popen:
    log = open(Path(log_dir) / f"{name}.log", "ab")  # noqa: SIM115  (the child keeps it open)
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answered on port {port}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def log_in(port: int) -> str:
    """The session cookie of the supervisor, through the real login form."""
    import requests

    def form_login() -> str:
        session = requests.Session()
        base = f"http://127.0.0.1:{port}"
        session.get(f"{base}/login/", timeout=10)
        token = session.cookies["csrftoken"]
        answer = session.post(
            f"{base}/login/",
            {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/login/"},
            timeout=10,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.status_code
        return f"sessionid={session.cookies['sessionid']}; csrftoken={token}"

    return await asyncio.to_thread(form_login)


def request(path: str, cookie: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n{extra}\r\n".encode()


class Board:
    """One open board's stream: notes when each agent's event arrives."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.open = asyncio.Event()

    async def listen(self, port: int, cookie: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request("/live/stream/?page=board", cookie, "Accept: text/event-stream\r\n"))
        await writer.drain()
        try:
            while line := await reader.readline():
                if line.startswith(b": open"):
                    self.open.set()
                elif line.startswith(b"event: agent-"):
                    self.arrived.setdefault(line[7:].strip().decode(), time.monotonic())
        finally:
            writer.close()


async def poll_board(port: int, cookie: str, offset: float, until: float) -> int:
    """Asks for the board's table every 10 s, as htmx does, from `offset` on; answers how many times."""
    await asyncio.sleep(offset)
    asked = 0
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.monotonic() < until:
        started = time.monotonic()
        await ask_for_board(reader, writer, cookie)
        asked += 1
        await asyncio.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - started)))
    writer.close()
    return asked


async def ask_for_board(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, cookie: str) -> None:
    writer.write(request("/agents/", cookie, "HX-Request: true\r\n"))
    await writer.drain()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)


def flip(agent_id: int) -> None:
    """A real change of an agent's devices, then the service that stores and publishes it."""
    agent = Agent.objects.get(pk=agent_id)
    if agent.uses_phone_sip:
        phone_sip = PhoneSip.objects.get(agent=agent)
        PhoneSip.objects.filter(pk=phone_sip.pk).update(phone_enabled=not phone_sip.phone_enabled, sip_enabled=True)
    else:
        device = Device.objects.filter(agent=agent, type="tel").get()
        Device.objects.filter(pk=device.pk).update(available=not device.available)
    agent_state_refresh(agent=agent)


async def changes(agent_ids: list[int], seconds: float, every: float) -> list[tuple[str, float]]:
    made = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        agent_id = random.choice(agent_ids)
        started = time.monotonic()
        await asyncio.to_thread(flip, agent_id)
        made.append((f"agent-{agent_id}", started))
        await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))
    return made


async def streaming_phase(port, cookie, pid, agent_ids, args) -> tuple[list[float], float]:
    boards = [Board() for _ in range(args.boards)]
    tasks = [asyncio.create_task(board.listen(port, cookie)) for board in boards]
    await asyncio.wait_for(asyncio.gather(*(board.open.wait() for board in boards)), 60)
    cpu_before = cpu_seconds(pid)
    made = await changes(agent_ids, args.seconds, args.every)
    await asyncio.sleep(2.0)  # the last change's events are on their way
    cpu = cpu_seconds(pid) - cpu_before
    for task in tasks:
        task.cancel()
    latencies = []
    for name, started in made:
        for board in boards:
            assert name in board.arrived, f"a board never heard of {name}"
            latencies.append(board.arrived[name] - started)
    return latencies, cpu / (args.seconds + 2.0) * 60


async def polling_phase(port, cookie, pid, agent_ids, args) -> tuple[int, float]:
    cpu_before = cpu_seconds(pid)
    until = time.monotonic() + args.seconds
    spread = POLL_SECONDS / args.boards
    polls = [asyncio.create_task(poll_board(port, cookie, i * spread, until)) for i in range(args.boards)]
    await changes(agent_ids, args.seconds, args.every)
    asked = sum(await asyncio.gather(*polls))
    return asked, (cpu_seconds(pid) - cpu_before) / args.seconds * 60


async def measure(port: int, pid: int, agent_ids: list[int], args) -> None:
    cookie = await log_in(port)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await ask_for_board(reader, writer, cookie)  # the board is drawn once: its rows are pushed
    writer.close()
    latencies, streaming_cpu = await streaming_phase(port, cookie, pid, agent_ids, args)
    asked, polling_cpu = await polling_phase(port, cookie, pid, agent_ids, args)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"{args.boards} boards, {len(latencies) // args.boards} changes in {args.seconds:.0f} s, {AGENTS} agents")
    print(f"latency: median {statistics.median(latencies):.3f} s, p95 {p95:.3f} s, max {latencies[-1]:.3f} s")
    print(f"web CPU: {streaming_cpu:.1f} s/min streaming, {polling_cpu:.1f} s/min polling ({asked} polls)")
    print(f"live_p95_s: {p95:.3f}")
    print(f"stream_cpu_ratio: {streaming_cpu / polling_cpu:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between changes")
    args = parser.parse_args()
    logs = tempfile.mkdtemp(prefix="live-latency-")
    redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
    redis = start([redis_server, "--port", str(REDIS_PORT), "--save", "", "--dir", logs], logs, "redis")
    web = None
    try:
        call_command("migrate", verbosity=0)
        seed(AGENTS)
        web_port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{settings.DATABASES['default']['NAME']}",
            "LOG_LEVEL": "WARNING",
        }
        uvicorn = [
            sys.executable,
            "-m",
            "uvicorn",
            "exoadmin.asgi:application",
            "--lifespan",
            "off",
            "--timeout-graceful-shutdown",
            "1",
        ]
        web = start([*uvicorn, "--port", str(web_port), "--log-level", "warning"], logs, "web", env)
        wait_for_port(REDIS_PORT)
        wait_for_port(web_port)
        # Changes to the agents the boards show (their first page, by name): each reaches every board.
        agent_ids = list(
            Agent.objects.filter(account__name=USERNAME).order_by("name").values_list("pk", flat=True)[:50]
        )
        asyncio.run(measure(web_port, web.pid, agent_ids, args))
    finally:
        for process in (web, redis):
            if process is not None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    main()
