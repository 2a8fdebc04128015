"""Exotel's response envelopes, one shape per API family (see the contract's "Envelopes").

Families: `users` (v2 users/devices: `response` is a list of records, errors too), `calls` (v3
calls/details and the v2 launch: `response` is an object), `legs` (as calls, with its own 429/500
codes), `contacts` (lists and bulk results are lists; one contact or an error is an object) and
`integrations` (`{success, data}` / `{success, error}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from exoadmin.sandbox.rules.errors import SandboxError

# Exotel codes for the errors the HTTP layer produces itself, where a family has its own.
TOO_MANY_REQUESTS_CODE = {"legs": 10724}
INTERNAL_ERROR_CODE = {"legs": 500}


def record(data: Any, code: int = 200) -> dict[str, Any]:
    return {"code": code, "status": "success", "error_data": None, "data": data}


def failed_record(error: SandboxError) -> dict[str, Any]:
    return {"code": error.http_status, "status": "failure", "error_data": error.error_data(), "data": None}


def ccm(
    method: str, request_id: str, http_code: int, response: Any, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "method": method,
        "http_code": http_code,
        "metadata": metadata,
        "response": response,
    }


def call_object(method: str, request_id: str, key: str, payload: dict[str, Any]) -> dict[str, Any]:
    """v3 calls, details and legs: `response: {code, status, error_data, call_details|leg_details}`."""
    return ccm(method, request_id, 200, {"code": 200, "status": "success", "error_data": None, key: payload})


def bulk(method: str, request_id: str, outcomes: Sequence[dict[str, Any] | SandboxError]) -> tuple[int, dict]:
    """Seed 003: 200 when every item succeeded, 207 when any failed; one entry per item, in order."""
    response = [failed_record(o) if isinstance(o, SandboxError) else record(o) for o in outcomes]
    failed = sum(isinstance(o, SandboxError) for o in outcomes)
    status = 207 if failed else 200
    metadata = {"total": len(outcomes), "success": len(outcomes) - failed, "failed": failed}
    return status, ccm(method, request_id, status, response, metadata)


def integrations(data: dict[str, Any]) -> dict[str, Any]:
    return {"success": True, "data": data}


def integrations_token(request_id: str, token: str) -> dict[str, Any]:
    """The token endpoint keeps the older integrations envelope (exotel-api-research.md 3.1)."""
    return {"RequestId": request_id, "Status": "Success", "Code": 200, "Error": "", "Data": token}


def error(family: str, method: str, request_id: str, err: SandboxError) -> dict[str, Any]:
    if family == "integrations_token":
        status = {"Status": "Failed", "Code": err.http_status, "Error": err.description, "Data": None}
        return {"RequestId": request_id, **status}
    if family == "integrations":
        return {"success": False, "error": {"code": err.http_status, "message": err.description}}
    failure = failed_record(err)
    return ccm(method, request_id, err.http_status, [failure] if family == "users" else failure)


def too_many_requests(family: str) -> SandboxError:
    return SandboxError(429, TOO_MANY_REQUESTS_CODE.get(family, 429), "Too Many Requests", "Too many requests")


def internal_error(family: str) -> SandboxError:
    return SandboxError(500, INTERNAL_ERROR_CODE.get(family, 1100), "Internal Server Error", "Internal Server Error")
