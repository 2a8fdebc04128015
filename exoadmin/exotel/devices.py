"""CCM v2 devices: the "single ON" model (seed 000).

At most one device of a user is ON. Exotel never switches over by itself: turning a second
device ON fails with 403/10810, so a switch is OFF-then-ON, done by the product's service.
"""

from __future__ import annotations

from .client import ExotelClient
from .models import Device, single_record


def set_device_available(client: ExotelClient, *, user_id: str, device_id: str | int, available: bool) -> Device:
    """Turn one device ON (available) or OFF; returns the device as Exotel now has it.

    Reference: seed 000 (PUT /v2/accounts/<sid>/users/<user_id>/devices/<device_id>).
    """
    envelope = client.ccm_api.request(
        "PUT",
        client.account_path("v2", "users", user_id, "devices", device_id),
        body={"available": available},
        unsure="the device may or may not have been switched",
    )
    return Device.from_data(single_record(envelope.response), envelope.request_id)
