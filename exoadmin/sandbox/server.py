"""The HTTP side of the sandbox: authenticate, rate-limit, inject faults, route, wrap in envelopes.

No Exotel rule lives here: handlers in `routes` call `rules`; this module only translates HTTP.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import random
import signal
import sys
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from exoadmin.sandbox import control, demo, envelopes, routes
from exoadmin.sandbox.callbacks import Callbacks
from exoadmin.sandbox.calls import Progression
from exoadmin.sandbox.config import Config
from exoadmin.sandbox.database import Row
from exoadmin.sandbox.ratelimit import RateLimiter
from exoadmin.sandbox.recordings import RecordingLinks
from exoadmin.sandbox.rules.authentication import authenticate, authenticate_app
from exoadmin.sandbox.rules.errors import SandboxError
from exoadmin.sandbox.store import Store
from exoadmin.sandbox.worker import Worker

LOGGED_BODY_LIMIT = 64 * 1024


class Sandbox:
    """Everything one running sandbox shares between its HTTP threads and its workers."""

    def __init__(self, store: Store, config: Config, public_url: str) -> None:
        self.store = store
        self.config = config
        self.limiter = RateLimiter()
        self.random = random.Random()
        self.links = RecordingLinks(store.secret(), public_url, config)
        self.callbacks = Callbacks(store, config, self.links)
        self.progression = Progression(store, config, self.callbacks)
        self._workers = [
            Worker("sandbox-calls", self.progression.run_due),
            Worker("sandbox-callbacks", self.callbacks.send_due),
        ]

    def start(self) -> None:
        for worker in self._workers:
            worker.start()

    def stop(self) -> None:
        for worker in self._workers:
            worker.stop()

    def reset(self, seed: str, contacts: int) -> None:
        """Wipe all state and the live config, then seed."""
        self.store.wipe()
        self.config.restore()
        self.limiter.clear()
        if seed == "demo":
            demo.seed(self.store, contacts)


class Dropped(Exception):
    """Fault injection: close the connection without answering."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes; don't wait 40 ms
    server: SandboxServer

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path.startswith("/_sandbox/"):
            status, payload = control.dispatch(self.server.sandbox, self.command, url.path, query, raw)
            self._send(routes.Reply(status, payload), {})
        else:
            self._exotel(url.path, url.query, query, raw)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: every Exotel request is in the request log (`GET /_sandbox/requests`)."""

    def _exotel(self, path: str, raw_query: str, query: dict[str, str], raw: bytes) -> None:
        sandbox = self.server.sandbox
        route, args = routes.match(self.command, path)
        family = route.family if route else "calls"
        request_id = uuid.uuid4().hex
        headers = {"X-Request-Id": request_id}
        account: Row | None = None
        error: SandboxError | None = None
        try:
            if route is None:
                raise SandboxError(404, 1000, "Not Found", f"No Exotel API at {self.command} {path}")
            account = self._authenticate(route, args)
            if account is not None:
                self._limit_and_inject_faults(family, account["sid"], headers)
            request = routes.Request(sandbox, self.command, args, query, _json(raw), account, request_id)
            reply = route.handler(request)
        except Dropped:
            self.close_connection = True
            self._log(account, path, raw_query, raw, None, None, request_id)
            return
        except SandboxError as raised:
            error = raised
        except Exception:
            traceback.print_exc()
            error = envelopes.internal_error(family)
        if error is not None:
            reply = routes.Reply(error.http_status, envelopes.error(family, self.command, request_id, error))
        # Logged before answering, so that whoever holds the answer finds it in the log.
        self._log(account, path, raw_query, raw, reply.status, error.exotel_code if error else None, request_id)
        self._send(reply, headers)

    def _authenticate(self, route: routes.Route, args: dict[str, str]) -> Row | None:
        store = self.server.sandbox.store
        header = self.headers.get("Authorization", "")
        if route.family in ("recordings", "integrations_token"):
            return None  # pre-signed URLs carry their own proof; a token request its app's secret
        if route.family == "integrations":
            token = header.removeprefix("Bearer ").strip()
            return authenticate_app(store, token, args["customer_id"], args["app_id"])
        api_key, api_token = _basic_credentials(header)
        return authenticate(store, api_key, api_token, args["sid"])

    def _limit_and_inject_faults(self, family: str, account_sid: str, headers: dict[str, str]) -> None:
        sandbox = self.server.sandbox
        config = sandbox.config.snapshot()
        retry_after = sandbox.limiter.retry_after(account_sid, config["rate_limit"])
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
            raise envelopes.too_many_requests(family)
        faults, chance = config["faults"], sandbox.random.random
        if chance() < faults["drop"]:
            raise Dropped()
        if chance() < faults["slow"]:
            time.sleep(faults["slow_seconds"])
        if chance() < faults["error_500"]:
            raise envelopes.internal_error(family)
        if chance() < faults["error_429"]:
            headers["Retry-After"] = "1"
            raise envelopes.too_many_requests(family)

    def _send(self, reply: routes.Reply, headers: dict[str, str]) -> None:
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _log(
        self,
        account: Row | None,
        path: str,
        query: str,
        raw: bytes,
        status: int | None,
        exotel_code: int | None,
        request_id: str,
    ) -> None:
        body = (
            raw.decode(errors="replace")
            if len(raw) <= LOGGED_BODY_LIMIT
            else json.dumps({"truncated": True, "bytes": len(raw)})
        )
        self.server.sandbox.store.log_request(
            {
                "at": time.time(),
                "account_sid": account and account["sid"],
                "method": self.command,
                "path": path,
                "query": query,
                "body": body,
                "status": status,
                "exotel_code": exotel_code,
                "request_id": request_id,
            }
        )


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: Sandbox


def _basic_credentials(header: str) -> tuple[str, str]:
    if not header.startswith("Basic "):
        return "", ""
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    api_key, _, api_token = decoded.partition(":")
    return api_key, api_token


def _json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise SandboxError(400, 1007, "Invalid request format", "Request body is not valid JSON") from None


def serve(*, host: str, port: int, state: str, seed: str, contacts: int, config: Config) -> None:
    """Run until interrupted (Ctrl-C or SIGTERM). Seeds only a state file that has no account yet."""
    store = Store(state)
    server = SandboxServer((host, port), Handler)
    port = server.server_address[1]
    public_url = os.environ.get("EXOTEL_SANDBOX_PUBLIC_URL", f"http://{host}:{port}")
    server.sandbox = sandbox = Sandbox(store, config, public_url)
    if seed == "demo" and store.count_accounts() == 0:
        demo.seed(store, contacts)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sandbox.start()
    print(f"Exotel sandbox listening on http://{host}:{port} (state: {state})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sandbox.stop()
        store.close()
