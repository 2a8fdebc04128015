"""The sandbox's SQLite state file: its tables, the one connection, transactions and JSON columns.

One connection serialised by a re-entrant lock: the HTTP threads and the two worker threads take
turns, and `atomic()` makes a rule's check-then-write indivisible. `Store` asks its questions on it.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def found(row: Row | None) -> Row:
    """A row that must exist (just written, a COUNT, an authenticated account): None is a sandbox bug."""
    if row is None:
        raise RuntimeError("the sandbox store has no row where one must be")
    return row


# Columns holding JSON; rows come back decoded and go in encoded.
JSON_COLUMNS = {"custom_field", "status_callbacks", "options", "payload", "flow"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS accounts (
    sid TEXT PRIMARY KEY, api_key TEXT UNIQUE, api_token TEXT,
    customer_id TEXT, app_id TEXT, app_token TEXT UNIQUE);
-- Integrations app tokens (seeded or issued by POST /v2/integrations/token) and the app secrets
-- that obtain them; a token with no expiry was seeded without one.
CREATE TABLE IF NOT EXISTS app_tokens (token TEXT PRIMARY KEY, account_sid TEXT, expires REAL);
CREATE TABLE IF NOT EXISTS app_secrets (account_sid TEXT PRIMARY KEY, app_secret TEXT);
CREATE TABLE IF NOT EXISTS exophones (account_sid TEXT, number TEXT, PRIMARY KEY (account_sid, number));
CREATE TABLE IF NOT EXISTS users (
    seq INTEGER PRIMARY KEY, id TEXT UNIQUE, account_sid TEXT, first_name TEXT, last_name TEXT,
    email TEXT, role TEXT, last_login REAL, created REAL, updated REAL);
CREATE TABLE IF NOT EXISTS devices (
    id INTEGER PRIMARY KEY, user_id TEXT, name TEXT, contact_uri TEXT, type TEXT,
    available INTEGER, verified INTEGER, status TEXT);
CREATE INDEX IF NOT EXISTS devices_user ON devices (user_id);
CREATE INDEX IF NOT EXISTS devices_uri ON devices (contact_uri);
CREATE TABLE IF NOT EXISTS integration_users (
    account_sid TEXT, user_id TEXT, phone_enabled INTEGER, phone_number TEXT, sip_enabled INTEGER,
    sip_username TEXT, sip_registered INTEGER, sip_last_seen REAL, updated REAL,
    PRIMARY KEY (account_sid, user_id));
CREATE TABLE IF NOT EXISTS calls (
    sid TEXT PRIMARY KEY, account_sid TEXT, api TEXT, user_id TEXT, device_id INTEGER,
    from_uri TEXT, to_uri TEXT, virtual_number TEXT, state TEXT, status TEXT, custom_field TEXT,
    record INTEGER, status_callbacks TEXT, options TEXT,
    created REAL, updated REAL, started REAL, answered REAL, ended REAL);
CREATE INDEX IF NOT EXISTS calls_active ON calls (state, user_id);
CREATE TABLE IF NOT EXISTS legs (
    sid TEXT PRIMARY KEY, call_sid TEXT, side TEXT, name TEXT, contact_uri TEXT,
    created REAL, updated REAL, status TEXT);
CREATE INDEX IF NOT EXISTS legs_call ON legs (call_sid);
CREATE TABLE IF NOT EXISTS call_events (id INTEGER PRIMARY KEY, call_sid TEXT, step TEXT, due REAL);
CREATE INDEX IF NOT EXISTS call_events_due ON call_events (due);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY, call_sid TEXT, event TEXT, url TEXT, method TEXT, content_type TEXT,
    payload TEXT, due REAL, state TEXT, http_status INTEGER, error TEXT, at REAL);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, due);
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY, sid TEXT UNIQUE, account_sid TEXT, number TEXT, first_name TEXT,
    last_name TEXT, company_name TEXT, email TEXT, tag TEXT, custom_field TEXT, created REAL, updated REAL);
CREATE INDEX IF NOT EXISTS contacts_account ON contacts (account_sid, id);
CREATE TABLE IF NOT EXISTS request_log (
    id INTEGER PRIMARY KEY, at REAL, account_sid TEXT, method TEXT, path TEXT, query TEXT,
    body TEXT, status INTEGER, exotel_code INTEGER, request_id TEXT);
"""


# What an app flow adds to a call (calls.flow: app_id, app_name, digits, recordings, group_id, group_name).
ADDED_COLUMNS = [("calls", "flow")]


def _decode_row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> Row:
    row = {}
    for column, value in zip(cursor.description, values, strict=True):
        name = column[0]
        row[name] = json.loads(value) if name in JSON_COLUMNS and value is not None else value
    return row


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        key: json.dumps(value) if key in JSON_COLUMNS and value is not None else value for key, value in fields.items()
    }


def column_values(fields: dict[str, Any], columns: Sequence[str]) -> list[Any]:
    """`fields` in `columns` order, encoded; hot when seeding a million contacts."""
    values = [fields.get(column) for column in columns]
    for position, column in enumerate(columns):
        if column in JSON_COLUMNS and values[position] is not None:
            values[position] = json.dumps(values[position])
    return values


class Database:
    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = _decode_row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Columns added since a state file was created (CREATE TABLE IF NOT EXISTS keeps old tables)."""
        for table, column in ADDED_COLUMNS:
            names = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})").fetchall()}
            if column not in names:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction; nested uses join the outer one."""
        with self._lock:
            if self._depth == 0:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._db.execute("COMMIT")

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self._lock:
            return self._db.execute(sql, params).fetchone()

    def _run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    def _insert(self, table: str, fields: dict[str, Any], verb: str = "INSERT") -> int:
        fields = _encode(fields)
        names = ", ".join(fields)
        marks = ", ".join("?" * len(fields))
        cursor = self._run(f"{verb} INTO {table} ({names}) VALUES ({marks})", list(fields.values()))
        assert cursor.lastrowid is not None  # sqlite3 sets it after every INSERT
        return cursor.lastrowid

    def _update(self, table: str, key: str, value: Any, fields: dict[str, Any]) -> None:
        if fields:
            fields = _encode(fields)
            assignments = ", ".join(f"{name} = ?" for name in fields)
            self._run(f"UPDATE {table} SET {assignments} WHERE {key} = ?", [*fields.values(), value])

    def wipe(self) -> None:
        with self.atomic():
            for table in (
                "accounts",
                "app_tokens",
                "app_secrets",
                "exophones",
                "users",
                "devices",
                "integration_users",
                "calls",
                "legs",
                "call_events",
                "deliveries",
                "contacts",
                "request_log",
            ):
                self._run(f"DELETE FROM {table}")

    def secret(self) -> str:
        """A per-state-file signing key, created once, so signed URLs survive restarts."""
        with self.atomic():
            row = self._one("SELECT value FROM meta WHERE key = 'secret'")
            if row:
                return row["value"]
            value = secrets.token_hex(32)
            self._insert("meta", {"key": "secret", "value": value})
            return value
