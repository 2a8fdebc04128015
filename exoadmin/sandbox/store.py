"""Every question the sandbox asks of its state, one method per question, grouped by table.

The rules, the call and callback workers and the control API read and write through these methods;
the SQL for them stays here, the state file's schema and transactions in `database`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from exoadmin.sandbox.database import Database, Row, column_values, found

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


class Store(Database):
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

    def account_by_app_token(self, app_token: str, now: float) -> Row | None:
        """The account of an app token that has not expired: issued, seeded with an expiry, or
        seeded without one (a state file from before tokens expired has only the last kind)."""
        issued = self._one(
            "SELECT accounts.* FROM app_tokens JOIN accounts ON accounts.sid = app_tokens.account_sid"
            " WHERE token = ? AND (expires IS NULL OR expires > ?)",
            [app_token, now],
        )
        if issued is not None or self._one("SELECT 1 AS known FROM app_tokens WHERE token = ?", [app_token]):
            return issued
        return self._one("SELECT * FROM accounts WHERE app_token = ?", [app_token])

    def account_by_app_secret(self, app_id: str, app_secret: str) -> Row | None:
        return self._one(
            "SELECT accounts.* FROM accounts JOIN app_secrets ON app_secrets.account_sid = accounts.sid"
            " WHERE app_id = ? AND app_secret = ?",
            [app_id, app_secret],
        )

    def put_app_secret(self, account_sid: str, app_secret: str) -> None:
        self._insert("app_secrets", {"account_sid": account_sid, "app_secret": app_secret}, verb="INSERT OR REPLACE")

    def add_app_token(self, account_sid: str, token: str, expires: float | None) -> None:
        self._insert(
            "app_tokens", {"token": token, "account_sid": account_sid, "expires": expires}, verb="INSERT OR REPLACE"
        )

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
        rows = (column_values(contact, CONTACT_COLUMNS) for contact in contacts)
        with self.atomic():
            self._db.executemany(sql, rows)

    def replace_contacts(self, contacts: Sequence[Row]) -> None:
        columns = [column for column in CONTACT_COLUMNS if column not in ("sid", "account_sid", "created")]
        sql = f"UPDATE contacts SET {', '.join(f'{c} = ?' for c in columns)} WHERE sid = ?"
        rows = [[*column_values(contact, columns), contact["sid"]] for contact in contacts]
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
