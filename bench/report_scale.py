"""Do report pages stay fast when the account around a team is large? 5,000 agents in 100 teams of
50, 90 days: about 2,000,000 availability changes (each an AvailabilityEvent and the StateIntervals
agents.audit derives from it, cut at the account's midnights) and 1,000,000 calls, each in its
agent's team.

Seeds a throw-away SQLite database with the first team's 50 agents and their share of the data,
copies it (the "small" database: only that team's data), then adds the other 4,950 agents and
theirs. The team lead's report pages (REPORT_PAGES, 30 days) are timed on both copies interleaved
(blocks of requests against one, then the other, order alternating), as history_scale does.
Needs no Redis, sandbox or network. Prints the median times and query counts per page, then
`time_in_state_ratio: X` (full / small, target ≤ 1.5) and, last, `report_query_ratio: Y`
(queries at full size / small size over every page, target ≤ 1.0).

    .venv/bin/python bench/report_scale.py [--agents 5000] [--changes 2000000] [--calls 1000000] [--runs 20]

Another report page joins the measurement by adding (name, url builder) to REPORT_PAGES.
"""

from __future__ import annotations

import argparse
import bisect
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import history_scale  # noqa: E402

TEAM_SIZE, DAYS, REPORT_DAYS = 50, 90, 30
AGENTS_PER_BATCH = 100
STATE_KEYS = ["phone", "sip", "both", "on_call", "off", "not_found"]
STATE_WEIGHTS = [30, 15, 5, 30, 18, 2]


def _range_query(account, team) -> str:
    from reports.ranges import today_in

    last = today_in(account)
    first = last - timedelta(days=REPORT_DAYS - 1)
    return f"account={account.pk}&team={team.pk}&date_from={first}&date_to={last}"


# (name, url for the team lead's view of their team over the last REPORT_DAYS days)
REPORT_PAGES: list[tuple[str, Callable]] = [
    ("time_in_state", lambda account, team: f"/reports/time-in-state/?{_range_query(account, team)}"),
    ("trends", lambda account, team: f"/reports/trends/?{_range_query(account, team)}"),
]


def cast():
    """The account (Mumbai time), its first team and the supervisor who leads it."""
    from exoadmin.accounts.roles import Role
    from exoadmin.accounts.services import account_create_or_update, user_create_or_update
    from teams.models import Team

    account = account_create_or_update(
        name="Bench", account_sid="bench", api_key="k", api_token="t", exophones=history_scale.EXOPHONES
    )
    lead = user_create_or_update(username="bench-team-lead", password="x" * 12, role=Role.SUPERVISOR)
    account.members.add(lead)  # a member, not account-wide: sees only the team they lead
    team = Team.objects.create(account=account, name="Team 000")
    team.leads.add(lead)
    return account, team, lead


def seed_agents(account, first: int, count: int, changes_each: int, calls_each: int, rng: random.Random) -> None:
    """Agents `first`.. in teams of TEAM_SIZE (team 0 exists), with their changes and calls."""
    from teams.models import Team

    writer = Writer(account)
    for start in range(first, first + count, AGENTS_PER_BATCH):
        numbers = range(start, min(start + AGENTS_PER_BATCH, first + count))
        teams: dict[int, int] = {}
        for n in numbers:
            teams[n] = Team.objects.get_or_create(account=account, name=f"Team {n // TEAM_SIZE:03d}")[0].pk
        writer.batch(list(numbers), teams, changes_each, calls_each, rng)
        print(f"  seeded {numbers[-1] + 1:,} agents", file=sys.stderr, end="\r")
    print(file=sys.stderr)


class Writer:
    """Rows written with executemany, the ORM only describing them: millions of rows in minutes."""

    def __init__(self, account) -> None:
        from agents.models import AvailabilityEvent, StateInterval
        from calls.models import Call, LaunchOutcome, State

        self.account = account
        self.end = time.time()
        self.start = self.end - DAYS * 86400
        # Each local midnight of the account from before the first day to after the last (epoch seconds).
        first_day = datetime.fromtimestamp(self.start, account.zone).date() - timedelta(days=1)
        self.days = [first_day + timedelta(days=n) for n in range(DAYS + 3)]
        self.midnights = [
            datetime.combine(day, datetime.min.time(), tzinfo=account.zone).timestamp() for day in self.days
        ]
        self.event = Insert(AvailabilityEvent(source="sync", device="Phone", outcome="applied", at=_EPOCH))
        self.interval = Insert(
            StateInterval(
                state="off", started_at=_EPOCH, ended_at=_EPOCH, day=_EPOCH.date(), seconds=0, changed_by=SYNC
            )
        )
        self.call = Insert(
            Call(
                account=account,
                exophone=history_scale.EXOPHONES[0],
                customer_number="+919800000000",
                state=State.TERMINAL,
                status="completed",
                launch_outcome=LaunchOutcome.ACCEPTED,
                created_at=_EPOCH,
            )
        )

    def batch(self, numbers: list[int], teams: dict[int, int], changes_each: int, calls_each: int, rng) -> None:
        from django.db import transaction

        from agents.models import Agent
        from calls.models import Call
        from teams.models import Team

        agents = [Agent(account=self.account, name=f"Agent {n:05d}", exotel_user_id=f"u{n}") for n in numbers]
        events: list[tuple] = []
        intervals: list[tuple] = []
        calls: list[tuple] = []
        for agent in agents:
            self._history(agent, changes_each, rng, events, intervals)
        with transaction.atomic():
            Agent.objects.bulk_create(agents, batch_size=500)
            Team.agents.through.objects.bulk_create(
                Team.agents.through(team_id=teams[n], agent_id=agent.pk)
                for n, agent in zip(numbers, agents, strict=True)
            )
            # the agents' ids exist now: put them in the rows
            self.event.write([(agent.pk, *rest) for agent, *rest in events], ["agent_id", "at", "before", "after"])
            self.interval.write(
                [(agent.pk, *rest) for agent, *rest in intervals],
                ["agent_id", "state", "started_at", "ended_at", "day", "seconds"],
            )
            first_call = (Call.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
            for agent in agents:
                calls += [self._call(agent.pk, rng) for _ in range(calls_each)]
            self.call.write(
                calls,
                ["key", "agent_id", "sid", "customer_number", "status", "created_at", "started_at", "ended_at"]
                + ["talk_time", "total_duration", "last_heard_at"],
            )
            call_teams = [(first_call + index, teams[numbers[index // calls_each]]) for index in range(len(calls))]
            Insert(Call.teams.through(call_id=0, team_id=0)).write(call_teams, ["call_id", "team_id"])

    def _history(self, agent, changes: int, rng, events: list, intervals: list) -> None:
        """`changes` random changes of state: their events and the intervals cut at local midnights."""
        moments = sorted(self.start + rng.random() * (self.end - self.start) for _ in range(changes))
        state, since = "off", self.start
        for moment in moments:
            new = rng.choices(STATE_KEYS, STATE_WEIGHTS)[0]
            events.append((agent, _db_time(moment), state, new))
            self._pieces(agent, state, since, moment, intervals)
            state, since = new, moment
        agent.state, agent.state_by = state, SYNC
        agent.state_since = datetime.fromtimestamp(since, UTC)

    def _pieces(self, agent, state: str, since: float, until: float, intervals: list) -> None:
        index = bisect.bisect_right(self.midnights, since) - 1
        while since < until:
            end = min(until, self.midnights[index + 1])
            intervals.append((agent, state, _db_time(since), _db_time(end), str(self.days[index]), round(end - since)))
            since, index = end, index + 1

    def _call(self, agent_id: int, rng) -> tuple:
        created = self.start + rng.random() * (self.end - self.start)
        talk = rng.randrange(10, 600) if rng.random() < 0.6 else None
        total = (talk or 0) + 20
        return (
            uuid.UUID(int=rng.getrandbits(128)).hex,
            agent_id,
            uuid.UUID(int=rng.getrandbits(128)).hex,
            f"+9198{rng.randrange(10**8):08d}",
            "completed" if talk else "to_leg_unanswered",
            _db_time(created),
            _db_time(created),
            _db_time(created + total),
            talk,
            total,
            _db_time(created),
        )


class Insert:
    """INSERT of a model's rows: every column as in `template`, the named ones from each row."""

    def __init__(self, template) -> None:
        from django.db import connection

        self.fields = [f for f in type(template)._meta.local_concrete_fields if not f.primary_key]
        self.table = type(template)._meta.db_table
        self.base = [f.get_db_prep_save(getattr(template, f.attname), connection) for f in self.fields]

    def write(self, rows: list[tuple], columns: list[str]) -> None:
        from django.db import connection

        names = [f.attname for f in self.fields]
        where = [names.index(column) for column in columns]
        columns_sql, values_sql = ", ".join(f.column for f in self.fields), ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {self.table} ({columns_sql}) VALUES ({values_sql})"
        values = []
        for row in rows:
            full = list(self.base)
            for index, value in zip(where, row, strict=True):
                full[index] = value
            values.append(full)
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)


_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
SYNC = "Outside exoadmin (found by sync)"


def _db_time(epoch: float) -> str:
    """How Django stores a datetime in SQLite: UTC, without a zone."""
    return str(datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None))


def time_pages(client, urls: dict[str, str], databases: dict[str, str], runs: int) -> dict:
    """{(page, database): (median seconds, queries)}, each page timed on the databases interleaved."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for page, url in urls.items():
        timings: dict[str, list[float]] = {label: [] for label in databases}
        order = list(databases.items())
        for block in range(-(-runs // history_scale.BLOCK)):
            for label, path in order if block % 2 else reversed(order):
                history_scale.use_database(path)
                assert client.get(url).status_code == 200  # connect and warm this copy
                for _ in range(history_scale.BLOCK):
                    started = time.perf_counter()
                    response = client.get(url)
                    timings[label].append(time.perf_counter() - started)
                    assert response.status_code == 200
        for label, path in databases.items():
            history_scale.use_database(path)
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            results[page, label] = (statistics.median(timings[label]), len(queries))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=5_000)
    parser.add_argument("--changes", type=int, default=2_000_000)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    changes_each, calls_each = args.changes // args.agents, args.calls // args.agents
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        big, small = f"{tmp}/bench.sqlite3", f"{tmp}/small.sqlite3"
        history_scale.setup_django(f"sqlite:///{big}")
        from django.test import Client

        from agents.models import StateInterval

        account, team, lead = cast()
        client = Client()
        client.force_login(lead)  # before the copy: both databases hold the session
        rng = random.Random(15)
        seed_agents(account, 0, TEAM_SIZE, changes_each, calls_each, rng)
        history_scale.copy_database(big, small)
        seed_agents(account, TEAM_SIZE, args.agents - TEAM_SIZE, changes_each, calls_each, rng)
        print(f"{StateInterval.objects.count():,} state intervals from {args.changes:,} changes", file=sys.stderr)

        urls = {name: url(account, team) for name, url in REPORT_PAGES}
        labels = {"team only": small, f"{args.agents:,} agents": big}
        results = time_pages(client, urls, labels, args.runs)
        for (page, label), (seconds, queries) in results.items():
            print(f"{page} at {label}: {seconds * 1000:.1f} ms, {queries} queries")
        small_label, big_label = labels
        tis_small, tis_big = results["time_in_state", small_label][0], results["time_in_state", big_label][0]
        queries_small = sum(results[page, small_label][1] for page in urls)
        queries_big = sum(results[page, big_label][1] for page in urls)
        print(f"time_in_state_ratio: {tis_big / tis_small:.2f}")
        print(f"report_query_ratio: {queries_big / queries_small:.2f}")


if __name__ == "__main__":
    main()
