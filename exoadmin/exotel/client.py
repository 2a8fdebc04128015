"""ExotelClient: one account's three Exotel API families over one requests.Session."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from urllib.parse import quote

import requests

from .config import ExotelConfig
from .ratelimit import Priority, RateBudget
from .transport import Breaker, Observer, RetryPolicy, Transport


class ExotelClient:
    """Create one per account and process, and reuse it: it pools connections.

    `priority="bulk"` for jobs and periodic sync, so that they leave the budget's reserve to
    supervisors' clicks; `budget=None` for tools that do not share the account's rate budget.
    `budget_wait`: seconds a request may wait for the budget before RateLimited (default by priority,
    transport.BUDGET_WAIT), shorter for periodic work that would rather try again next round.
    `observer` is told of every request sent (transport.Exchange), for the product's metrics.
    `breaker_for(base_url)` gives the circuit breaker of an Exotel host (transport.Breaker).
    """

    def __init__(
        self,
        config: ExotelConfig,
        *,
        budget: RateBudget | None = None,
        priority: Priority = "interactive",
        budget_wait: float | None = None,
        session: requests.Session | None = None,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        observer: Observer | None = None,
        breaker_for: Callable[[str], Breaker] | None = None,
    ) -> None:
        self.config = config
        self._observer = observer
        self._breaker_for = breaker_for
        self.budget = budget
        self.priority = priority
        self.budget_wait = budget_wait
        self.session = session or requests.Session()
        self._retry = retry
        self._sleep = sleep
        basic = base64.b64encode(f"{config.api_key}:{config.api_token}".encode()).decode()
        self.ccm_api = self._transport("ccm", config.ccm_base_url, f"Basic {basic}")
        self.contacts_api = self._transport("contacts", config.contacts_base_url, f"Basic {basic}")
        self.integrations_api = self._transport(
            "integrations", config.integrations_base_url, f"Bearer {config.integrations_app_token}"
        )
        # The token endpoint authenticates by the app's id and secret in the body, never a token.
        self.integrations_token_api = self._transport("integrations_token", config.integrations_base_url, "")
        # Pre-signed recording links (recordings.py): no credentials, and not Exotel's API, so
        # outside its rate budget.
        self.recording_storage = self._transport("recordings", "", "", rate_limited=False)

    def account_path(self, version: str, *parts: object) -> str:
        """ "/v2/accounts/<sid>/users/<id>" with every part URL-escaped."""
        return url_path(version, "accounts", self.config.account_sid, *parts)

    def close(self) -> None:
        self.session.close()

    def __repr__(self) -> str:
        return f"ExotelClient(account_sid={self.config.account_sid!r}, priority={self.priority!r})"

    def _transport(self, family: str, base_url: str, authorization: str, *, rate_limited: bool = True) -> Transport:
        return Transport(
            family=family,
            base_url=base_url,
            authorization=authorization,
            account_sid=self.config.account_sid,
            session=self.session,
            timeout=(self.config.connect_timeout, self.config.read_timeout),
            budget=self.budget if rate_limited else None,
            priority=self.priority,
            budget_wait=self.budget_wait,
            retry=self._retry,
            sleep=self._sleep,
            observer=self._observer,
            breaker=self._breaker_for(base_url) if self._breaker_for and rate_limited else None,
        )


def url_path(*parts: object) -> str:
    """ "/a/b/c" with every part URL-escaped (ids come from users and from Exotel)."""
    return "/" + "/".join(quote(str(part), safe="") for part in parts)
