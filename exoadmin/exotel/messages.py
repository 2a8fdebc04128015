"""What each Exotel error means to a supervisor, and what to do about it.

Keys are (HTTP status, Exotel code) exactly as the seeds and exotel-contract.md list them;
`None` stands for "no Exotel code in the body". A message may use `{description}`, Exotel's own
explanation, where that explanation is the only useful detail (which field was wrong).
"""

from __future__ import annotations

_INTERNAL = (
    "Exotel had an internal error: try again in a minute; if it keeps happening, "
    "contact Exotel support with the request id"
)
_CALL_NOT_FOUND = "Exotel cannot find this call (or this API does not cover it): check the call id"
_AUTH = "Exotel rejected the API key/token: check the account's credentials"
_ACCOUNT = "Exotel does not know this account SID: check the account SID and the region in settings"
_BUSY = "The agent is busy on another call: wait until the call ends"
_UNVERIFIED = "This device is not verified yet: verify it in Exotel before turning it ON"
_TOO_MANY = "Too many requests to Exotel right now: wait a minute and try again"

CCM_MESSAGES: dict[tuple[int, int | None], str] = {
    # Generic v2 gateway codes (research 1.5).
    (404, 1000): "This contact is not in Exotel (it may have been deleted): refresh the list",
    (400, 1001): "A required field is missing in the request to Exotel: {description}",
    (400, 1002): "Exotel rejected a value in the request: {description}",
    (403, 1003): "These Exotel credentials may not use this API: ask Exotel to enable it for the account",
    (500, 1004): _INTERNAL,
    (400, 1007): "Exotel could not read the request: {description}",
    (409, 1008): "This record already exists in Exotel",
    (401, 1010): _AUTH,
    (415, 1011): "Exotel only accepts JSON requests: report this to the product team",
    # Users and devices (seed 000).
    (404, 10801): "This agent is not in the Exotel account: refresh the agent list",
    (404, 1017): _ACCOUNT,
    (404, 10702): "This device is no longer in Exotel: refresh the agent's devices",
    (409, 10809): _UNVERIFIED,
    (403, 10810): "Another device is ON: turn it OFF first",
    (429, 429): _TOO_MANY,
    (429, None): _TOO_MANY,
    # Calls v3 and v2 (seeds 002, 004).
    (404, 10731): "This agent is not a user in the Exotel account: add them in Exotel first",
    (409, 1012): "The agent's device is OFF: turn it ON first",
    (409, 10705): _UNVERIFIED,
    (409, 10706): _BUSY,
    (404, 10706): _BUSY,
    (404, 10806): "This agent has no device in Exotel: add a phone or SIP device first",
    (404, 10703): "The agent's device is turned OFF: turn it ON first",
    (405, 10712): "VoIP (SIP) calls are not enabled for this Exotel account: use a phone number or ask Exotel",
    (404, 10716): "This ExoPhone is not in the Exotel account: pick another virtual number",
    (409, 10708): "The agent has no device ON and online: turn a device ON first",
    (404, 1021): _CALL_NOT_FOUND,
    (404, 1022): _CALL_NOT_FOUND,
    (404, 3043): _CALL_NOT_FOUND,
    (404, 3044): _CALL_NOT_FOUND,
    (404, 3045): _CALL_NOT_FOUND,
    # Call legs (seed 002).
    (404, 10744): "Exotel cannot find this call: check the call id",
    (429, 10724): _TOO_MANY,
    (500, 10743): "Exotel has no legs for this call yet: try again in a minute",
    (500, 10715): "Exotel could not read this call's legs: try again in a minute",
    (500, None): _INTERNAL,
    **{
        (500, code): _INTERNAL
        for code in (1100, 1101, 1200, 1203, 1300, 1500, 1600, 1601, 1800, 3040, 3042, 3046, 3075, 3080, 4060)
    },
}

# The integrations API (seed 001) answers plain HTTP statuses without Exotel codes.
INTEGRATIONS_MESSAGES: dict[int, str] = {
    400: "At least one of phone and SIP must stay enabled",
    401: "Exotel rejected the integrations app token (invalid or expired): an admin renews it from Django admin "
    "→ Exotel accounts (“Renew the integrations app token now”) or pastes a new one there",
    404: "This agent is not in the Exotel integrations app: check the agent's user id and the "
    "account's integrations customer and app ids",
    500: _INTERNAL,
}

# The integrations token endpoint (exotel-contract.md: POST /v2/integrations/token).
INTEGRATIONS_TOKEN_MESSAGES: dict[int, str] = {
    400: "Exotel refused the token request as incomplete: check the account's integrations app id and secret",
    401: "Exotel did not accept the integrations app id and secret: copy them again from Exotel's "
    "integrations app into Django admin → Exotel accounts",
    500: _INTERNAL,
}

# When Exotel sends a code we do not know, or no body we can read.
STATUS_MESSAGES: dict[int, str] = {
    400: "Exotel refused the request as invalid",
    401: _AUTH,
    402: "The Exotel plan does not include this or its usage limit is reached: contact Exotel",
    403: "Exotel does not allow this",
    404: "Exotel could not find what was asked for: refresh and try again",
    405: "Exotel does not allow this operation",
    409: "Exotel refused because of the current state: refresh and try again",
    415: "Exotel could not read the request format",
    422: "Exotel refused the request as invalid",
    429: _TOO_MANY,
}
SERVER_ERROR_MESSAGE = "Exotel is having trouble (HTTP {status}): try again in a minute"
UNKNOWN_MESSAGE = "Exotel answered with an unexpected error (HTTP {status})"
