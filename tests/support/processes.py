"""Real services for tests, each its own OS process on a free loopback port."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.05):
    """Polls until condition() is truthy and answers it; fails the test naming what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except Exception:  # the thing polled is not up yet
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class ManagedProcess:
    """A child process whose output goes to a log file that is shown when it fails to start."""

    def __init__(self, name: str, argv: list[str], log_dir: Path, env: dict | None = None):
        self.name, self.argv, self.env = name, argv, env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the file
            self.process = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, probe: Callable[[], object], timeout: float) -> None:
        def ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            return probe()

        try:
            wait_until(ready, timeout=timeout, what=f"{self.name} to start")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{self.log_tail()}") from None

    def stop(self, sig_timeout: float = 10) -> None:
        """Stops the whole process group, so a worker's pool children go too."""
        process = self.process
        if not process or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(sig_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        wait_until(lambda: not _group_alive(process.pid), timeout=sig_timeout, what=f"{self.name} to exit")


def redis_argv(port: int, folder: Path, *, appendonly: bool = False) -> list[str]:
    """redis-server on loopback, no snapshots; with `appendonly`, it keeps its data across a crash."""
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    persistence = ["--save", "", "--appendonly", "yes" if appendonly else "no", "--dir", str(folder)]
    return [server, "--port", str(port), "--bind", "127.0.0.1", *persistence]


class RedisServer(ManagedProcess):
    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        super().__init__("redis", redis_argv(self.port, log_dir), log_dir)

    def start(self) -> None:
        super().start()
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        self.wait_ready(client.ping, timeout=15)


class CeleryWorker(ManagedProcess):
    """A real `celery worker` process on the given broker and database."""

    def __init__(self, log_dir: Path, env: dict, concurrency: int = 2):
        argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "exoadmin",
            "worker",
            "-Q",
            "interactive,bulk",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
            "--hostname",
            f"test-worker-{os.getpid()}@%h",
        ]
        super().__init__("celery-worker", argv, log_dir, env)

    def start(self) -> None:
        from exoadmin.celery import app as celery_app  # pinged through the broker the caller set on it

        super().start()
        self.wait_ready(lambda: celery_app.control.ping(timeout=0.5), timeout=60)
