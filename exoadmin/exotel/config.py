"""Where Exotel lives and how to authenticate: one immutable value per Exotel account."""

from __future__ import annotations

from dataclasses import dataclass

# Reference: exotel-contract.md "Hosts and auth" (seeds 000-004). Keys are ExotelConfig's fields.
# Exotel documents the integrations API only on its Mumbai host, so both regions use it.
REGION_BASE_URLS: dict[str, dict[str, str]] = {
    "singapore": {
        "ccm_base_url": "https://ccm-api.exotel.com",
        "contacts_base_url": "https://api.exotel.com",
        "integrations_base_url": "https://integrationscore.mum1.exotel.com/v2/integrations",
    },
    "mumbai": {
        "ccm_base_url": "https://ccm-api.in.exotel.com",
        "contacts_base_url": "https://api.in.exotel.com",
        "integrations_base_url": "https://integrationscore.mum1.exotel.com/v2/integrations",
    },
}


@dataclass(frozen=True)
class ExotelConfig:
    account_sid: str
    api_key: str
    api_token: str
    ccm_base_url: str
    contacts_base_url: str
    integrations_base_url: str
    integrations_customer_id: str = ""
    integrations_app_id: str = ""
    integrations_app_token: str = ""
    connect_timeout: float = 3.05
    read_timeout: float = 15.0

    def __repr__(self) -> str:
        # Secrets never reach logs, tracebacks or the debug page.
        return (
            f"ExotelConfig(account_sid={self.account_sid!r}, api_key={_mask(self.api_key)}, "
            f"ccm_base_url={self.ccm_base_url!r}, contacts_base_url={self.contacts_base_url!r}, "
            f"integrations_base_url={self.integrations_base_url!r})"
        )

    __str__ = __repr__


def _mask(secret: str) -> str:
    return "'…" + secret[-4:] + "'" if len(secret) > 8 else "'***'"
