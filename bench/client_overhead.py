"""How much the Exotel client adds to one device PUT, compared with a bare requests.put.

Starts its own sandbox on a free loopback port, then times the same PUT both ways, interleaved
(order alternating), each over its own reused requests.Session, and compares medians. The bare
request decodes its JSON answer too, since any caller must. Logging stays at its default (INFO
off). It measures three times: without a rate budget; with the shared Redis budget (its own
redis-server on a free port) held to one Redis round trip per request, as at Exotel's 200 a
minute; and with the budget as the product configures it for a limit this bench never reaches,
where a process sending fast leases slots in batches. Last line, that last figure:
`client_overhead_ratio: X` (1.0 = no overhead).

    .venv/bin/python bench/client_overhead.py [--requests 400]
"""

from __future__ import annotations

import argparse
import base64
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exoadmin.exotel import devices  # noqa: E402
from exoadmin.exotel.client import ExotelClient  # noqa: E402
from exoadmin.exotel.config import ExotelConfig  # noqa: E402
from exoadmin.exotel.ratelimit import RateBudget  # noqa: E402

ACCOUNT: dict[str, Any] = {
    "sid": "bench",
    "api_key": "bench-key",
    "api_token": "bench-token",
    "customer_id": "c",
    "app_id": "a",
    "app_token": "t",
    "exophones": ["+918030752400"],
}
WARMUP = 50


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(state_dir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "exoadmin.sandbox", "--port", str(port), "--state", f"{state_dir}/sandbox.sqlite3"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/_sandbox/health", timeout=1).ok:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the sandbox did not start")


def prepare(url: str) -> tuple[str, str]:
    """An account with one verified device and no rate limit in the way; answers (user, device)."""
    control = requests.Session()
    control.post(f"{url}/_sandbox/reset", json={"seed": "empty"}, timeout=10).raise_for_status()
    control.post(f"{url}/_sandbox/accounts", json=ACCOUNT, timeout=10).raise_for_status()
    control.post(f"{url}/_sandbox/config", json={"rate_limit": 10**9}, timeout=10).raise_for_status()
    user = control.post(
        f"{url}/_sandbox/users",
        timeout=10,
        json={
            "account_sid": ACCOUNT["sid"],
            "first_name": "Bench",
            "last_name": "Agent",
            "devices": [
                {"name": "Mobile", "contact_uri": "+919900000101", "type": "tel", "available": False, "verified": True}
            ],
        },
    ).json()
    return str(user["id"]), str(user["devices"][0]["id"])


def measure(url: str, user_id: str, device_id: str, count: int, budget: RateBudget | None) -> tuple[float, float]:
    config = ExotelConfig(
        account_sid=ACCOUNT["sid"],
        api_key=ACCOUNT["api_key"],
        api_token=ACCOUNT["api_token"],
        ccm_base_url=url,
        contacts_base_url=url,
        integrations_base_url=f"{url}/v2/integrations",
    )
    client = ExotelClient(config, budget=budget)
    bare = requests.Session()
    put_url = f"{url}/v2/accounts/{ACCOUNT['sid']}/users/{user_id}/devices/{device_id}"
    auth = base64.b64encode(f"{ACCOUNT['api_key']}:{ACCOUNT['api_token']}".encode()).decode()
    headers = {"Authorization": f"Basic {auth}"}
    timeout = (config.connect_timeout, config.read_timeout)

    def through_client(available: bool) -> None:
        devices.set_device_available(client, user_id=user_id, device_id=device_id, available=available)

    def bare_put(available: bool) -> None:
        response = bare.put(put_url, json={"available": available}, headers=headers, timeout=timeout)
        response.raise_for_status()
        response.json()

    timings: dict[str, list[float]] = {"client": [], "bare": []}
    for n in range(WARMUP + count):
        pair = [("client", through_client), ("bare", bare_put)]
        for name, action in pair if n % 2 else reversed(pair):
            started = time.perf_counter()
            action(n % 2 == 0)
            if n >= WARMUP:
                timings[name].append(time.perf_counter() - started)
    return statistics.median(timings["client"]), statistics.median(timings["bare"])


def start_redis() -> tuple[subprocess.Popen, redis.Redis]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""], stdout=subprocess.DEVNULL
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            client.ping()
            return process, client
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("redis-server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state_dir:
        sandbox, url = start_sandbox(state_dir)
        redis_server, redis_client = start_redis()
        try:
            user_id, device_id = prepare(url)
            results = {
                "without a rate budget": measure(url, user_id, device_id, args.requests, None),
                "with the budget, a Redis round trip each": measure(
                    url, user_id, device_id, args.requests, RateBudget(redis_client, limit=10**9, max_lease=1)
                ),
                "with the budget leasing slots": measure(
                    url, user_id, device_id, args.requests, RateBudget(redis_client, limit=10**9)
                ),
            }
        finally:
            for process in (sandbox, redis_server):
                process.terminate()
                process.wait(10)
    for label, (client_s, bare_s) in results.items():
        print(
            f"device PUT median over {args.requests}, {label}: client {client_s * 1000:.3f} ms, "
            f"bare {bare_s * 1000:.3f} ms, ratio {client_s / bare_s:.3f}"
        )
    client_s, bare_s = results["with the budget leasing slots"]
    print(f"client_overhead_ratio: {client_s / bare_s:.3f}")


if __name__ == "__main__":
    main()
