"""How many status callbacks a second the webhook takes, against a bare Django view returning 200
on the same server and database.

One server process (Django's WSGI handler in a threaded wsgiref server, all middleware on) serves
both URLs over a throw-away SQLite database (`--database-url` for another) with its own Redis
(the webhook enqueues the legs fetch of each ended call there; no worker drains it). Clients:
`--clients` threads, each with its own connection, alternating blocks of requests to the bare
view and to the webhook; every webhook request is a terminal callback (JSON, v3) for a different
active call: the webhook validates it and queues it in the callback inbox for the worker (which
stores and applies it; none runs here, so the inbox only grows). Last line: `webhook_ratio: X`
(webhook requests/s divided by bare requests/s; target ≥ 0.5).

    .venv/bin/python bench/webhook_throughput.py [--calls 3000] [--clients 8]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TOKEN = "bench-webhook-token"
BLOCKS = 6  # alternating bare/webhook blocks, so both see the same machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django(database_url: str, redis_url: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        EXOTEL_WEBHOOK_TOKEN=TOKEN,
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="exoadmin.settings",
    )
    import django

    django.setup()


def serve(port: int) -> None:
    """The server process: the project's URLs plus /bench/ok/, a bare view returning 200."""
    import types
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpResponse
    from django.urls import include, path

    def ok(request):
        return HttpResponse("ok", content_type="text/plain")

    urls: Any = types.ModuleType("bench_urls")
    urls.urlpatterns = [path("bench/ok/", ok), path("", include("exoadmin.urls"))]
    sys.modules["bench_urls"] = urls
    settings.ROOT_URLCONF = "bench_urls"

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
        request_queue_size = 128

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    make_server("127.0.0.1", port, WSGIHandler(), server_class=Server, handler_class=QuietHandler).serve_forever()


def seed(count: int) -> list[str]:
    from django.core.management import call_command
    from django.utils import timezone

    from calls.models import Call, LaunchOutcome
    from exoadmin.accounts.services import account_create_or_update

    call_command("migrate", verbosity=0)
    account = account_create_or_update(
        name="Bench", account_sid="bench", api_key="k", api_token="t", exophones=["+918030752400"]
    )
    now = timezone.now()
    sids = [f"benchcall{i:08d}" for i in range(count)]
    Call.objects.bulk_create(
        [
            Call(
                account=account,
                sid=sid,
                customer_number="+919876543210",
                exophone="+918030752400",
                launch_outcome=LaunchOutcome.ACCEPTED,
                created_at=now,
                started_at=now,
            )
            for sid in sids
        ],
        batch_size=1000,
    )
    return sids


def callback(sid: str) -> bytes:
    return json.dumps(
        {
            "event_details": {"event_type": "terminal"},
            "call_details": {
                "sid": sid,
                "direction": "outbound",
                "virtual_number": "+918030752400",
                "state": "terminal",
                "status": "completed",
                "legs": f"/v3/accounts/bench/calls/{sid}/legs",
                "created_time": "2026-11-03 00:18:32+05:30",
                "updated_time": "2026-11-03 00:19:02+05:30",
                "start_time": "2026-11-03 00:18:38+05:30",
                "end_time": "2026-11-03 00:19:02+05:30",
                "total_duration": 30,
                "total_talk_time": 11,
                "custom_field": None,
                "app_id": None,
                "app_name": None,
                "digits": None,
                "recordings": [{"url": f"https://s3-ap-south-1.amazonaws.com/exotel-mum1-recordings/bench/{sid}.mp3"}],
            },
        }
    ).encode()


def run_block(url: str, bodies: Sequence[bytes | None], clients: int) -> tuple[float, int]:
    """Send every body (None = GET) from `clients` threads; answers (seconds, failures)."""
    queue = list(reversed(bodies))
    lock = threading.Lock()
    failures = [0]

    def work():
        session = requests.Session()
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            if body is None:
                response = session.get(url, timeout=30)
            else:
                response = session.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
            if response.status_code != 200:
                with lock:
                    failures[0] += 1

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, failures[0]


def start(argv: list[str], env: dict, ready) -> subprocess.Popen:
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if ready():
                return process
        except Exception:  # not up yet
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{argv[0]} did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.serve:
        setup_django(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
        serve(args.serve)
        return
    with tempfile.TemporaryDirectory(prefix="webhook-bench-") as tmp:
        redis_port, web_port = free_port(), free_port()
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        import redis

        redis_server = start(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                tmp,
            ],
            dict(os.environ),
            lambda: redis.Redis.from_url(redis_url).ping(),
        )
        try:
            setup_django(database_url, redis_url)
            sids = seed(args.calls)
            env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
            base = f"http://127.0.0.1:{web_port}"
            server = start(
                [sys.executable, __file__, "--serve", str(web_port)],
                env,
                lambda: requests.get(f"{base}/bench/ok/", timeout=1).ok,
            )
            try:
                measure(base, sids, args.clients)
            finally:
                server.terminate()
                server.wait()
        finally:
            redis_server.terminate()
            redis_server.wait()


def measure(base: str, sids: list[str], clients: int) -> None:
    bare_url, hook_url = f"{base}/bench/ok/", f"{base}/exotel/webhook/{TOKEN}/"
    run_block(bare_url, [None] * 100, clients)  # warm up both paths
    warm, sids = sids[:100], sids[100:]
    run_block(hook_url, [callback(sid) for sid in warm], clients)
    per_block = len(sids) // BLOCKS
    totals = {"bare": [0.0, 0, 0], "webhook": [0.0, 0, 0]}
    for block in range(BLOCKS):
        chunk = sids[block * per_block : (block + 1) * per_block]
        for name, url, bodies in (
            ("bare", bare_url, [None] * len(chunk)),
            ("webhook", hook_url, [callback(sid) for sid in chunk]),
        ):
            seconds, failed = run_block(url, bodies, clients)
            totals[name][0] += seconds
            totals[name][1] += len(bodies)
            totals[name][2] += failed
    from calls.inbox import inbox_size

    queued = inbox_size()
    rates = {name: count / seconds for name, (seconds, count, _) in totals.items()}
    print(f"bare view: {rates['bare']:.0f} requests/s ({totals['bare'][1]} requests, {totals['bare'][2]} failed)")
    print(
        f"webhook:   {rates['webhook']:.0f} requests/s ({totals['webhook'][1]} callbacks, "
        f"{totals['webhook'][2]} failed, {queued} queued for the worker)"
    )
    print(f"webhook_ratio: {rates['webhook'] / rates['bare']:.2f}")


if __name__ == "__main__":
    main()
