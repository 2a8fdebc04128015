"""Does the supervisor board cost the same with 5,000 agents as with 50?

Seeds a throw-away SQLite database with two accounts, one of 50 agents and one of 5,000 (each
agent with a phone and a SIP device, or phone/SIP; a third of them on a call placed through
exoadmin, which their row shows), each watched by its own supervisor. Renders
each supervisor's first board page (50 rows) and a page sorted by time in state through Django's
test client, interleaved, and compares the SQL queries and the fastest of N renders (the least
noisy estimate on a shared machine: other processes only ever add time). Needs no Redis,
sandbox or network: the board reads only the database.
Prints `board_time_ratio: Y` and, last, `board_query_ratio: X` (target 1.0; time target ≤ 1.5).

    .venv/bin/python bench/board_scale.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_DIR = tempfile.mkdtemp(prefix="board-scale-")
os.environ["DATABASE_URL"] = f"sqlite:///{DB_DIR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exoadmin.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from agents.models import Agent, Device, PhoneSip  # noqa: E402
from calls.models import Call  # noqa: E402
from exoadmin.accounts.roles import Role  # noqa: E402
from exoadmin.accounts.services import account_create_or_update, user_create_or_update  # noqa: E402

URLS = ["/agents/", "/agents/?sort=time_in_state"]


def seed(count: int) -> Client:
    """An account with `count` agents and a supervisor who is a member of it (only of it)."""
    name = f"bench-{count}"
    account = account_create_or_update(name=name, account_sid=name, api_key="k", api_token="t", exophones=[])
    supervisor = user_create_or_update(username=name, password="pw-bench-2026", role=Role.SUPERVISOR)
    account.members.add(supervisor)
    account.account_wide.add(supervisor)  # sees every team
    now = timezone.now()
    agents = Agent.objects.bulk_create(
        Agent(
            account=account,
            name=f"Agent {n:05d}",
            exotel_user_id=f"u{n}",
            device_model="ccm" if n % 5 else "integrations",
            availability=("available", "busy", "off")[n % 3],
            state_since=now - timedelta(seconds=n),
            last_change_at=now,
            last_change_by="Bench",
            has_drift=n % 17 == 0,
        )
        for n in range(count)
    )
    devices = []
    for agent in agents:
        if agent.device_model == "ccm":
            on = agent.availability != "off"
            devices += [
                Device(
                    agent=agent,
                    exotel_id=f"{agent.pk}1",
                    contact_uri=f"+9198{agent.pk:08d}",
                    type="tel",
                    available=on,
                    verified=True,
                    status="free",
                    expected_available=on,
                ),
                Device(
                    agent=agent,
                    exotel_id=f"{agent.pk}2",
                    contact_uri=f"sip:agent{agent.pk}",
                    type="sip",
                    available=False,
                    verified=True,
                    status="free",
                    expected_available=False,
                ),
            ]
    Device.objects.bulk_create(devices, batch_size=2000)
    PhoneSip.objects.bulk_create(
        [
            PhoneSip(agent=a, phone_enabled=True, phone_number=f"+9197{a.pk:08d}", sip_username=f"{a.pk}@app")
            for a in agents
            if a.device_model == "integrations"
        ],
        batch_size=2000,
    )
    busy = [agent for agent in agents if agent.availability == "busy"]
    calls = Call.objects.bulk_create(
        [
            Call(
                account=account,
                agent=agent,
                customer_number=f"+9196{agent.pk:08d}",
                exophone="+918030752400",
                launch_outcome="accepted",
                created_at=now - timedelta(seconds=agent.pk % 600),
                options={"from_contact_uri": f"+9198{agent.pk:08d}"},
            )
            for agent in busy
        ],
        batch_size=2000,
    )
    for agent, call in zip(busy, calls, strict=True):
        agent.live_call = call  # each busy agent is on a call placed through exoadmin
    Agent.objects.bulk_update(busy, ["live_call"], batch_size=2000)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(supervisor)
    return client


def queries(client: Client) -> int:
    total = 0
    for url in URLS:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200 and response.content.count(b'class="pick"') == 50, url
        assert b'data-testid="live-call"' in response.content, url  # the rows show their live calls
        total += len(captured)
    return total


def render_time(client: Client) -> float:
    started = time.perf_counter()
    for url in URLS:
        client.get(url)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    clients = {count: seed(count) for count in (50, 5000)}
    counted = {count: queries(client) for count, client in clients.items()}  # also warms templates up
    times: dict[int, list[float]] = {count: [] for count in clients}
    for i in range(args.repeat):  # interleaved, order alternating, so machine load hits both alike
        for count in (50, 5000) if i % 2 else (5000, 50):
            times[count].append(render_time(clients[count]))
    for count in clients:
        print(f"{count:>5} agents: {counted[count]} queries, {min(times[count]) * 1000:.1f} ms for {len(URLS)} pages")
    print(f"board_time_ratio: {min(times[5000]) / min(times[50]):.2f}")
    print(f"board_query_ratio: {counted[5000] / counted[50]:.2f}")


if __name__ == "__main__":
    main()
