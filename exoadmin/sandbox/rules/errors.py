"""`SandboxError`, how every rule refuses, and the refusals Exotel answers the same way across families."""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    def __init__(self, http_status: int, exotel_code: int, message: str, description: str) -> None:
        super().__init__(f"{http_status}/{exotel_code} {description}")
        self.http_status = http_status
        self.exotel_code = exotel_code
        self.message = message
        self.description = description

    def error_data(self) -> dict[str, Any]:
        return {"code": self.exotel_code, "message": self.message, "description": self.description}


def missing(name: str) -> SandboxError:
    return SandboxError(400, 1001, "Mandatory parameter missing", f"{name} is mandatory")


def invalid(description: str) -> SandboxError:
    return SandboxError(400, 1002, "Invalid parameter", description)


def bad_format(description: str) -> SandboxError:
    return SandboxError(400, 1007, "Invalid request format", description)


def not_found(code: int, description: str) -> SandboxError:
    return SandboxError(404, code, "Not Found", description)


def conflict(code: int, description: str) -> SandboxError:
    return SandboxError(409, code, "Conflict", description)
