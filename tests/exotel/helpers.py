"""Small builders shared by the client tests."""

from typing import Any

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


class StubClient(ExotelClient):
    """A client over a StubSession that never really sleeps: `sleeps` records each wait asked for."""

    def __init__(self, session: Any, **kwargs: Any) -> None:
        self.sleeps: list[float] = []
        super().__init__(config_for("http://exotel.test"), session=session, sleep=self.sleeps.append, **kwargs)


def stub_client(session, **kwargs) -> StubClient:
    return StubClient(session, **kwargs)
