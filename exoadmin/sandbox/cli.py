"""Command-line entry point shared by `python -m exoadmin.sandbox` and `manage.py exotel_sandbox`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from exoadmin.sandbox import demo
from exoadmin.sandbox.config import Config, from_environment
from exoadmin.sandbox.server import serve

OPTIONS = ("host", "port", "state", "seed", "rate_limit", "contacts")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port to listen on; 0 picks a free one")
    parser.add_argument("--state", default="var/sandbox.sqlite3", help="SQLite file holding the state")
    parser.add_argument(
        "--seed",
        choices=("demo", "empty"),
        default="demo",
        help="data for a state file that has no account yet (default demo)",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        help="requests per minute per account (default 200, or EXOTEL_SANDBOX_RATE_LIMIT)",
    )
    parser.add_argument(
        "--contacts",
        type=int,
        default=demo.DEFAULT_CONTACTS,
        help=f"demo contacts to seed (default {demo.DEFAULT_CONTACTS})",
    )


def run(*, host: str, port: int, state: str, seed: str, rate_limit: int | None, contacts: int) -> None:
    flags = {"rate_limit": rate_limit} if rate_limit is not None else {}
    serve(host=host, port=port, state=state, seed=seed, contacts=contacts, config=Config(from_environment(), flags))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m exoadmin.sandbox", description="Run the Exotel sandbox.")
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    run(**{name: options[name] for name in OPTIONS})
