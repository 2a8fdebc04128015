"""Integrations (WebRTC/IP-PSTN) devices: the phone/SIP model (seed 001).

At least one of phone and SIP stays enabled; Exotel refuses (400) a change that disables both.
"""

from __future__ import annotations

from .client import ExotelClient, url_path
from .errors import ExotelError
from .models import IntegrationDevices, IssuedToken


def get_devices(client: ExotelClient, user_id: str) -> IntegrationDevices:
    """Whether the agent's phone and SIP devices are enabled, and SIP registration.

    Reference: seed 001 (GET /{customer_id}/apps/{app_id}/users/{user_id}/devices).
    """
    envelope = client.integrations_api.request("GET", _devices_path(client, user_id))
    return IntegrationDevices.from_data(envelope.response or {}, envelope.request_id)


def set_devices(
    client: ExotelClient, user_id: str, *, phone: bool | None = None, sip: bool | None = None
) -> IntegrationDevices:
    """Enable or disable phone and/or SIP; an omitted one stays as it is.

    Reference: seed 001 (PUT /{customer_id}/apps/{app_id}/users/{user_id}/devices).
    """
    changes = {name: value for name, value in (("phone", phone), ("sip", sip)) if value is not None}
    if not changes:
        raise ValueError("set phone, sip or both")
    envelope = client.integrations_api.request(
        "PUT",
        _devices_path(client, user_id),
        body=changes,
        unsure="the devices may or may not have been switched",
    )
    return IntegrationDevices.from_data(envelope.response or {}, envelope.request_id)


def issue_app_token(client: ExotelClient, app_id: str, app_secret: str) -> IssuedToken:
    """A new integrations app token for the app's id and secret; older tokens stay valid until they expire.

    Reference: exotel-contract.md (POST /v2/integrations/token {Id, Secret, Entity: "app"}, valid 90 days).
    """
    if not (app_id and app_secret):
        raise ValueError("an integrations app token needs the app's id and secret")
    envelope = client.integrations_token_api.request(
        "POST",
        "/token",
        body={"Id": app_id, "Secret": app_secret, "Entity": "app"},
        unsure="a new token may or may not have been issued (the current one still works)",
    )
    if not isinstance(envelope.response, str) or not envelope.response:
        raise ExotelError(
            "Exotel answered the token request without a token: try again in a minute",
            http_status=envelope.http_code,
            request_id=envelope.request_id,
        )
    return IssuedToken(token=envelope.response, request_id=envelope.request_id)


def _devices_path(client: ExotelClient, user_id: str) -> str:
    config = client.config
    if not (config.integrations_customer_id and config.integrations_app_id and config.integrations_app_token):
        raise ValueError("this Exotel account has no integrations customer id, app id and app token")
    return url_path(config.integrations_customer_id, "apps", config.integrations_app_id, "users", user_id, "devices")
