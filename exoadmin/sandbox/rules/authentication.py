"""Who is asking: CCM and contacts by API key and token, integrations by app token."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

from exoadmin.sandbox.database import Row
from exoadmin.sandbox.rules.errors import SandboxError, not_found
from exoadmin.sandbox.store import Store


def authenticate(store: Store, api_key: str, api_token: str, path_sid: str) -> Row:
    """Basic key:token for CCM and contacts; the path's account must be the credentials' one."""
    account = store.account_by_key(api_key) if api_key else None
    if account is None or not hmac.compare_digest(account["api_token"], api_token):
        raise SandboxError(401, 1010, "Authentication failed", "Authentication failed")
    if account["sid"] != path_sid:
        raise not_found(1017, "AccountSid not found")
    return account


def authenticate_app(store: Store, app_token: str, customer_id: str, app_id: str) -> Row:
    """Integrations: the app token picks the account; the path must name its customer and app."""
    account = store.account_by_app_token(app_token, time.time()) if app_token else None
    if account is None:
        raise SandboxError(401, 401, "Unauthorized", "Invalid or expired token")
    if (account["customer_id"], account["app_id"]) != (customer_id, app_id):
        raise SandboxError(404, 404, "Not Found", "Customer or app not found")
    return account


def issue_app_token(store: Store, body: Any, ttl_seconds: float) -> str:
    """POST /v2/integrations/token: an app's id and secret buy a token that lives `ttl_seconds`.

    Only `Entity: "app"` is simulated (the product never manages customers); every field is required.
    """
    if not isinstance(body, dict) or not all(isinstance(body.get(key), str) and body[key] for key in TOKEN_FIELDS):
        raise SandboxError(400, 400, "Bad Request", "Id, Secret and Entity are required")
    if body["Entity"] != "app":
        raise SandboxError(400, 400, "Bad Request", "Entity must be app (the sandbox issues app tokens only)")
    account = store.account_by_app_secret(body["Id"], body["Secret"])
    if account is None:
        raise SandboxError(401, 401, "Unauthorized", "Invalid Id or Secret")
    token = secrets.token_urlsafe(24)
    store.add_app_token(account["sid"], token, time.time() + ttl_seconds)
    return token


TOKEN_FIELDS = ("Id", "Secret", "Entity")
