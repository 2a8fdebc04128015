"""Reading request parameters the way every Exotel family does: paging, body shapes, text, flags,
choices and seconds, each refused with the 400 Exotel gives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exoadmin.sandbox.rules.errors import bad_format, invalid, missing


def page(query: Mapping[str, str], max_limit: int, default_limit: int = 20) -> tuple[int, int]:
    offset = _whole_number(query.get("offset", "0"), "offset", minimum=0)
    limit = _whole_number(query.get("limit", str(default_limit)), "limit", minimum=1)
    if limit > max_limit:
        raise invalid(f"limit cannot be more than {max_limit}")
    return offset, limit


def _whole_number(value: str, name: str, minimum: int) -> int:
    if not value.isdigit() or int(value) < minimum:
        raise invalid(f"{name} must be a whole number >= {minimum}")
    return int(value)


def paged(rows: list[Any], total: int, offset: int, limit: int) -> dict[str, int]:
    return {"total": total, "count": len(rows), "offset": offset, "limit": limit}


def json_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_format("Request body must be a JSON object")
    return body


def block(body: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        raise missing(name)
    if not isinstance(value, dict):
        raise invalid(f"{name} must be an object")
    return value


def text(body: Mapping[str, Any], key: str, name: str) -> str | None:
    value = body.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string")
    return value


def required_text(body: Mapping[str, Any], key: str, name: str) -> str:
    value = text(body, key, name)
    if value is None:
        raise missing(name)
    return value


def flag(value: Any, name: str) -> bool:
    """Exotel takes booleans and the strings "true"/"false" alike (seed 002 shows both)."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise invalid(f"{name} must be true or false")


def choice(value: Any, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise invalid(f"Valid values for {name} are {', '.join(allowed)}")
    return value


def seconds(body: Mapping[str, Any], name: str, default: int, maximum: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise invalid(f"{name} must be a whole number of seconds between 1 and {maximum}")
    return value
