"""Does call history stay fast as the table grows? The first page with a filter at 1,000 calls
and at 1,000,000 calls, through the real view (Django's test client, templates included).

Seeds a throw-away SQLite database with 1,000 calls, copies it, then grows the original to
1,000,000. The two are timed interleaved (blocks of requests against one, then the other, order
alternating), so background load on the machine weighs on both alike. Prints the median times,
the query counts, the CSV export's peak Python memory at 1M (tracemalloc, while streaming every
row), then `history_query_ratio: Y` and, last, `history_time_ratio: X` (1M / 1k; targets 1.0 and
≤1.5).

    .venv/bin/python bench/history_scale.py [--calls 1000000] [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
AGENTS = 10
EXOPHONES = ["+918030752400", "+918030752401", "+918030752402"]
STATUSES = ["completed"] * 6 + ["to_leg_unanswered", "from_leg_unanswered", "from_leg_cancelled", "to_leg_no_dial"]
BATCH = 20_000


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exoadmin.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)


def cast():
    from agents.models import Agent
    from exoadmin.accounts.roles import Role
    from exoadmin.accounts.services import account_create_or_update, user_create_or_update

    account = account_create_or_update(
        name="Bench", account_sid="bench", api_key="k", api_token="t", exophones=EXOPHONES
    )
    supervisor = user_create_or_update(username="bench-supervisor", password="x" * 12, role=Role.SUPERVISOR)
    account.members.add(supervisor)
    account.account_wide.add(supervisor)  # sees every team
    agents = [
        Agent.objects.create(account=account, name=f"Agent {i:02d}", exotel_user_id=f"u{i}") for i in range(AGENTS)
    ]
    return account, supervisor, agents


def seed(account, agents, count: int, rng: random.Random) -> None:
    """`count` finished calls spread over the last year, in batches (bulk_create, one transaction each)."""
    from django.db import transaction
    from django.utils import timezone

    from calls.models import Call, LaunchOutcome, State

    # Oldest first, as a real table fills: every index grows at its end, so seeding stays quick.
    start = timezone.now() - timedelta(days=365)
    step = 365 * 86400 / count
    made = 0
    while made < count:
        rows = []
        for _ in range(min(BATCH, count - made)):
            created = start + timedelta(seconds=made * step + rng.random() * step)
            made += 1
            status = rng.choice(STATUSES)
            talk = rng.randrange(10, 600) if status == "completed" else None
            rows.append(
                Call(
                    key=uuid.UUID(int=rng.getrandbits(128)),
                    account=account,
                    agent=rng.choice(agents),
                    sid=uuid.UUID(int=rng.getrandbits(128)).hex,
                    customer_number=f"+9198{rng.randrange(10**8):08d}",
                    exophone=rng.choice(EXOPHONES),
                    state=State.TERMINAL,
                    status=status,
                    launch_outcome=LaunchOutcome.ACCEPTED,
                    created_at=created,
                    started_at=created,
                    ended_at=created + timedelta(seconds=(talk or 0) + 20),
                    talk_time=talk,
                    total_duration=(talk or 0) + 20,
                    has_recording=talk is not None,
                    recording_url="https://s3-ap-south-1.amazonaws.com/exotel-mum1-recordings/r.mp3" if talk else "",
                    last_heard_at=created,
                    legs_fetched_at=created,
                )
            )
        with transaction.atomic():
            Call.objects.bulk_create(rows, batch_size=2000)
        print(f"  seeded {made:,}", file=sys.stderr, end="\r")
    print(file=sys.stderr)


BLOCK = 3  # timed requests per database before switching to the other


def use_database(path: str) -> None:
    """Point the default connection at another copy (it reconnects on the next query)."""
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = path


def time_first_pages(client, query: dict, databases: dict[str, str], runs: int) -> dict[str, tuple[float, int]]:
    """{label: (median seconds, queries)} for the first page on each database, interleaved."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: dict[str, list[float]] = {label: [] for label in databases}
    order = list(databases.items())
    for block in range(-(-runs // BLOCK)):
        for label, path in order if block % 2 else reversed(order):
            use_database(path)
            assert client.get("/calls/", query).status_code == 200  # connect and warm this copy
            for _ in range(BLOCK):
                started = time.perf_counter()
                response = client.get("/calls/", query)
                timings[label].append(time.perf_counter() - started)
                assert response.status_code == 200
    counts = {}
    for label, path in databases.items():
        use_database(path)
        client.get("/calls/", query)
        with CaptureQueriesContext(connection) as queries:
            client.get("/calls/", query)
        counts[label] = len(queries)
    return {label: (statistics.median(timings[label]), counts[label]) for label in databases}


def copy_database(path: str, to: str) -> None:
    """A consistent copy of the SQLite file (its write-ahead log folded in first)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    shutil.copyfile(path, to)


def export_peak_memory(client) -> tuple[int, int]:
    """(rows, peak bytes) while streaming the whole CSV export, discarding each chunk."""
    tracemalloc.start()
    response = client.get("/calls/export.csv")
    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows - 1, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="history-bench-") as tmp:
        big, small = f"{tmp}/bench.sqlite3", f"{tmp}/small.sqlite3"
        setup_django(f"sqlite:///{big}")
        from django.test import Client

        account, supervisor, agents = cast()
        client = Client()
        client.force_login(supervisor)
        query = {"agent": agents[3].pk, "status": "completed"}
        rng = random.Random(6)
        seed(account, agents, 1_000, rng)
        copy_database(big, small)
        seed(account, agents, args.calls - 1_000, rng)

        results = time_first_pages(client, query, {"1,000": small, f"{args.calls:,}": big}, args.runs)
        for label, (seconds, queries) in results.items():
            print(f"first page at {label} calls: {seconds * 1000:.1f} ms, {queries} queries")
        (small_time, small_queries), (big_time, big_queries) = results.values()
        use_database(big)
        rows, peak = export_peak_memory(client)
        print(f"csv export at {args.calls:,} calls: {rows:,} rows, peak memory {peak / 2**20:.1f} MiB")
        print(f"history_query_ratio: {big_queries / small_queries:.2f}")
        print(f"history_time_ratio: {big_time / small_time:.2f}")


if __name__ == "__main__":
    main()
