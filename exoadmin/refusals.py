"""One way to tell a person that something they asked for was refused or failed.

Services raise `Refused` (never an ExotelError) when a person's request cannot be done; views
show `message` and, when Exotel was asked, its request id, which is what Exotel support asks for.
`Refused.from_exotel` is the one place an Exotel error becomes such a sentence.
"""

from __future__ import annotations

from typing import Protocol


class _ExotelFailure(Protocol):
    user_message: str
    request_id: str


class Refused(Exception):
    """A request refused or failed; `message` says what happened and what to do now."""

    def __init__(self, message: str, *, request_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id or ""

    @classmethod
    def from_exotel(cls, exc: _ExotelFailure, *, prefix: str = "") -> Refused:
        """Exotel's own words for the failure (`errors.user_message_for`), after `prefix` if given."""
        return cls(f"{prefix}{exc.user_message}", request_id=exc.request_id)

    @property
    def in_words(self) -> str:
        """The message with the request id, for places that show one line (flash messages, CSVs)."""
        return with_request_id(self.message, self.request_id)


def with_request_id(message: str, request_id: str) -> str:
    return f"{message} (Exotel request id {request_id})" if request_id else message
