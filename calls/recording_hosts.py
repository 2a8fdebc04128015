"""Where exoadmin may fetch a recording from: Exotel's recording storage, and nothing else.

A status callback is authenticated only by the secret in its URL (Exotel signs nothing), so its
`recording_url` may be anything; fetched from inside our network it could reach Redis, the
database or a cloud metadata service. Every URL, and every redirect hop, must start with one of
settings.EXOTEL_RECORDING_URL_PREFIXES (https), or, in development, be on the sandbox that the
EXOTEL_*_BASE_URL settings point at (plain http is fine there).
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import requests
from django.conf import settings
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

DEFAULT_PORTS = {"http": 80, "https": 443}
SANDBOX_SETTINGS = ("EXOTEL_CCM_BASE_URL", "EXOTEL_CONTACTS_BASE_URL", "EXOTEL_INTEGRATIONS_BASE_URL")


class Origin(NamedTuple):
    scheme: str
    host: str
    port: int | None

    @property
    def name(self) -> str:
        """The host, with its port when that is not the scheme's own: what a person and a log see."""
        return self.host if self.port == DEFAULT_PORTS.get(self.scheme) else f"{self.host}:{self.port}"


def url_refusal(url: str) -> str:
    """Why this recording URL must not be fetched, or "" when it may. Names the host, never the URL."""
    try:
        # Checked as requests will send it. requests normalises the URL with urllib3's parser and
        # picks the host to connect to with the standard library's: both must read the same origin.
        prepared = requests.Request("GET", url).prepare().url
        if prepared is None:  # never: prepare() sets the URL or raises (its type allows None)
            return "the link is not a valid URL"
        parsed, split = parse_url(prepared), urlsplit(prepared)
        origin = _origin(parsed.scheme, parsed.host, parsed.port)
        connects_to = _origin(split.scheme, split.hostname, split.port)
    except (requests.RequestException, LocationParseError, ValueError):
        return "the link is not a valid URL"
    if not origin.host:
        return "the link has no host"
    if origin != connects_to:
        return f"the link to {origin.name} is ambiguous"
    if parsed.auth:
        return f"the link to {origin.name} carries a user name"
    path = parsed.path or "/"
    if any(part in (".", "..") for part in unquote(path).split("/")):
        return f"the link to {origin.name} climbs out of its folder"
    allowed = allowed_prefixes()
    if origin in sandbox_origins() or any(origin == o and path.startswith(folder) for o, folder in allowed):
        return ""
    if origin.scheme != "https" and any(origin.host == o.host for o, _ in allowed):
        return f"the link to {origin.name} is not https"
    return f"{origin.name} is not one of Exotel's recording storage locations"


def host_of(url: str) -> str:
    """The host alone, for a log line (the rest of a pre-signed URL is a secret)."""
    try:
        return parse_url(url).host or "no host"
    except LocationParseError:
        return "unreadable host"


def allowed_prefixes() -> list[tuple[Origin, str]]:
    """(origin, folder) of each allowed prefix; a folder always ends with "/" so that
    `/exotel-mum1-recordings/` does not also allow `/exotel-mum1-recordings-other/`."""
    prefixes = []
    for prefix in settings.EXOTEL_RECORDING_URL_PREFIXES:
        parsed = parse_url(prefix)
        folder = (parsed.path or "/").rstrip("/") + "/"
        prefixes.append((_origin(parsed.scheme, parsed.host, parsed.port), folder))
    return prefixes


def sandbox_origins() -> set[Origin]:
    """The sandbox stands in for Exotel in development only; production never trusts these."""
    if settings.PRODUCTION:
        return set()
    urls = [getattr(settings, name, "") for name in SANDBOX_SETTINGS]
    return {_origin(p.scheme, p.host, p.port) for p in map(parse_url, filter(None, urls))}


def _origin(scheme: str | None, host: str | None, port: int | None) -> Origin:
    scheme = (scheme or "").lower()
    return Origin(scheme, (host or "").lower().strip("[]"), port or DEFAULT_PORTS.get(scheme))
