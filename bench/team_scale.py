"""Does a supervisor of one team pay for the size of the account around their team?

Seeds a throw-away SQLite database with board_scale's two accounts (50 agents and 5,000 agents,
each with an account-wide supervisor), puts the 5,000 in 100 teams of 50 and adds a supervisor who
leads one of them (a member of the account, not account-wide). Compares the SQL queries of the team
supervisor's board (two pages, as board_scale renders them) with those of the 50-agent account's
supervisor. Then grows the calls table with history_scale's seeding, each call in its agent's team,
to 1,000 calls (copied) and on to 1,000,000, and times the team supervisor's first history page on
both copies, interleaved. The team places about 5.7% of the calls (a busy team), so its first page
is a full 50 rows at 1,000 calls too. Needs no Redis, sandbox or network.
Prints `team_board_query_ratio: X` (target ≤ 1.0) and, last, `team_history_time_ratio: Y`
(1M / 1k, target ≤ 1.5).

    .venv/bin/python bench/team_scale.py [--calls 1000000] [--runs 30]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import history_scale  # noqa: E402

TEAMS, TEAM_SIZE = 100, 50
BUSY_TEAM_WEIGHT = 6  # the led team's agents are picked this many times as often as anyone else


def team_up(account_name: str):
    """100 teams of 50 agents in the account, and a supervisor who leads the first: (client, team)."""
    from django.test import Client

    from agents.models import Agent
    from exoadmin.accounts.models import ExotelAccount
    from exoadmin.accounts.roles import Role
    from exoadmin.accounts.services import user_create_or_update
    from teams.models import Team

    account = ExotelAccount.objects.get(name=account_name)
    agents = list(Agent.objects.filter(account=account).order_by("name", "pk").values_list("pk", flat=True))
    teams = Team.objects.bulk_create(Team(account=account, name=f"Team {n:03d}") for n in range(TEAMS))
    Team.agents.through.objects.bulk_create(
        (Team.agents.through(team_id=teams[i // TEAM_SIZE].pk, agent_id=pk) for i, pk in enumerate(agents)),
        batch_size=5000,
    )
    lead = user_create_or_update(username="bench-team-lead", password="pw-bench-2026", role=Role.SUPERVISOR)
    account.members.add(lead)  # a member, not account-wide: sees only the team they lead
    teams[0].leads.add(lead)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(lead)
    return client, teams[0]


def calls_join_their_teams() -> None:
    """Every call not yet in a team joins its agent's teams (as a launch records them)."""
    from django.db import connection, transaction

    from calls.models import Call
    from teams.models import Team

    call_teams, team_agents = Call.teams.through._meta.db_table, Team.agents.through._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {call_teams} (call_id, team_id) "  # table names from the models, no input
            f"SELECT c.id, m.team_id FROM {Call._meta.db_table} c JOIN {team_agents} m ON m.agent_id = c.agent_id "
            f"WHERE c.id > (SELECT COALESCE(MAX(call_id), 0) FROM {call_teams})"
        )


def selector_times(user, databases: dict[str, str], runs: int) -> dict[str, float]:
    """{label: median seconds} of the history page's query alone (no template), interleaved."""
    from calls.selectors import HistoryFilters, history_page

    timings: dict[str, list[float]] = {label: [] for label in databases}
    for block in range(runs):
        for label, path in databases.items() if block % 2 else reversed(databases.items()):
            history_scale.use_database(path)
            history_page(user, HistoryFilters())  # connect and warm this copy
            started = time.perf_counter()
            history_page(user, HistoryFilters())
            timings[label].append(time.perf_counter() - started)
    return {label: statistics.median(times) for label, times in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="team-bench-") as tmp:
        big, small = f"{tmp}/bench.sqlite3", f"{tmp}/small.sqlite3"
        history_scale.setup_django(f"sqlite:///{big}")
        from django.conf import settings

        settings.ALLOWED_HOSTS += ["127.0.0.1"]  # board_scale's clients
        from bench import board_scale  # sets Django up again: a no-op, on the database above

        shutil.rmtree(board_scale.DB_DIR, ignore_errors=True)  # the database it would have used
        from agents.models import Agent
        from calls.models import Call
        from exoadmin.accounts.models import ExotelAccount

        wide_50 = board_scale.seed(50)
        board_scale.seed(5000)
        team_client, team = team_up("bench-5000")
        wide_queries, team_queries = board_scale.queries(wide_50), board_scale.queries(team_client)
        print(
            f"board: account-wide supervisor of 50 agents {wide_queries} queries, "
            f"supervisor of one team of {TEAM_SIZE} among 5,000 agents {team_queries} queries"
        )

        # History: only the seeded calls (the board's live calls go).
        Agent.objects.update(live_call=None)
        Call.objects.all().delete()
        account = ExotelAccount.objects.get(name="bench-5000")
        agents = list(Agent.objects.filter(account=account))
        led = set(team.agents.values_list("pk", flat=True))
        weighted = agents + [agent for agent in agents if agent.pk in led] * (BUSY_TEAM_WEIGHT - 1)
        rng = random.Random(14)
        history_scale.seed(account, weighted, 1_000, rng)
        calls_join_their_teams()
        history_scale.copy_database(big, small)
        history_scale.seed(account, weighted, args.calls - 1_000, rng)
        calls_join_their_teams()
        team_calls = Call.teams.through.objects.filter(team=team).count()
        print(f"team of {TEAM_SIZE}: {team_calls:,} of {args.calls:,} calls")

        databases = {"1,000": small, f"{args.calls:,}": big}
        for path in databases.values():  # the team's first page is full on both
            history_scale.use_database(path)
            assert team_client.get("/calls/").content.count(b"<tr data-call=") == 50, path
        lead = team.leads.get()
        for label, seconds in selector_times(lead, databases, args.runs).items():
            print(f"team history page query alone at {label} calls: {seconds * 1000:.1f} ms")
        results = history_scale.time_first_pages(team_client, {}, databases, args.runs)
        for label, (seconds, queries) in results.items():
            print(f"team history first page at {label} calls: {seconds * 1000:.1f} ms, {queries} queries")
        (small_time, _), (big_time, _) = results.values()
        print(f"team_board_query_ratio: {team_queries / wide_queries:.2f}")
        print(f"team_history_time_ratio: {big_time / small_time:.2f}")


if __name__ == "__main__":
    main()
