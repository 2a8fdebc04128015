"""Small builders shared by the client tests."""

from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.config import ExotelConfig


def config_for(base_url: str, **overrides) -> ExotelConfig:
    fields = dict(
        account_sid="acme",
        api_key="acme-key",
        api_token="acme-token-s3cret",
        ccm_base_url=base_url,
        contacts_base_url=base_url,
        integrations_base_url=f"{base_url}/v2/integrations",
        integrations_customer_id="acme-customer",
        integrations_app_id="acme-app",
        integrations_app_token="acme-app-token-s3cret",
        connect_timeout=2.0,
        read_timeout=5.0,
    )
    return ExotelConfig(**{**fields, **overrides})


def stub_client(session, **kwargs) -> ExotelClient:
    """A client over a StubSession that never really sleeps (sleeps are recorded)."""
    sleeps = []
    client = ExotelClient(config_for("http://exotel.test"), session=session, sleep=sleeps.append, **kwargs)
    client.sleeps = sleeps
    return client
