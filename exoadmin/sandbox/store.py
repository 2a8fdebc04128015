"""The sandbox's whole state in one SQLite file, so it survives restarts (scheduled call events too).

One connection serialised by a re-entrant lock: the HTTP threads and the two worker threads take
turns, and `atomic()` makes a rule's check-then-write indivisible. SQL stays in this module.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
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
JSON_COLUMNS = {"custom_field", "status_callbacks", "options", "payload"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS accounts (
    sid TEXT PRIMARY KEY, api_key TEXT UNIQUE, api_token TEXT,
    customer_id TEXT, app_id TEXT, app_token TEXT UNIQUE);
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

CONTACT_COLUMNS = (
    "sid",
    "account_sid",
    "number",
    "first_name",
    "last_name",
    "company_name",
    "email",
    "tag",
    "custom_field",
    "created",
    "updated",
)
REQUEST_LOG_KEPT = 10_000
SQL_VARIABLES_PER_QUERY = 900


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


def _values(fields: dict[str, Any], columns: Sequence[str]) -> list[Any]:
    """`fields` in `columns` order, encoded; hot when seeding a million contacts."""
    values = [fields.get(column) for column in columns]
    for position, column in enumerate(columns):
        if column in JSON_COLUMNS and values[position] is not None:
            values[position] = json.dumps(values[position])
    return values


class Store:
    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = _decode_row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- plumbing --------------------------------------------------------------------------

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

    # -- accounts --------------------------------------------------------------------------

    def put_account(self, account: Row, exophones: Iterable[str]) -> None:
        with self.atomic():
            self._insert("accounts", account, verb="INSERT OR REPLACE")
            self._run("DELETE FROM exophones WHERE account_sid = ?", [account["sid"]])
            for number in exophones:
                self._insert("exophones", {"account_sid": account["sid"], "number": number})

    def account(self, sid: str) -> Row | None:
        return self._one("SELECT * FROM accounts WHERE sid = ?", [sid])

    def account_by_key(self, api_key: str) -> Row | None:
        return self._one("SELECT * FROM accounts WHERE api_key = ?", [api_key])

    def account_by_app_token(self, app_token: str) -> Row | None:
        return self._one("SELECT * FROM accounts WHERE app_token = ?", [app_token])

    def count_accounts(self) -> int:
        return int(found(self._one("SELECT COUNT(*) AS n FROM accounts"))["n"])

    def exophones(self, account_sid: str) -> list[str]:
        rows = self._all("SELECT number FROM exophones WHERE account_sid = ? ORDER BY number", [account_sid])
        return [row["number"] for row in rows]

    # -- CCM users and devices -------------------------------------------------------------

    def add_user(self, user: Row, devices: Iterable[Row]) -> None:
        with self.atomic():
            self._insert("users", user)
            for device in devices:
                self._insert("devices", {**device, "user_id": user["id"]})

    def users(self, account_sid: str) -> list[Row]:
        return self._all("SELECT * FROM users WHERE account_sid = ? ORDER BY seq", [account_sid])

    def user(self, account_sid: str, user_id: str) -> Row | None:
        return self._one("SELECT * FROM users WHERE account_sid = ? AND id = ?", [account_sid, user_id])

    def delete_user(self, user_id: str) -> bool:
        """Remove a user and its devices, as deleting them in Exotel's dashboard does."""
        with self.atomic():
            self._run("DELETE FROM devices WHERE user_id = ?", [user_id])
            return self._run("DELETE FROM users WHERE id = ?", [user_id]).rowcount > 0

    def devices_of(self, user_ids: Sequence[str]) -> dict[str, list[Row]]:
        found: dict[str, list[Row]] = {user_id: [] for user_id in user_ids}
        marks = ", ".join("?" * len(user_ids))
        for row in self._all(f"SELECT * FROM devices WHERE user_id IN ({marks}) ORDER BY id", list(user_ids)):
            found[row["user_id"]].append(row)
        return found

    def device(self, device_id: int) -> Row | None:
        return self._one("SELECT * FROM devices WHERE id = ?", [device_id])

    def device_by_uri(self, account_sid: str, contact_uri: str) -> Row | None:
        # Exotel picks the first user when several share a number.
        return self._one(
            "SELECT devices.* FROM devices JOIN users ON users.id = devices.user_id "
            "WHERE users.account_sid = ? AND devices.contact_uri = ? ORDER BY users.seq, devices.id",
            [account_sid, contact_uri],
        )

    def update_device(self, device_id: int, **fields: Any) -> None:
        self._update("devices", "id", device_id, fields)

    # -- integrations users ----------------------------------------------------------------

    def put_integration_user(self, row: Row) -> None:
        self._insert("integration_users", row, verb="INSERT OR REPLACE")

    def integration_user(self, account_sid: str, user_id: str) -> Row | None:
        return self._one(
            "SELECT * FROM integration_users WHERE account_sid = ? AND user_id = ?", [account_sid, user_id]
        )

    def integration_users_named(self, user_id: str) -> list[Row]:
        return self._all("SELECT * FROM integration_users WHERE user_id = ?", [user_id])

    def update_integration_user(self, account_sid: str, user_id: str, **fields: Any) -> None:
        if fields:
            assignments = ", ".join(f"{name} = ?" for name in fields)
            self._run(
                f"UPDATE integration_users SET {assignments} WHERE account_sid = ? AND user_id = ?",
                [*fields.values(), account_sid, user_id],
            )

    # -- calls, legs and their scheduled events --------------------------------------------

    def add_call(self, call: Row) -> None:
        self._insert("calls", call)

    def call(self, sid: str) -> Row | None:
        return self._one("SELECT * FROM calls WHERE sid = ?", [sid])

    def update_call(self, sid: str, **fields: Any) -> None:
        self._update("calls", "sid", sid, fields)

    def active_calls_of(self, user_ids: Sequence[str]) -> dict[str, Row]:
        marks = ", ".join("?" * len(user_ids))
        rows = self._all(
            f"SELECT * FROM calls WHERE state = 'active' AND user_id IN ({marks}) ORDER BY created", list(user_ids)
        )
        return {row["user_id"]: row for row in rows}

    def active_call_from(self, account_sid: str, from_uri: str) -> Row | None:
        return self._one(
            "SELECT * FROM calls WHERE state = 'active' AND account_sid = ? AND from_uri = ?", [account_sid, from_uri]
        )

    def add_leg(self, leg: Row) -> None:
        self._insert("legs", leg)

    def legs(self, call_sid: str) -> list[Row]:
        return self._all("SELECT * FROM legs WHERE call_sid = ? ORDER BY created, rowid", [call_sid])

    def update_leg(self, sid: str, **fields: Any) -> None:
        self._update("legs", "sid", sid, fields)

    def schedule(self, call_sid: str, step: str, due: float) -> None:
        self._insert("call_events", {"call_sid": call_sid, "step": step, "due": due})

    def due_events(self, now: float, limit: int = 50) -> list[Row]:
        return self._all("SELECT * FROM call_events WHERE due <= ? ORDER BY due, id LIMIT ?", [now, limit])

    def events(self, call_sid: str) -> list[Row]:
        return self._all("SELECT * FROM call_events WHERE call_sid = ? ORDER BY due, id", [call_sid])

    def take_event(self, event_id: int) -> bool:
        """Delete the event; False if another run (or a reset) already did."""
        return self._run("DELETE FROM call_events WHERE id = ?", [event_id]).rowcount == 1

    # -- status-callback deliveries --------------------------------------------------------

    def add_delivery(self, delivery: Row) -> None:
        self._insert("deliveries", delivery)

    def due_deliveries(self, now: float, limit: int = 20) -> list[Row]:
        return self._all(
            "SELECT * FROM deliveries WHERE state = 'pending' AND due <= ? ORDER BY due, id LIMIT ?", [now, limit]
        )

    def release_held(self, call_sid: str, due: float) -> None:
        self._run(
            "UPDATE deliveries SET due = ? WHERE call_sid = ? AND state = 'pending' AND due IS NULL", [due, call_sid]
        )

    def finish_delivery(self, delivery_id: int, **fields: Any) -> None:
        self._update("deliveries", "id", delivery_id, fields)

    def deliveries(self, call_sid: str | None = None) -> list[Row]:
        if call_sid:
            return self._all("SELECT * FROM deliveries WHERE call_sid = ? ORDER BY id", [call_sid])
        return self._all("SELECT * FROM deliveries ORDER BY id")

    # -- contacts --------------------------------------------------------------------------

    def add_contacts(self, contacts: Iterable[Row]) -> None:
        sql = f"INSERT INTO contacts ({', '.join(CONTACT_COLUMNS)}) VALUES ({', '.join('?' * len(CONTACT_COLUMNS))})"
        rows = (_values(contact, CONTACT_COLUMNS) for contact in contacts)
        with self.atomic():
            self._db.executemany(sql, rows)

    def replace_contacts(self, contacts: Sequence[Row]) -> None:
        columns = [column for column in CONTACT_COLUMNS if column not in ("sid", "account_sid", "created")]
        sql = f"UPDATE contacts SET {', '.join(f'{c} = ?' for c in columns)} WHERE sid = ?"
        rows = [[*_values(contact, columns), contact["sid"]] for contact in contacts]
        with self.atomic():
            self._db.executemany(sql, rows)

    def contacts_by_sid(self, account_sid: str, sids: Sequence[str]) -> dict[str, Row]:
        found: dict[str, Row] = {}
        unique = list(dict.fromkeys(sids))
        for start in range(0, len(unique), SQL_VARIABLES_PER_QUERY):
            chunk = unique[start : start + SQL_VARIABLES_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            # By sid alone: with the account in the WHERE, SQLite picks the account index and scans.
            for row in self._all(f"SELECT * FROM contacts WHERE sid IN ({marks})", chunk):
                if row["account_sid"] == account_sid:
                    found[row["sid"]] = row
        return found

    def contacts_page(self, account_sid: str, offset: int, limit: int) -> list[Row]:
        return self._all(
            "SELECT * FROM contacts WHERE account_sid = ? ORDER BY id LIMIT ? OFFSET ?", [account_sid, limit, offset]
        )

    def count_contacts(self, account_sid: str) -> int:
        return int(found(self._one("SELECT COUNT(*) AS n FROM contacts WHERE account_sid = ?", [account_sid]))["n"])

    def contact(self, sid: str) -> Row | None:
        return self._one("SELECT * FROM contacts WHERE sid = ?", [sid])

    def delete_contact(self, sid: str) -> None:
        self._run("DELETE FROM contacts WHERE sid = ?", [sid])

    # -- request log -----------------------------------------------------------------------

    def log_request(self, entry: Row) -> None:
        with self.atomic():
            entry_id = self._insert("request_log", entry)
            if entry_id % 500 == 0:
                self._run("DELETE FROM request_log WHERE id <= ?", [entry_id - REQUEST_LOG_KEPT])

    def requests(self, path: str | None, method: str | None) -> list[Row]:
        method = method.upper() if method else None
        return self._all(
            "SELECT * FROM request_log WHERE (? IS NULL OR instr(path, ?) > 0) "
            "AND (? IS NULL OR method = ?) ORDER BY id",
            [path, path, method, method],
        )
