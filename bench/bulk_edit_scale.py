"""Does a bulk contact edit of 1,000,000 rows run as fast as Exotel's rate limit allows, in the
same worker memory as one of 10,000?

Starts its own Redis, Exotel sandbox (200 requests/min per account, as Exotel) and Celery worker
on a throw-away SQLite database. For each size it seeds the sandbox and the local copy with that
many contacts, uploads a CSV editing every one of them, lets the worker check it, confirms it
and times the job from confirmation to its last recorded chunk. Each size gets a fresh worker
process, whose peak RSS (VmHWM of the worker and its pool child) covers checking and sending.

Prints `bulk_edit_rss_ratio: Y` (peak RSS at the large size / at the small size, target ≤ 1.2)
and, last, `bulk_edit_bound_ratio: X` = elapsed / (requests needed ÷ 200 per minute), target ≤ 1.1.
The bulk share of the budget is 190/min (EXOTEL_INTERACTIVE_RESERVE keeps 10 for clicks), so the
last 10 of 200 requests wait for the sliding window: X is about 1.0 when the budget is the bound.

    .venv/bin/python bench/bulk_edit_scale.py [--rows 1000000] [--small 10000]
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="bulk-edit-scale-"))

from tests.support.processes import CeleryWorker, ManagedProcess, RedisServer, free_port  # noqa: E402

REDIS = RedisServer(TMP)
SANDBOX_PORT = free_port()
SANDBOX_URL = f"http://127.0.0.1:{SANDBOX_PORT}"
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{TMP}/bench.sqlite3",
        "REDIS_URL": REDIS.url,
        "CELERY_BROKER_URL": REDIS.url,
        "EXOTEL_CCM_BASE_URL": SANDBOX_URL,
        "EXOTEL_CONTACTS_BASE_URL": SANDBOX_URL,
        "EXOTEL_INTEGRATIONS_BASE_URL": f"{SANDBOX_URL}/v2/integrations",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",  # as in production: DEBUG keeps the last 9,000 queries' SQL in memory
        "DJANGO_SETTINGS_MODULE": "exoadmin.settings",
    }
)

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from contacts import services  # noqa: E402
from contacts.models import TEXT_FIELDS, BulkEdit, Contact  # noqa: E402
from exoadmin.accounts.services import account_create_or_update  # noqa: E402
from exoadmin.celery import app as celery_app  # noqa: E402
from exoadmin.exotel.contacts import MAX_BULK  # noqa: E402
from exoadmin.sandbox.seeding import generated_contacts  # noqa: E402

EXOTEL_LIMIT_PER_MINUTE = 200
SEED_BATCH = 100_000


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the services it started
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()
    REDIS.start()
    sandbox = ManagedProcess(
        "sandbox",
        [
            sys.executable,
            "-m",
            "exoadmin.sandbox",
            "--port",
            str(SANDBOX_PORT),
            "--state",
            str(TMP / "sandbox.sqlite3"),
            "--seed",
            "empty",
        ],
        TMP,
    )
    sandbox.start()
    sandbox.wait_ready(lambda: requests.get(f"{SANDBOX_URL}/_sandbox/health", timeout=1).ok, timeout=30)
    celery_app.conf.update(broker_url=REDIS.url)
    try:
        call_command("migrate", verbosity=0)
        small_rss, _ = run(args.small)
        large_rss, elapsed = run(args.rows)
    finally:
        sandbox.stop()
        REDIS.stop()
    ideal = math.ceil(args.rows / MAX_BULK) / EXOTEL_LIMIT_PER_MINUTE * 60
    print(f"bulk_edit_elapsed_seconds: {elapsed:.1f} (ideal {ideal:.1f})")
    print(f"bulk_edit_rss_ratio: {large_rss / small_rss:.2f}")
    print(f"bulk_edit_bound_ratio: {elapsed / ideal:.2f}")


def run(rows: int) -> tuple[int, float]:
    """Answers the worker's peak RSS (bytes) and the seconds from confirmation to the end of the job."""
    account = seed(rows)
    worker = CeleryWorker(TMP, {**os.environ}, concurrency=1)
    worker.argv[worker.argv.index("interactive,bulk")] = "bulk"
    worker.start()
    try:
        started = time.monotonic()
        bulk_edit = services.bulk_edit_create_from_upload(
            account=account, user=None, filename=f"edit-{rows}.csv", chunks=csv_lines(account, rows)
        )
        wait(bulk_edit, lambda job: job.state != BulkEdit.State.VALIDATING, "checked")
        assert bulk_edit.state == BulkEdit.State.REVIEW and bulk_edit.total == rows, bulk_edit.error
        print(f"  {rows} rows uploaded and checked in {time.monotonic() - started:.0f} s", file=sys.stderr)
        confirmed = time.monotonic()
        services.bulk_edit_confirm(bulk_edit=bulk_edit)
        wait(bulk_edit, lambda job: job.is_final, "sent")
        elapsed = time.monotonic() - confirmed
        assert (bulk_edit.state, bulk_edit.applied) == (BulkEdit.State.DONE, rows), (bulk_edit.state, bulk_edit.applied)
        assert worker.process is not None
        rss = peak_rss(worker.process.pid)
        print(f"  {rows} rows sent in {elapsed:.1f} s; worker peak RSS {rss / 2**20:.0f} MiB", file=sys.stderr)
        return rss, elapsed
    finally:
        worker.stop()


def seed(rows: int):
    """`rows` contacts in the sandbox (generated there) and the same ones in the local copy."""
    sid = f"bench-{rows}"
    control("/_sandbox/accounts", {"sid": sid, "api_key": f"{sid}-key", "api_token": f"{sid}-token"})
    for start in range(0, rows, SEED_BATCH):
        control("/_sandbox/contacts", {"account_sid": sid, "count": min(SEED_BATCH, rows - start)})
    account = account_create_or_update(
        name=sid, account_sid=sid, api_key=f"{sid}-key", api_token=f"{sid}-token", exophones=[]
    )
    now = timezone.now()
    batch = []
    for row in generated_contacts(sid, rows):
        batch.append(
            Contact(
                account=account,
                sid=row["sid"],
                synced_at=now,
                custom_field=row["custom_field"],
                **{name: row[name] or "" for name in TEXT_FIELDS},
            )
        )
        if len(batch) == 5000:
            Contact.objects.bulk_create(batch)
            batch = []
    Contact.objects.bulk_create(batch)
    return account


def csv_lines(account, rows: int):
    """The CSV, a piece at a time: every contact gets a new first name and tag."""
    yield b"sid,first_name,tag\n"
    piece = []
    for index, row in enumerate(generated_contacts(account.account_sid, rows)):
        piece.append(f"{row['sid']},Renamed{index},bench\n")
        if len(piece) == 10_000:
            yield "".join(piece).encode()
            piece = []
    yield "".join(piece).encode()


def control(path: str, body: dict) -> None:
    response = requests.post(f"{SANDBOX_URL}{path}", json=body, timeout=300)
    response.raise_for_status()


def wait(bulk_edit: BulkEdit, done, what: str, timeout: float = 3600) -> None:
    deadline = time.monotonic() + timeout
    while True:
        bulk_edit.refresh_from_db()
        if done(bulk_edit):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the job was not {what} after {timeout} s")
        time.sleep(0.2)


def peak_rss(group: int) -> int:
    """The largest VmHWM among the processes of the worker's process group (main and pool child)."""
    peaks = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:
                status = (stat.parent / "status").read_text()
                peaks.append(int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1]))
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return max(peaks) * 1024


if __name__ == "__main__":
    assert settings.DATABASES["default"]["NAME"].startswith(str(TMP))
    main()
