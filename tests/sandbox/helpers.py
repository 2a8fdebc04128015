"""Small builders for the sandbox tests: an HTTP helper with Exotel auth, agents, a callback receiver."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from tests.support.processes import wait_until
from tests.support.sandbox import SandboxProcess


@dataclass(frozen=True)
class SandboxAccount:
    sid: str
    key: str
    token: str
    customer_id: str
    app_id: str
    app_token: str
    exophones: tuple[str, ...]

    def as_control(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "api_key": self.key,
            "api_token": self.token,
            "customer_id": self.customer_id,
            "app_id": self.app_id,
            "app_token": self.app_token,
            "exophones": list(self.exophones),
        }


class ExotelHttp:
    """Raw HTTP to the sandbox the way Exotel's clients call Exotel (Basic key:token, Bearer app token)."""

    def __init__(self, base_url: str, account: SandboxAccount) -> None:
        self.base_url = base_url
        self.account = account
        self.http = requests.Session()

    def v2(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.request(method, f"/v2/accounts/{self.account.sid}{path}", **kwargs)

    def v3(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.request(method, f"/v3/accounts/{self.account.sid}{path}", **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("auth", (self.account.key, self.account.token))
        return self.http.request(method, self.base_url + path, timeout=10, **kwargs)

    def integrations(self, method: str, user_id: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        path = f"/v2/integrations/{self.account.customer_id}/apps/{self.account.app_id}/users/{user_id}/devices"
        headers = {"Authorization": f"Bearer {token or self.account.app_token}"}
        return self.http.request(method, self.base_url + path, headers=headers, timeout=10, **kwargs)

    def launch_v3(self, from_uri: str, to_uri: str, **extra: Any) -> requests.Response:
        body = {
            "from": {"contact_uri": from_uri},
            "to": {"contact_uri": to_uri},
            "virtual_number": self.account.exophones[0],
            **extra,
        }
        return self.v3("POST", "/calls", json=body)


def exotel_error(response: requests.Response) -> tuple[int, int]:
    """(HTTP status, Exotel code) of an error answer, whichever envelope family it came in."""
    body = response.json()
    assert body["http_code"] == response.status_code
    failure = body["response"][0] if isinstance(body["response"], list) else body["response"]
    assert failure["status"] == "failure"
    return response.status_code, failure["error_data"]["code"]


def tel(number: str, **state: Any) -> dict[str, Any]:
    return {"name": "Mobile", "contact_uri": number, "type": "tel", **state}


def sip(uri: str, **state: Any) -> dict[str, Any]:
    return {"name": "Softphone", "contact_uri": uri, "type": "sip", **state}


def add_agent(
    sandbox: SandboxProcess, account: SandboxAccount, *devices: dict[str, Any], first_name: str = "Asha", **fields: Any
) -> dict[str, Any]:
    """A CCM user; answers its record (with device ids)."""
    return sandbox.control(
        "POST",
        "/_sandbox/users",
        {
            "account_sid": account.sid,
            "first_name": first_name,
            "last_name": "Agent",
            "devices": list(devices),
            **fields,
        },
    )


def wait_for_terminal(exotel: ExotelHttp, call_sid: str, timeout: float = 10) -> dict[str, Any]:
    def terminal() -> dict[str, Any] | None:
        details = exotel.v3("GET", f"/calls/{call_sid}").json()["response"]["call_details"]
        return details if details["state"] == "terminal" else None

    return wait_until(terminal, timeout=timeout, what=f"call {call_sid} to end")


class CallbackReceiver:
    """A tiny web server standing in for the product's status-callback endpoint."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(
                    {
                        "method": self.command,
                        "path": url.path,
                        "query": dict(parse_qsl(url.query)),
                        "content_type": self.headers.get_content_type(),
                        "body": _parse_body(self.headers.get("Content-Type", ""), raw),
                    }
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, path: str | None = None, timeout: float = 10) -> list[dict[str, Any]]:
        def arrived() -> list[dict[str, Any]] | None:
            found = [r for r in self.received if path is None or r["path"] == path]
            return found if len(found) >= count else None

        return wait_until(arrived, timeout=timeout, what=f"{count} callbacks at {path or 'any path'}")


def _parse_body(content_type: str, raw: bytes) -> Any:
    if not raw:
        return None
    if content_type.startswith("application/json"):
        return json.loads(raw)
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
        return {
            part.get_param("name", header="content-disposition"): part.get_content() for part in message.iter_parts()
        }
    return dict(parse_qsl(raw.decode(), keep_blank_values=True))
